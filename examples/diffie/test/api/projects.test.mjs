import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { summarize } from '../../lib/summary.mjs';
import { call } from './helpers.mjs';

const created = [];
after(async () => {
  for (const id of created) await call('DELETE', `/api/projects/${id}`);
});

test('health reports the database up and the registered worker', async () => {
  const { status, body } = await call('GET', '/health');
  assert.equal(status, 200);
  assert.equal(body.database, 'up');
  assert.ok(body.workers >= 1, 'the register step registered a worker');
  const workers = await call('GET', '/api/workers');
  assert.ok(workers.body.workers.some((w) => w.name === 'summary-worker'));
});

test('create, read, list, update and delete a project', async () => {
  const name = `crud ${Date.now()}`;
  const res = await call('POST', '/api/projects', { name, description: 'first draft' });
  assert.equal(res.status, 201);
  const { id } = res.body.project;
  created.push(id);
  assert.equal(res.body.project.name, name);

  const got = await call('GET', `/api/projects/${id}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.project.description, 'first draft');

  const list = await call('GET', '/api/projects');
  assert.ok(list.body.projects.some((p) => p.id === id));

  const patched = await call('PATCH', `/api/projects/${id}`, { description: 'second draft' });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.project.description, 'second draft');
  assert.equal(patched.body.project.name, name);

  assert.equal((await call('DELETE', `/api/projects/${id}`)).status, 204);
  assert.equal((await call('GET', `/api/projects/${id}`)).status, 404);
  assert.equal((await call('DELETE', `/api/projects/${id}`)).status, 404);
});

test('bad input is a 400 that names the problem', async () => {
  const missing = await call('POST', '/api/projects', { description: 'no name' });
  assert.equal(missing.status, 400);
  assert.match(missing.body.error, /name is required/);
  const malformed = await call('POST', '/api/projects', '{"name":');
  assert.equal(malformed.status, 400);
  assert.match(malformed.body.error, /not valid JSON/);
  assert.equal((await call('GET', '/api/projects/abc')).status, 404);
  assert.equal((await call('GET', '/nope')).status, 404);
  assert.equal((await call('PUT', '/api/projects')).status, 405);
});

test('registering a worker that does not answer is refused', async () => {
  const res = await call('POST', '/api/workers', { name: 'ghost', url: 'http://127.0.0.1:9/' });
  assert.equal(res.status, 422);
  assert.match(res.body.error, /unreachable/);
});

test('the summary the worker stores is the one the pure function computes', async () => {
  const description = 'alpha beta beta gamma gamma gamma';
  const res = await call('POST', '/api/projects', { name: 'Stats', description });
  created.push(res.body.project.id);
  const expected = summarize('Stats', description);
  // The worker runs asynchronously; wait for it through the realtime push in realtime.test.mjs;
  // here poll the API with a deadline (the job is event-driven, this only observes it).
  const deadline = Date.now() + 10_000;
  let project = res.body.project;
  while (!project.summary && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    project = (await call('GET', `/api/projects/${project.id}`)).body.project;
  }
  assert.ok(project.summary, 'the worker wrote a summary within 10 s');
  assert.equal(project.summary.wordCount, expected.wordCount);
  assert.equal(project.summary.uniqueWords, expected.uniqueWords);
  assert.deepEqual(project.summary.topWords, expected.topWords);
  assert.equal(project.summary.computedBy, 'summary-worker');
});
