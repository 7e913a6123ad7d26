/**
 * `factory validate` end to end: the real binary against instances the real `factory start` runs
 * (a small web app as the service), with real Chromium and ffmpeg. Passing, failing and unreachable
 * scenarios, --json against its schema, and two instances validated at once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runFactory } from '../helpers/cli.js';
import { ValidationReportSchema } from '../../src/validation/schema.js';
import type { ValidationReport } from '../../src/validation/types.js';
import { pngSize } from './helpers.js';

const APP = join(REPO_ROOT, 'test', 'fixtures', 'validation', 'app.mjs');

const CONTRACT = `name: shop
ports: [web, dead]
env:
  WEB_URL: http://127.0.0.1:\${WEB_PORT}/
services:
  web:
    command: [node, ${JSON.stringify(APP)}]
    port: web
    healthcheck: { http: "\${WEB_URL}api/items", interval: 20ms }
    url: \${WEB_URL}
validation:
  browser:
    start_url: \${WEB_URL}
  scenarios:
    - name: create-item
      description: Create an item and see it arrive in the list
      steps:
        - wait_for: { text: live, timeout: 10s }
        - fill: { selector: "#name", value: "Item of \${WORKTREE_ID}" }
        - click: "#create"
        - wait_for: { text: "Item of \${WORKTREE_ID}", timeout: 10s }
        - screenshot: created
    - name: delete-item
      description: Delete an item (the app cannot, yet)
      timeout: 5s
      steps:
        - wait_for: { text: live, timeout: 10s }
        - click: "#delete"
    - name: offline
      start_url: http://127.0.0.1:\${DEAD_PORT}/
      steps:
        - expect: { text: anything }
`;

let dir: string;
const started: string[] = [];
const factory = (args: string[]) => runFactory(args, { cwd: dir, timeoutMs: 120_000 });

async function start(id: string): Promise<void> {
  started.push(id);
  const r = await factory(['start', '--worktree-id', id]);
  if (r.code !== 0) throw new Error(`factory start ${id} failed (${r.code}): ${r.stderr}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'factory-validate-e2e-'));
  writeFileSync(join(dir, 'factory.yaml'), CONTRACT);
  await start('wt-a');
  await start('wt-b');
}, 120_000);

afterAll(async () => {
  for (const id of started) await factory(['stop', '--worktree-id', id]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

const validate = new Ajv({ strict: false }).compile(ValidationReportSchema);

describe('factory validate against a running instance', { timeout: 120_000 }, () => {
  it('passes a scenario that creates an item, and prints where the evidence is', async () => {
    const r = await factory(['validate', '--worktree-id', 'wt-a', '--scenario', 'create-item']);
    expect(r.stderr).toContain('4 wait_for text "Item of wt-a"');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ create-item /);
    expect(r.stdout).toContain('1/1 scenarios passed');
    const reportPath = /report: (\S+)/.exec(r.stdout)?.[1];
    expect(reportPath).toMatch(/^\.factory\/artifacts\/validate-wt-a-\d{8}T\d{9}Z-[0-9a-f]{4}\/report\.html$/);
    expect(existsSync(join(dir, reportPath!))).toBe(true);
  });

  it('prints the report as JSON (matching its schema), with the --feature that picked the scenarios', async () => {
    const r = await factory(['validate', '--worktree-id', 'wt-a', '--feature', 'create item', '--json', '--mp4']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ValidationReport & { schemaVersion: number };
    if (!validate(report)) throw new Error(JSON.stringify(validate.errors));
    expect(report.feature).toBe('create item');
    expect(report.scenarios.map((s) => s.name)).toEqual(['create-item']);
    const s = report.scenarios[0]!;
    expect(s.steps.at(-1)).toMatchObject({ action: 'screenshot', status: 'passed' });
    expect(pngSize(join(report.runDir, s.screenshots[0]!))).toEqual({ width: 1280, height: 720 });
    expect(s.video!.frames).toBeGreaterThan(10);
    expect(s.video!.mp4).toBe('01-create-item/video.mp4');
    expect(existsSync(join(report.runDir, s.video!.mp4!))).toBe(true);
  });

  it('fails with the step, the expectation, what was seen and the failure screenshot', async () => {
    const r = await factory(['validate', '--worktree-id', 'wt-a', '--scenario', 'delete-item']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^✗ delete-item /);
    expect(lines[1]).toBe('    failed at step 2 (click #delete)');
    expect(lines[2]).toBe('    expected one visible, enabled element matching #delete to click');
    expect(lines[3]).toMatch(/^ {4}seen {5}no element matches #delete on http:\/\/127\.0\.0\.1:\d+\/$/);
    const shot = /^ {4}screenshot (\S+)$/.exec(lines[4] ?? '')?.[1];
    expect(shot).toMatch(/\/01-delete-item\/failure\.png$/);
    expect(pngSize(join(dir, shot!))).toEqual({ width: 1280, height: 720 });
    expect(r.stdout).toContain('1 of 1 scenarios failed');
  });

  it('says the start URL does not answer instead of timing out, with exit code 3', async () => {
    const r = await factory(['validate', '--worktree-id', 'wt-a', '--scenario', 'offline']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^error the instance's start URL http:\/\/127\.0\.0\.1:\d+\/ does not answer \(ECONNREFUSED\)\n/,
    );
    expect(r.stderr).toContain(
      'hint: check "factory status --worktree-id wt-a"; if it is down, start it with: factory start --worktree-id wt-a',
    );
  });

  it('tells a stopped instance from one whose supervisor died', async () => {
    await start('wt-c');
    expect((await factory(['stop', '--worktree-id', 'wt-c'])).code).toBe(0);
    const stopped = await factory(['validate', '--worktree-id', 'wt-c']);
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toContain('error instance "wt-c" is not running (stopped), so there is no app to validate');

    await start('wt-c');
    const status = JSON.parse((await factory(['status', '--worktree-id', 'wt-c', '--json'])).stdout) as {
      supervisor: { pid: number };
    };
    process.kill(status.supervisor.pid, 'SIGKILL');
    await expect
      .poll(async () => (await factory(['validate', '--worktree-id', 'wt-c'])).stderr)
      .toContain('error instance "wt-c" is not running (its supervisor died), so there is no app to validate');
    const died = await factory(['validate', '--worktree-id', 'wt-c']);
    expect(died.code).toBe(3);
    expect(died.stderr).toContain(
      'hint: clean up and restart: factory stop --worktree-id wt-c && factory start --worktree-id wt-c',
    );
  });

  it('validates two instances at once into separate run directories', async () => {
    const [a, b] = await Promise.all(
      ['wt-a', 'wt-b'].map((id) => factory(['validate', '--worktree-id', id, '--scenario', 'create-item', '--json'])),
    );
    const ra = JSON.parse(a!.stdout) as ValidationReport;
    const rb = JSON.parse(b!.stdout) as ValidationReport;
    expect([a!.code, b!.code]).toEqual([0, 0]);
    expect(ra.runDir).not.toBe(rb.runDir);
    expect(ra.urls.web).not.toBe(rb.urls.web);
    for (const [r, id] of [
      [ra, 'wt-a'],
      [rb, 'wt-b'],
    ] as const) {
      expect(r.runId.startsWith(`validate-${id}-`)).toBe(true);
      const manifest = JSON.parse(readFileSync(join(r.runDir, 'manifest.json'), 'utf8')) as ValidationReport;
      expect(manifest.scenarios[0]!.steps.find((s) => s.action === 'fill')?.target).toBe(`#name ← "Item of ${id}"`);
    }
  });
});
