/**
 * register — the one-shot that registers the worker with the api (Diffie registers its test
 * service with Restate the same way), then exits 0. Services that need a registered worker wait for
 * it with `depends_on: { register: completed }`. Retries briefly: the api may have just come up.
 */
import { logger, requireEnv } from '../lib/env.mjs';

const log = logger('register');
const apiUrl = requireEnv('API_URL');
const workerUrl = requireEnv('WORKER_URL');
const name = process.env.WORKER_NAME ?? 'summary-worker';
const deadline = Date.now() + 20_000;

for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
  try {
    const res = await fetch(new URL('/api/workers', apiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, url: workerUrl }),
      signal: AbortSignal.timeout(5000),
    });
    const body = await res.json().catch(() => ({}));
    if (res.status === 201) {
      log(`registered ${name} at ${workerUrl}`);
      break;
    }
    if (res.status < 500 && res.status !== 422) {
      log(`registration rejected (${res.status}): ${body.error ?? ''}`);
      process.exit(1);
    }
    log(`api answered ${res.status}: ${body.error ?? ''}`);
  } catch (error) {
    log(`api not reachable: ${error.message}`);
  }
  if (Date.now() + delay > deadline) {
    log('giving up: the api did not accept the worker within 20 s');
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, delay));
}
