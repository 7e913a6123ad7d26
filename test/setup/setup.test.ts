/**
 * `factory setup` end to end: the real binary in a temp project whose steps are small shell
 * commands that leave traces (counters), so each test can tell which steps really ran.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFactory } from '../helpers/cli.js';
import { expectSchema } from '../services/helpers.js';

const CONTRACT = `
name: setup-fixture
ports: [web]
env:
  GREETING: hello
  WEB_URL: http://127.0.0.1:\${WEB_PORT}
setup:
  - name: deps
    run: echo x >> deps.count && cp input.txt built.txt
    inputs: [input.txt]
    outputs: [built.txt]
  - name: vars
    run: [sh, -c, 'echo "$GREETING $WORKTREE_ID" > vars.txt; echo y >> vars.count']
    inputs: ["config/*.conf"]
    outputs: [vars.txt]
  - name: always
    run: echo z >> always.count
`;

interface StepJson {
  name: string;
  status: string;
  reason: string;
  exitCode: number | null;
  log: string | null;
  tail?: string;
}
interface SetupJson {
  schemaVersion: number;
  ok: boolean;
  worktreeId: string;
  steps: StepJson[];
  unavailableEnv: string[];
}

let dir: string;
const count = (name: string) =>
  existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).length : 0;

async function setup(...extra: string[]): Promise<{ code: number | null; json: SetupJson; stderr: string }> {
  const r = await runFactory(['setup', '--worktree-id', 'w1', '--json', ...extra], { cwd: dir });
  const json = JSON.parse(r.stdout) as SetupJson;
  expectSchema('setup', json);
  return { code: r.code, json, stderr: r.stderr };
}
const statuses = (j: SetupJson) => Object.fromEntries(j.steps.map((s) => [s.name, s.status]));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-setup-'));
  writeFileSync(join(dir, 'factory.yaml'), CONTRACT);
  writeFileSync(join(dir, 'input.txt'), 'v1\n');
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'a.conf'), 'a=1\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('factory setup', () => {
  it('runs every step once, then skips the ones whose inputs are unchanged', async () => {
    const first = await setup();
    expect(first.code).toBe(0);
    expect(first.json.schemaVersion).toBe(1);
    expect(statuses(first.json)).toEqual({ deps: 'ran', vars: 'ran', always: 'ran' });
    expect(first.json.steps[0]?.reason).toBe('never ran');
    expect(readFileSync(join(dir, 'vars.txt'), 'utf8')).toBe('hello w1\n');

    const second = await setup();
    expect(second.code).toBe(0);
    expect(statuses(second.json)).toEqual({ deps: 'skipped', vars: 'skipped', always: 'ran' });
    expect(second.json.steps[0]?.reason).toBe('inputs unchanged (1 file)');
    expect(second.json.steps[2]?.reason).toBe('no inputs declared (always runs)');
    expect([count('deps.count'), count('vars.count'), count('always.count')]).toEqual([1, 1, 2]);
  });

  it('says in plain words what it skipped', async () => {
    await setup();
    const human = await runFactory(['setup', '--worktree-id', 'w1'], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stderr).toContain('deps skipped: inputs unchanged (1 file)');
    expect(human.stdout).toMatch(/setup done for w1 in .*: 1 ran, 2 skipped/);
  });

  it('re-runs a step when an input changes, a matching file appears, or the step itself changes', async () => {
    await setup();
    writeFileSync(join(dir, 'input.txt'), 'v2\n');
    expect(statuses((await setup()).json)).toMatchObject({ deps: 'ran', vars: 'skipped' });
    expect(readFileSync(join(dir, 'built.txt'), 'utf8')).toBe('v2\n');

    writeFileSync(join(dir, 'config', 'b.conf'), 'b=2\n');
    const added = await setup();
    expect(statuses(added.json)).toMatchObject({ deps: 'skipped', vars: 'ran' });
    expect(added.json.steps[1]?.reason).toBe('inputs or definition changed');

    writeFileSync(
      join(dir, 'factory.yaml'),
      CONTRACT.replace('cp input.txt built.txt', 'cp input.txt built.txt && true'),
    );
    expect(statuses((await setup()).json)).toMatchObject({ deps: 'ran', vars: 'skipped' });
    expect([count('deps.count'), count('vars.count')]).toEqual([3, 2]);
  });

  it('fingerprints every file under a directory named as an input', async () => {
    writeFileSync(join(dir, 'factory.yaml'), CONTRACT.replace('inputs: ["config/*.conf"]', 'inputs: [config]'));
    await setup();
    expect(statuses((await setup()).json)).toMatchObject({ vars: 'skipped' });
    mkdirSync(join(dir, 'config', 'deep'));
    writeFileSync(join(dir, 'config', 'deep', 'x.txt'), 'x\n');
    const changed = await setup();
    expect(statuses(changed.json)).toMatchObject({ vars: 'ran' });
    expect(changed.json.steps[1]?.reason).toBe('inputs or definition changed');
  });

  it('re-runs a step whose declared output is missing', async () => {
    await setup();
    unlinkSync(join(dir, 'built.txt'));
    const again = await setup();
    expect(statuses(again.json)).toMatchObject({ deps: 'ran', vars: 'skipped' });
    expect(again.json.steps[0]?.reason).toBe('output missing: built.txt');
    expect(existsSync(join(dir, 'built.txt'))).toBe(true);
  });

  it('--force runs every step', async () => {
    await setup();
    expect(statuses((await setup('--force')).json)).toEqual({ deps: 'ran', vars: 'ran', always: 'ran' });
  });

  it('keeps fingerprints per instance', async () => {
    await setup();
    const other = await runFactory(['setup', '--worktree-id', 'w2', '--json'], { cwd: dir });
    const json = JSON.parse(other.stdout) as SetupJson;
    expect(json.worktreeId).toBe('w2');
    expect(statuses(json)).toEqual({ deps: 'ran', vars: 'ran', always: 'ran' });
    expect(readFileSync(join(dir, 'vars.txt'), 'utf8')).toBe('hello w2\n');
  });

  it('leaves out env entries that need a port the instance has not leased, and says so', async () => {
    const r = await setup();
    expect(r.json.unavailableEnv).toEqual(['WEB_URL']);
  });

  it('stops at a failing step: exit 1, its reason, log and output, later steps not run, no stack trace', async () => {
    writeFileSync(
      join(dir, 'factory.yaml'),
      CONTRACT.replace('cp input.txt built.txt', 'echo "cannot build, disk on fire" >&2; exit 7'),
    );
    const r = await setup();
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(statuses(r.json)).toEqual({ deps: 'failed', vars: 'not-run', always: 'not-run' });
    expect(r.json.steps[0]?.reason).toBe('exited with code 7');
    expect(r.json.steps[0]?.tail).toContain('disk on fire');
    expect(readFileSync(r.json.steps[0]?.log ?? '', 'utf8')).toContain('disk on fire');

    const human = await runFactory(['setup', '--worktree-id', 'w1'], { cwd: dir });
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('setup step "deps" failed: exited with code 7');
    expect(human.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails a step that exits 0 without producing its declared output', async () => {
    writeFileSync(join(dir, 'factory.yaml'), CONTRACT.replace('outputs: [built.txt]', 'outputs: [missing.txt]'));
    const r = await setup();
    expect(r.code).toBe(1);
    expect(r.json.steps[0]?.reason).toBe('exited 0 but did not produce its declared output missing.txt');
  });

  it('rejects an invalid worktree id as a usage error', async () => {
    const r = await runFactory(['setup', '--worktree-id', '../x'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--worktree-id must be an instance id');
    expect(r.stderr).toContain('(got "../x")');
  });
});
