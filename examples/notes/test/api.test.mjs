// The notes API against the instance's own database (API_URL from `factory test`).
import assert from 'node:assert/strict';
import { test } from 'node:test';

const api = process.env.API_URL;

test('a note that is posted is listed', async () => {
  const text = `note ${process.pid} ${Date.now()}`;
  const created = await fetch(`${api}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  assert.equal(created.status, 201);
  const notes = await (await fetch(`${api}/notes`)).json();
  assert.ok(notes.some((n) => n.text === text));
});

test('an empty note is refused', async () => {
  const res = await fetch(`${api}/notes`, { method: 'POST', body: JSON.stringify({ text: ' ' }) });
  assert.equal(res.status, 400);
});
