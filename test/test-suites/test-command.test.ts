/**
 * `factory test` end to end with the real binary and the real runtime: suites are small shell
 * lines and node --test files; the service a suite needs is the runtime tests' controllable fake.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNothingLeft, expectSchema, makeProject, svc, until, type Project } from '../services/helpers.js';

interface SuiteJson {
  name: string;
  status: string;
  reason: string;
  exitCode: number | null;
  tests: {
    tests: number;
    passed: number;
    failed: number;
    skipped: number;
    failures: { name: string; message: string }[];
  } | null;
  reports: string[];
  log: string | null;
}
interface TestJson {
  schemaVersion: number;
  ok: boolean;
  runId: string;
  worktreeId: string;
  artifactsDir: string;
  suites: SuiteJson[];
  startedServices: string[];
  totals: { suites: number; passed: number; failed: number; tests: number; testsFailed: number };
}

const NODE_TESTS = `
import { test } from 'node:test';
import assert from 'node:assert/strict';
test('sees the instance env', () => {
  assert.equal(process.env.WORKTREE_ID, 't1');
  assert.match(process.env.WEB_URL, /^http:\\/\\/127\\.0\\.0\\.1:\\d+$/);
  assert.equal(process.env.SUITE_FLAVOUR, 'spicy');
});
test('the web service answers', async () => {
  const res = await fetch(process.env.WEB_URL + '/health');
  assert.equal(res.status, 200);
});
`;

function contract(extra = ''): string {
  return `
name: test-fixture
ports: [web]
env:
  WEB_URL: http://127.0.0.1:\${WEB_PORT}
services:
  web:
    command: ${svc('--listen', 'WEB_PORT')}
    port: web
    healthcheck: { http: "\${WEB_URL}/health", interval: 20ms }
tests:
  quick:
    command: echo quick ran for $WORKTREE_ID
  junit:
    command: node --test --test-reporter=junit --test-reporter-destination="$FACTORY_REPORT_DIR/junit.xml" --test-reporter=spec --test-reporter-destination=stdout suite/
    needs: [web]
    env: { SUITE_FLAVOUR: spicy }
  failing:
    command: [sh, -c, 'mkdir -p out && printf "%s" "<testsuite><testcase name=\\"ok\\"/><testcase name=\\"broken\\"><failure message=\\"expected 1 got 2\\"/></testcase></testsuite>" > out/r.xml; echo boom >&2; exit 3']
    reports: [out/*.xml]
  slow:
    command: sleep 30
    timeout: 300ms
  hang:
    command: [node, -e, "console.log('hanging'); setInterval(() => {}, 1000)", "\${FACTORY_ROOT}"]
    needs: [web]
${extra}`;
}

let p: Project | undefined;
afterEach(async () => {
  if (p) {
    await p.cleanup();
    await expectNothingLeft(p, ['t1']);
  }
  p = undefined;
});

function project(): Project {
  p = makeProject(contract());
  mkdirSync(join(p.dir, 'suite'));
  writeFileSync(join(p.dir, 'suite', 'env.test.mjs'), NODE_TESTS);
  return p;
}

async function testRun(
  proj: Project,
  ...args: string[]
): Promise<{ code: number | null; json: TestJson; stderr: string }> {
  const r = await proj.run(['test', '--worktree-id', 't1', '--json', ...args], { timeoutMs: 90_000 });
  const json = JSON.parse(r.stdout) as TestJson;
  expectSchema('test', json);
  return { code: r.code, json, stderr: r.stderr };
}

describe('factory test', () => {
  it('runs a suite that needs no service, keeps its output under the run id, exits 0', async () => {
    const proj = project();
    const { code, json } = await testRun(proj, 'quick');
    expect(code).toBe(0);
    expect(json).toMatchObject({ schemaVersion: 1, ok: true, worktreeId: 't1', startedServices: [] });
    expect(json.runId).toMatch(/^test-t1-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    expect(json.artifactsDir).toBe(join(proj.dir, '.factory', 'artifacts', json.runId));
    expect(json.suites).toEqual([
      expect.objectContaining({ name: 'quick', status: 'passed', reason: 'exited 0', exitCode: 0, tests: null }),
    ]);
    expect(readFileSync(join(json.artifactsDir, 'quick', 'output.log'), 'utf8')).toBe('quick ran for t1\n');
    expect(JSON.parse(readFileSync(join(json.artifactsDir, 'summary.json'), 'utf8'))).toEqual(json);
  });

  it('starts the services a suite needs, gives it the instance env and a report dir, then stops what it started', async () => {
    const proj = project();
    const { code, json } = await testRun(proj, 'junit');
    expect(code).toBe(0);
    expect(json.startedServices).toEqual(['web']);
    const suite = json.suites[0];
    expect(suite).toMatchObject({ name: 'junit', status: 'passed', reason: '2 passed, 0 skipped' });
    expect(suite?.tests).toMatchObject({ tests: 2, passed: 2, failed: 0 });
    expect(suite?.reports).toEqual([join(json.artifactsDir, 'junit', 'junit.xml')]);
    const status = JSON.parse((await proj.run(['status', '--worktree-id', 't1', '--json'])).stdout) as {
      running: boolean;
    };
    expect(status.running).toBe(false);
  });

  it('uses a running instance and leaves it running', async () => {
    const proj = project();
    expect((await proj.run(['start', '--worktree-id', 't1'])).code).toBe(0);
    const { code, json } = await testRun(proj, 'junit');
    expect(code).toBe(0);
    expect(json.startedServices).toEqual([]);
    const status = JSON.parse((await proj.run(['status', '--worktree-id', 't1', '--json'])).stdout) as {
      running: boolean;
    };
    expect(status.running).toBe(true);
    expect((await proj.run(['stop', '--worktree-id', 't1'])).code).toBe(0);
  });

  it('runs every suite, reports failures with their tests and copied reports, and exits 1', async () => {
    const proj = project();
    const { code, json } = await testRun(proj, 'failing', 'slow', 'quick');
    expect(code).toBe(1);
    expect(json.ok).toBe(false);
    expect(json.suites.map((s) => [s.name, s.status])).toEqual([
      ['failing', 'failed'],
      ['slow', 'timed-out'],
      ['quick', 'passed'],
    ]);
    const failing = json.suites[0];
    expect(failing?.reason).toBe('1 of 2 tests failed');
    expect(failing?.exitCode).toBe(3);
    expect(failing?.tests?.failures).toEqual([{ name: 'broken', message: 'expected 1 got 2' }]);
    expect(failing?.reports).toEqual([join(json.artifactsDir, 'failing', 'r.xml')]);
    expect(readFileSync(failing?.log ?? '', 'utf8')).toContain('boom');
    expect(json.suites[1]?.reason).toBe('timed out after 300 ms');
    expect(json.totals).toEqual({ suites: 3, passed: 1, failed: 2, tests: 2, testsFailed: 1 });

    const human = await proj.run(['test', '--worktree-id', 't1', 'failing']);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('✗ failing 1 of 2 tests failed');
    expect(human.stderr).toContain('• broken — expected 1 got 2');
    expect(human.stdout).toContain('tests failed: 0 of 1 suites passed, 2 tests (1 failed)');
  });

  it('on Ctrl-C stops the running suite and the services it started, and exits 130', async () => {
    const proj = project();
    const child = proj.spawn(['test', '--worktree-id', 't1', 'hang']);
    await until('the suite to be running', () => child.err().includes('hanging'), 60_000);
    child.kill('SIGINT');
    expect(await child.done).toBe(130);
    const status = JSON.parse((await proj.run(['status', '--worktree-id', 't1', '--json'])).stdout) as {
      running: boolean;
    };
    expect(status.running).toBe(false);
    await expectNothingLeft(proj, ['t1']);
  });

  it('names an unknown suite with a suggestion (exit 2) and creates no run', async () => {
    const proj = project();
    const r = await proj.run(['test', '--worktree-id', 't1', 'junt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no test suite named "junt"');
    expect(r.stderr).toContain('did you mean "junit"?');
    expect(existsSync(join(proj.dir, '.factory', 'artifacts'))).toBe(false);
  });

  it('fails with exit 3 and stops everything when a needed service cannot start', async () => {
    p = makeProject(
      contract()
        .replace(svc('--listen', 'WEB_PORT'), svc('--exit', '4'))
        .replace(
          'healthcheck: { http: "${WEB_URL}/health", interval: 20ms }',
          'healthcheck: { http: "${WEB_URL}/health", interval: 20ms, startup_timeout: 5s }',
        ),
    );
    const r = await p.run(['test', '--worktree-id', 't1', 'junit'], { timeoutMs: 90_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('could not start web for the tests');
    const status = JSON.parse((await p.run(['status', '--worktree-id', 't1', '--json'])).stdout) as {
      running: boolean;
    };
    expect(status.running).toBe(false);
  });
});
