/**
 * `factory validate` through the real binary: the answers it gives before any browser starts —
 * no instance, unknown scenario, no match for --feature, no scenarios at all — with their exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFactory } from '../helpers/cli.js';

const CONTRACT = `name: shop
ports: [web]
services:
  web:
    command: [node, -e, "require('http').createServer((q, s) => s.end('ok')).listen(process.env.WEB_PORT)"]
    port: web
    url: http://127.0.0.1:\${WEB_PORT}
validation:
  browser:
    start_url: http://127.0.0.1:\${WEB_PORT}/
  scenarios:
    - name: create-item
      description: Create an item and see it in the list
      steps:
        - expect: { text: ok }
    - name: checkout
      steps:
        - expect: { text: ok }
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-validate-cmd-'));
  writeFileSync(join(dir, 'factory.yaml'), CONTRACT);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('factory validate (before the browser)', () => {
  it('says the instance is not running and offers factory start, with exit code 3', async () => {
    const r = await runFactory(['validate', '--worktree-id', 'wt-x'], { cwd: dir });
    expect(r.stderr).toBe(
      'error instance "wt-x" is not running, so there is no app to validate\n  hint: start it with: factory start --worktree-id wt-x\n',
    );
    expect(r.code).toBe(3);
    expect(existsSync(join(dir, '.factory', 'artifacts'))).toBe(false);
  });

  it('reports the same as JSON', async () => {
    const r = await runFactory(['validate', '--worktree-id', 'wt-x', '--json'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({
      schemaVersion: 1,
      ok: false,
      error: {
        code: 'instance-not-running',
        hint: 'start it with: factory start --worktree-id wt-x',
        worktreeId: 'wt-x',
      },
    });
  });

  it('rejects an unknown scenario and a feature nothing matches, with exit code 2', async () => {
    const unknown = await runFactory(['validate', '--scenario', 'checkuot', '--worktree-id', 'wt-x'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error no scenario named "checkuot" in the contract');
    expect(unknown.stderr).toContain('hint: did you mean "checkout"?');
    const feature = await runFactory(['validate', '--feature', 'refund', '--worktree-id', 'wt-x'], { cwd: dir });
    expect(feature.code).toBe(2);
    expect(feature.stderr).toContain(`error no scenario's name or description matches the feature "refund"`);
  });

  it('asks for scenarios when the contract has none', async () => {
    writeFileSync(join(dir, 'factory.yaml'), CONTRACT.slice(0, CONTRACT.indexOf('validation:')));
    const r = await runFactory(['validate', '--worktree-id', 'wt-x'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('declares no validation scenarios');
  });
});
