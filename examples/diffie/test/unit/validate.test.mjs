import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../../lib/http.mjs';
import { MAX_NAME, projectId, projectInput } from '../../lib/validate.mjs';
import { realtimeToken } from '../../lib/token.mjs';

const rejects = (fn, message) =>
  assert.throws(fn, (error) => error instanceof HttpError && error.status === 400 && error.message.includes(message));

test('a new project needs a name; the description defaults to empty', () => {
  assert.deepEqual(projectInput({ name: '  Site  ' }), { name: 'Site', description: '' });
  rejects(() => projectInput({}), 'name is required');
  rejects(() => projectInput({ name: '   ' }), 'name is required');
  rejects(() => projectInput({ name: 'x'.repeat(MAX_NAME + 1) }), 'longer than');
  rejects(() => projectInput([]), 'JSON object');
  rejects(() => projectInput({ name: 'a', description: 7 }), 'description must be a string');
});

test('an update takes any subset of fields but not none', () => {
  assert.deepEqual(projectInput({ description: 'new' }, { partial: true }), { description: 'new' });
  rejects(() => projectInput({}, { partial: true }), 'nothing to update');
});

test('project ids are positive integers; anything else is a 404', () => {
  assert.equal(projectId('42'), '42');
  for (const bad of ['0', '-1', 'abc', '1.5', '01', '9'.repeat(19)]) {
    assert.throws(
      () => projectId(bad),
      (error) => error instanceof HttpError && error.status === 404,
      bad,
    );
  }
});

test('realtime tokens differ per instance and per secret, and are stable', () => {
  const a = realtimeToken('s3cret', 'a');
  assert.equal(a, realtimeToken('s3cret', 'a'));
  assert.notEqual(a, realtimeToken('s3cret', 'b'));
  assert.notEqual(a, realtimeToken('other', 'a'));
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
});
