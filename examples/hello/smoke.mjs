// The smoke test of examples/hello: the page answers with the greeting. Exit 1 on failure.
const url = `http://127.0.0.1:${process.env.WEB_PORT}/`;
const res = await fetch(url);
const body = await res.text();
if (res.status !== 200 || !body.includes('Hello from')) {
  console.error(`expected a greeting from ${url}, got ${res.status}: ${body.slice(0, 200)}`);
  process.exit(1);
}
console.log(`ok ${url}`);
