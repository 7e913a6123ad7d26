/**
 * `factory doctor`, the built binary with PATH manipulations: a PATH that holds only some tools
 * hides the others, and fake tools (small scripts) stand in for broken ones. Each needed check that
 * is not ok names the exact fix and makes doctor exit 3; with everything there it exits 0. Its own
 * machine state dir, so the lease-registry check sees only what this file does.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { FAKE_AGENT } from '../agent-loop/helpers.js';
import { runFactory } from '../helpers/cli.js';
import { expectSchema } from '../services/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'factory-doctor-'));
const state = join(root, 'state');
const project = join(root, 'project');

interface Check {
  id: string;
  status: string;
  needed: boolean;
  fix: string | null;
  detail: string;
}

/** A bin dir with these host tools linked in, and these scripts written. */
function binDir(name: string, tools: string[], scripts: Record<string, string> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const t of tools) symlinkSync(t.startsWith('/') ? t : `/usr/bin/${t}`, join(dir, t.split('/').pop() as string));
  for (const [n, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, n), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

async function doctor(path: string, args: string[] = [], env: Record<string, string> = {}) {
  const r = await runFactory(['doctor', '--json', ...args], {
    cwd: project,
    env: { PATH: path, FACTORY_STATE_HOME: state, ...env },
    timeoutMs: 90_000,
  });
  const out = JSON.parse(r.stdout);
  expectSchema('doctor', out);
  const by: Record<string, Check | undefined> = Object.fromEntries((out.checks as Check[]).map((c) => [c.id, c]));
  return { code: r.code, out, by, stderr: r.stderr };
}

const CONTRACT = `name: doc
ports: [db, web]
services:
  db:
    command: [pg_ctl, -D, data, start]
    port: db
  web:
    command: [node, -e, "0"]
    port: web
  cache:
    type: compose
    compose_file: compose.yaml
    service: redis
validation:
  browser: { start_url: "http://127.0.0.1:\${WEB_PORT}/" }
  scenarios:
    - name: home
      steps: [{ wait_for: { text: hi } }]
`;

beforeAll(() => {
  mkdirSync(project);
  writeFileSync(join(project, 'factory.yaml'), CONTRACT);
  writeFileSync(join(project, 'compose.yaml'), 'services:\n  redis:\n    image: redis\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('factory doctor', { timeout: 120_000 }, () => {
  it('with PATH hiding every tool: each needed one is missing with its install command, exit 3', async () => {
    const empty = binDir('empty', []);
    const { code, out, by } = await doctor(empty, ['--sandbox', 'podman', '--agent', 'codex'], {
      FACTORY_CHROMIUM: '',
    });
    expect(code).toBe(3);
    expect(out.ok).toBe(false);
    expect(out.contractFile).toBe(join(project, 'factory.yaml'));
    expect(by.contract).toMatchObject({ status: 'ok', needed: true });
    expect(by.node).toMatchObject({ status: 'ok', needed: true });
    expect(by.git).toMatchObject({ status: 'missing', needed: true, fix: 'apt-get install -y git' });
    expect(by.ffmpeg).toMatchObject({ status: 'missing', needed: true, fix: 'apt-get install -y ffmpeg' });
    expect(by.podman).toMatchObject({ status: 'missing', needed: true, fix: 'apt-get install -y podman runc' });
    expect(by.bwrap).toMatchObject({ status: 'missing', needed: false, fix: 'apt-get install -y bubblewrap' });
    expect(by.compose).toMatchObject({ status: 'missing', needed: true });
    expect(by.compose?.fix).toContain('apt-get install --no-install-recommends docker-compose');
    expect(by['agent:codex']).toMatchObject({ status: 'missing', needed: true, fix: 'npm install -g @openai/codex' });
    expect(by['agent:claude-code']).toMatchObject({ status: 'missing', needed: false });
    expect(by.leases).toMatchObject({ status: 'ok', needed: true });
    // Debian keeps PostgreSQL's server binaries off PATH; doctor finds them where the contract would.
    expect(by.postgresql?.needed).toBe(true);
  });

  it('the human rendering: one line per check, the fix under each that is not ok', async () => {
    const empty = binDir('empty2', []);
    const r = await runFactory(['doctor'], { cwd: project, env: { PATH: empty, FACTORY_STATE_HOME: state } });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^missing git +git is not on PATH\n +fix: apt-get install -y git$/m);
    expect(r.stdout).toMatch(/^ok {6}node +node \d+\.\d+\.\d+/m);
    expect(r.stdout).toMatch(/needed check\(s\) not ok\n$/);
  });

  it('hides only bwrap: missing and needed (the agent loop default); --sandbox none makes it optional', async () => {
    const path = binDir('no-bwrap', ['git', 'ffmpeg', 'ffprobe', 'cat']);
    const bw = await doctor(path);
    expect(bw.by.bwrap).toMatchObject({ status: 'missing', needed: true, fix: 'apt-get install -y bubblewrap' });
    expect(bw.by.git?.status).toBe('ok');
    expect(bw.code).toBe(3);
    const none = await doctor(path, ['--sandbox', 'none']);
    expect(none.by.bwrap).toMatchObject({ status: 'missing', needed: false });
  });

  it('a bwrap that cannot sandbox, or that keeps capabilities, is broken with the fix', async () => {
    const fails = binDir('bwrap-fails', ['cat'], {
      bwrap:
        'if [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi\necho "bwrap: No permissions to creating new namespace" >&2\nexit 1',
    });
    expect((await doctor(fails)).by.bwrap).toMatchObject({
      status: 'broken',
      needed: true,
      detail: 'bwrap cannot create a sandbox here: bwrap: No permissions to creating new namespace',
      fix: 'sysctl -w kernel.unprivileged_userns_clone=1   (or run factory as root)',
    });
    // Runs the command without a sandbox at all: as root, every capability stays.
    const leaky = binDir('bwrap-leaky', ['cat'], {
      bwrap:
        'if [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"',
    });
    const b = (await doctor(leaky)).by.bwrap;
    expect(b?.status).toBe(process.getuid?.() === 0 ? 'broken' : 'ok');
    if (b?.status === 'broken') expect(b.detail).toMatch(/kept capabilities \(CapEff:\s+[0-9a-f]*[1-9a-f][0-9a-f]*\)/);
  });

  it('Chromium: an override that points nowhere or a binary that fails is broken; none at all is missing', async () => {
    const path = binDir('chromium', ['git', 'ffmpeg', 'ffprobe', 'cat'], {
      'bad-chromium': 'echo "cannot open display" >&2; exit 1',
    });
    const gone = await doctor(path, [], { FACTORY_CHROMIUM: join(root, 'nowhere') });
    expect(gone.by.chromium).toMatchObject({
      status: 'broken',
      needed: true,
      fix: 'unset FACTORY_CHROMIUM, or point it at a Chromium/Chrome binary',
    });
    const bad = await doctor(path, [], { FACTORY_CHROMIUM: join(path, 'bad-chromium') });
    expect(bad.by.chromium).toMatchObject({ status: 'broken', fix: 'apt-get install --reinstall -y chromium' });
    expect(bad.by.chromium?.detail).toContain('--version failed: cannot open display');
    // The system locations validation looks in, replaced by none: only PATH is left, and it has none.
    const missing = await runDoctor({
      cwd: project,
      env: { PATH: path, FACTORY_STATE_HOME: state },
      chromiumCandidates: [],
    });
    expect(missing.checks.find((c) => c.id === 'chromium')).toMatchObject({
      status: 'missing',
      needed: true,
      fix: 'apt-get install -y chromium',
    });
  });

  it('agent CLIs: installed and logged in is ok; logged out is broken with the login command', async () => {
    const path = binDir('agents', ['git', 'cat', 'env'], {});
    symlinkSync(FAKE_AGENT, join(path, 'codex'));
    symlinkSync(FAKE_AGENT, join(path, 'claude'));
    symlinkSync(process.execPath, join(path, 'node'));
    const inOk = await doctor(path, ['--agent', 'codex', '--agent', 'claude-code', '--sandbox', 'none']);
    expect(inOk.by['agent:codex']).toMatchObject({ status: 'ok', needed: true, fix: null });
    expect(inOk.by['agent:claude-code']).toMatchObject({ status: 'ok', needed: true });
    const out = await doctor(path, ['--agent', 'codex'], { FAKE_AGENT_LOGGED_OUT: '1' });
    expect(out.by['agent:codex']).toMatchObject({
      status: 'broken',
      needed: true,
      fix: 'run `codex login` (or set CODEX_API_KEY)',
    });
    expect(out.code).toBe(3);
  });

  it('a lease registry that does not parse is broken, with the command that sets it aside', async () => {
    const own = join(root, 'state-broken');
    mkdirSync(own);
    writeFileSync(join(own, 'leases.json'), '{ not json');
    const r = await doctor(process.env.PATH ?? '', ['--sandbox', 'none'], { FACTORY_STATE_HOME: own });
    expect(r.by.leases).toMatchObject({
      status: 'broken',
      needed: true,
      fix: `mv ${own}/leases.json ${own}/leases.json.broken   (factory writes a fresh one; running instances re-lease on their next start)`,
    });
  });

  it('everything a contract without compose and PostgreSQL needs is here: exit 0', async () => {
    const plain = join(root, 'plain');
    mkdirSync(plain);
    writeFileSync(
      join(plain, 'factory.yaml'),
      'name: plain\nports: [web]\nservices:\n  web: { command: [node, -e, "0"], port: web }\nvalidation:\n  browser: { start_url: "http://127.0.0.1:${WEB_PORT}/" }\n  scenarios: [{ name: home, steps: [{ wait_for: { text: hi } }] }]\n',
    );
    const r = await runFactory(['doctor', '--json'], { cwd: plain, env: { FACTORY_STATE_HOME: state } });
    const out = JSON.parse(r.stdout);
    const bad = (out.checks as Check[]).filter((c) => c.needed && c.status !== 'ok');
    expect(bad).toEqual([]);
    expect(r.code).toBe(0);
    expect(out.ok).toBe(true);
    expect(out.checks.find((c: Check) => c.id === 'chromium')).toMatchObject({ status: 'ok', needed: true });
  });

  it('an invalid contract is a broken, needed check pointing at factory check', async () => {
    const badDir = join(root, 'bad');
    mkdirSync(badDir);
    writeFileSync(join(badDir, 'factory.yaml'), 'name: bad\nservices:\n  web: { command: [x], depends_on: [nope] }\n');
    const r = await runFactory(['doctor', '--json', '--sandbox', 'none'], {
      cwd: badDir,
      env: { FACTORY_STATE_HOME: state },
    });
    const out = JSON.parse(r.stdout);
    expect(out.checks[0]).toMatchObject({ id: 'contract', status: 'broken', needed: true });
    expect(out.checks[0].fix).toBe('factory check   (shows each problem with its line)');
    expect(r.code).toBe(3);
  });

  it('bad flags: unknown agent or sandbox exit 2', async () => {
    const r = await runFactory(['doctor', '--agent', 'gpt'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error unknown agent "gpt"');
    const s = await runFactory(['doctor', '--sandbox', 'vm'], { cwd: project });
    expect(s.code).toBe(2);
  });
});
