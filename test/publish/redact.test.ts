import { describe, expect, test } from 'vitest';
import { createRedactor, REDACTED } from '../../src/publish/index.js';

describe('the one redaction step', () => {
  test('secret-named environment values are redacted wherever they appear', () => {
    const r = createRedactor({
      env: { DIFFIE_API_SECRET: 'a1b2c3d4e5f6', DATABASE_PASSWORD: 'hunter2hunter2', PORT: '3000', HOME: '/root' },
    });
    expect(r.knownSecrets).toBe(2);
    expect(r('the key a1b2c3d4e5f6 and hunter2hunter2 at port 3000 in /root')).toBe(
      `the key ${REDACTED} and ${REDACTED} at port 3000 in /root`,
    );
  });

  test('short values are not redacted by value (they would blank ordinary text)', () => {
    const r = createRedactor({ env: { API_TOKEN: '1' }, secrets: ['abc'] });
    expect(r.knownSecrets).toBe(0);
    expect(r('1 abc 11')).toBe('1 abc 11');
  });

  test('a secret containing another is replaced whole', () => {
    const r = createRedactor({ secrets: ['secret-part', 'secret-part-and-more'] });
    expect(r('x secret-part-and-more y')).toBe(`x ${REDACTED} y`);
  });

  test.each([
    ['GitHub classic', `ghp_${'a'.repeat(36)}`],
    ['GitHub fine-grained', `github_pat_${'B'.repeat(22)}_${'c'.repeat(59)}`],
    ['Anthropic', `sk-ant-api03-${'x'.repeat(40)}`],
    ['OpenAI', `sk-proj-${'y'.repeat(40)}`],
    ['Slack', 'xoxb-123456789012-abcdefghijkl'],
    ['Telegram bot', `123456789:AA${'z'.repeat(33)}`],
    ['AWS key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['npm', `npm_${'n'.repeat(36)}`],
  ])('%s tokens are redacted by shape', (_name, token) => {
    const out = createRedactor()(`token is ${token}.`);
    expect(out).not.toContain(token);
    expect(out).toContain(REDACTED);
  });

  test('assignments, bearer headers and URL credentials keep their names', () => {
    const r = createRedactor();
    expect(r('Authorization: Bearer abcdefghijklmnopqrstuvwx')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(r('password=correcthorse api_key: "k3y-k3y-k3y-k3y"')).toBe(`password=${REDACTED} api_key: "${REDACTED}"`);
    expect(r('failed (password=correcthorse)')).toBe(`failed (password=${REDACTED})`);
    expect(r('postgres://app:s3cretpass@127.0.0.1:5432/app')).toBe(`postgres://app:${REDACTED}@127.0.0.1:5432/app`);
  });

  test('ordinary prose about tokens and passwords is left alone', () => {
    const text = 'The password reset flow sends a token by email; see the authentication docs.';
    expect(createRedactor()(text)).toBe(text);
  });

  test('deep() redacts every string of a JSON value and keeps its shape', () => {
    const r = createRedactor({ secrets: ['planted-secret-1'] });
    expect(r.deep({ a: ['x planted-secret-1', 3, null, { b: 'planted-secret-1' }], n: 1 })).toEqual({
      a: [`x ${REDACTED}`, 3, null, { b: REDACTED }],
      n: 1,
    });
  });
});
