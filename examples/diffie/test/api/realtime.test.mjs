import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, realtimeClient, token } from './helpers.mjs';

test('a client with the instance token is told about a new project and then its summary', async () => {
  const client = await realtimeClient();
  try {
    await client.next((m) => m.type === 'hello' && m.listening === true);
    const res = await call('POST', '/api/projects', { name: 'Live', description: 'pushed over websockets' });
    assert.equal(res.status, 201);
    const id = Number(res.body.project.id);
    const insert = await client.next((m) => m.type === 'change' && m.table === 'projects' && m.projectId === id);
    assert.equal(insert.op, 'insert');
    await client.next((m) => m.type === 'change' && m.table === 'project_summaries' && m.projectId === id);
    const got = await call('GET', `/api/projects/${id}`);
    assert.equal(got.body.project.summary.wordCount, 4);
    await call('DELETE', `/api/projects/${id}`);
    await client.next((m) => m.type === 'change' && m.op === 'delete' && m.projectId === id);
  } finally {
    client.close();
  }
});

test('a wrong or missing token is refused before the upgrade', async () => {
  await assert.rejects(realtimeClient('not-the-token'), (error) => error.status === 401);
  await assert.rejects(realtimeClient(''), (error) => error.status === 401);
  assert.ok(token().length > 0);
});
