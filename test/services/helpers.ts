/**
 * Runtime test rig: a temp project with a factory.yaml whose services are the controllable fake
 * in test/fixtures/services/svc.mjs, plus the after-test check that nothing is left behind
 * (no process of the instance, no supervisor, no listener on a leased port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import { FACTORY_BIN, REPO_ROOT, runFactory, type RunResult } from '../helpers/cli.js';
import { slotBase } from '../helpers/port-slots.js';
import { MARKER_INSTANCE } from '../../src/services/markers.js';
import { instanceKey } from '../../src/services/instance-key.js';
import { identityOf, listenersOf, processesWithEnv } from '../../src/services/proc.js';
import { type acquireLease, readLeases } from '../../src/services/leases.js';

export const SVC = join(REPO_ROOT, 'test/fixtures/services/svc.mjs');

/** `node svc.mjs …flags` as a YAML flow sequence. */
export function svc(...flags: (string | number)[]): string {
  return `[node, ${JSON.stringify(SVC)}, ${flags.map((f) => JSON.stringify(String(f))).join(', ')}]`;
}

export interface Project {
  dir: string;
  run: (args: string[], opts?: { env?: Record<string, string | undefined>; timeoutMs?: number }) => Promise<RunResult>;
  /** Start the binary without waiting (for SIGINT / racing tests). */
  spawn: (args: string[]) => ChildProcess & { out: () => string; err: () => string; done: Promise<number | null> };
  stateDir: (id: string) => string;
  cleanup: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Processes whose command line mentions `dir` (supervisors and services of this project). */
export function processesMentioning(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (cmd.includes(dir)) out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}

export function makeProject(yaml: string): Project {
  const dir = mkdtempSync(join(tmpdir(), 'factory-rt-'));
  writeFileSync(join(dir, 'factory.yaml'), yaml);
  const children: ChildProcess[] = [];
  const project: Project = {
    dir,
    run: (args, opts = {}) =>
      runFactory(args, { cwd: dir, ...(opts.env ? { env: opts.env } : {}), timeoutMs: opts.timeoutMs ?? 60_000 }),
    spawn: (args) => {
      const child = spawn(process.execPath, [FACTORY_BIN, ...args], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const done = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      return Object.assign(child, { out: () => out, err: () => err, done });
    },
    stateDir: (id) => join(dir, '.factory', 'instances', id),
    cleanup: async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      const ids = existsSync(join(dir, '.factory', 'instances')) ? readdirSync(join(dir, '.factory', 'instances')) : [];
      for (const id of ids) await runFactory(['clean', '--worktree-id', id], { cwd: dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return project;
}

/**
 * Assert nothing of the project is left: no process mentioning its dir, no marked process of any
 * of its instances, no listener on a port of its leases. Waits briefly for the kernel to finish reaping.
 */
export async function expectNothingLeft(p: Project, ids: string[]): Promise<void> {
  const keys = ids.map((id) => instanceKey(p.stateDir(id)));
  const ports = readLeases()
    .filter((l) => l.root === p.dir)
    .flatMap((l) => Array.from({ length: Math.min(l.size, 5) }, (_, i) => l.base + i));
  const deadline = Date.now() + 3_000;
  for (;;) {
    const procs = processesMentioning(p.dir);
    const marked = keys.flatMap((k) => processesWithEnv(MARKER_INSTANCE, k));
    // A listener, not merely "cannot bind": inside the kernel's ephemeral range a port can be
    // unbindable for a minute because some connection's TIME_WAIT sits on it, which is no leak.
    const busy = ports.filter((port) => listenersOf(port).length > 0);
    if ((procs.length === 0 && marked.length === 0 && busy.length === 0) || Date.now() > deadline) {
      expect({ procs, marked: marked.map((m) => m.pid), busy }).toEqual({ procs: [], marked: [], busy: [] });
      return;
    }
    await sleep(20);
  }
}

/** Wait until `cond` holds (an event we cannot subscribe to from outside), failing after `timeoutMs`. */
export async function until<T>(
  what: string | (() => string),
  fn: () => T | Promise<T>,
  timeoutMs = 45_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(delay);
    delay = Math.min(200, delay * 1.5);
  }
}

/**
 * A port base for one test file, far from other files' (the registry is shared by the whole run):
 * a block of 100 ports of the run's port window (test/helpers/port-window.ts), claimed for this
 * file while it runs (test/helpers/port-slots.ts); `slot` only tells one file's blocks apart.
 */
export function basePort(slot: number): number {
  return slotBase(slot);
}

const ajv = new Ajv({ strict: false, allErrors: true });

/** Validate a command's --json output against its published schema (schema/<name>.schema.json). */
export function expectSchema(name: string, value: unknown): void {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema', `${name}.schema.json`), 'utf8')) as object;
  const validate = ajv.compile(schema);
  const ok = validate(value);
  expect(ok ? [] : validate.errors).toEqual([]);
}

/** This process as a lease owner. */
export const me = () => identityOf(process.pid) as { pid: number; startTime: number };

/** A lease request for instance `id` of a repo at /repo (10 ports, slots 0–2), owned by this process. */
export const leaseRequest = (
  id: string,
  env: NodeJS.ProcessEnv,
  extra: Partial<Parameters<typeof acquireLease>[0]> = {},
) => ({
  root: '/repo',
  worktreeId: id,
  stateDir: `/repo/.factory/instances/${id}`,
  size: 10,
  offsets: [0, 1, 2],
  owner: me(),
  env,
  ...extra,
});
