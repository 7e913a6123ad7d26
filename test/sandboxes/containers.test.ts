/**
 * The container sandbox providers, run for real (never skipped: scripts/ensure-system.sh installs
 * podman) on a private engine (test/helpers/engine.ts):
 *   - podman: the podman CLI with a read-only bind of the host's / as `--rootfs` (no registry);
 *   - docker: the docker client through podman's Docker API socket, with a 2 MB busybox image and
 *     the host's /usr mounted read-only (git, node).
 * Both run the fake agent (it edits and commits in its worktree), and the escape attempts the bwrap
 * tests make fail here too: write the host, read the home, remount, write the main repo's
 * .git/config. `--network none`, host networking and published ports behave as documented.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claudeCode } from '../../src/agent-loop/providers/claude-code.js';
import { run } from '../../src/agent-loop/run.js';
import { docker } from '../../src/sandboxes/providers/docker.js';
import { podman } from '../../src/sandboxes/providers/podman.js';
import { sandboxProviderByName } from '../../src/sandboxes/index.js';
import { createSandbox } from '../../src/sandboxes/sandbox.js';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import type { Mount, Sandbox, SandboxProvider } from '../../src/sandboxes/types.js';
import { FAKE_AGENT, makeRepo as makeAgentRepo, scripted, type TestRepo } from '../agent-loop/helpers.js';
import { startEngine, type Engine } from '../helpers/engine.js';
import { basePort } from '../services/helpers.js';
import { gitIn, isolateHome, makeRepo, survivorsAfter, uniqueSleepSeconds, type TempRepo } from './helpers.js';

const PUBLISHED_PORT = basePort(8);

let engine: Engine;
let rootfsDir: string;
let rootfs: string;
let home: ReturnType<typeof isolateHome>;

function isMountPoint(path: string): boolean {
  try {
    execFileSync('mountpoint', ['-q', path], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  engine = await startEngine();
  engine.baseImage();
  rootfsDir = mkdtempSync(join(tmpdir(), 'factory-rootfs-'));
  rootfs = join(rootfsDir, 'root');
  execFileSync('mkdir', ['-p', rootfs]);
  // A non-recursive read-only bind of / : the host's tools as the container's root filesystem.
  execFileSync('mount', ['--bind', '/', rootfs], { stdio: 'pipe' });
  execFileSync('mount', ['-o', 'remount,bind,ro', rootfs], { stdio: 'pipe' });
  home = isolateHome();
  writeFileSync(join(home.home, 'host-secret.txt'), 'do not read me');
}, 120_000);

afterAll(async () => {
  home?.restore();
  if (rootfs && isMountPoint(rootfs)) execFileSync('umount', [rootfs], { stdio: 'pipe' });
  // Never recurse into a still-mounted host root.
  if (rootfsDir && !isMountPoint(rootfs)) rmSync(rootfsDir, { recursive: true, force: true });
  await engine?.stop();
}, 120_000);

let repo: TempRepo | undefined;
let agentRepo: TestRepo | undefined;
const open: Sandbox[] = [];
/** Repos of sandboxFor (a test may ask for two sandboxes, each on a repo of its own). */
const sandboxRepos: TempRepo[] = [];
const stopLater: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const stop of stopLater.splice(0)) await stop();
  repo?.cleanup();
  agentRepo?.cleanup();
  for (const r of sandboxRepos.splice(0)) r.cleanup();
  repo = agentRepo = undefined;
});

interface Flavor {
  name: 'podman' | 'docker';
  provider: (extra?: { network?: { name: string }; mounts?: Mount[] }) => SandboxProvider;
  /** Mounts an image needs to see what the host has (the fake agent's code). */
  agentMounts: Mount[];
}

const flavors: Flavor[] = [
  {
    name: 'podman',
    provider: (extra = {}) =>
      podman({
        rootfs,
        clientEnv: {
          CONTAINERS_CONF: engine.env.CONTAINERS_CONF,
          CONTAINERS_STORAGE_CONF: engine.env.CONTAINERS_STORAGE_CONF,
        },
        ...extra,
      }),
    agentMounts: [],
  },
  {
    name: 'docker',
    provider: (extra = {}) =>
      docker({
        image: engine.baseImage(),
        clientEnv: { DOCKER_HOST: engine.env.DOCKER_HOST },
        ...extra,
        mounts: [{ hostPath: '/usr', sandboxPath: '/usr', readonly: true }, ...(extra.mounts ?? [])],
      }),
    agentMounts: [{ hostPath: dirname(FAKE_AGENT), sandboxPath: dirname(FAKE_AGENT), readonly: true }],
  },
];

async function sandboxFor(f: Flavor, opts: { env?: Record<string, string>; network?: 'host' | 'none' } = {}) {
  const repo = makeRepo();
  sandboxRepos.push(repo);
  const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
  const sandbox = await createSandbox({ provider: f.provider(), worktree: wt, ...opts });
  open.push(sandbox);
  return { wt, sandbox, repo };
}

const sh = (sandbox: Sandbox, script: string) => sandbox.exec(['sh', '-c', script]);

describe.each(flavors)('$name sandbox (real)', (f) => {
  it('the fake agent edits and commits in its worktree; the outer process merges it', async () => {
    agentRepo = makeAgentRepo();
    const result = await run({
      // By absolute path: an image has its own PATH (the host's is not passed in).
      agent: claudeCode(undefined, { binary: join(agentRepo.bin, 'claude') }),
      sandbox: f.provider(),
      cwd: agentRepo.repo,
      branchStrategy: { type: 'merge-to-head' },
      name: `ctr-${f.name}`,
      promptTemplate: scripted([
        { say: 'Working on it.' },
        { write: 'hello.txt', content: `hi from a ${f.name} container\n` },
        { commit: `feat: hello from ${f.name}` },
        { say: 'All done <promise>COMPLETE</promise>' },
      ]),
      env: { PATH: agentRepo.path },
      mounts: [...agentRepo.mounts, ...f.agentMounts],
    });
    expect(result.outcome).toBe('completed');
    expect(result.commits.map((c) => c.subject)).toEqual([`feat: hello from ${f.name}`]);
    expect(result.merge.kind).toBe('merged');
    expect(readFileSync(join(agentRepo.repo, 'hello.txt'), 'utf8')).toBe(`hi from a ${f.name} container\n`);
    expect(gitIn(agentRepo.repo, 'fsck', '--strict')).toBe('');
  });

  it('cannot write outside its worktree: /etc, /usr, the main working tree, other refs, .git/config', async () => {
    const { wt, sandbox, repo: r } = await sandboxFor(f);
    const mainHead = gitIn(r.root, 'rev-parse', 'main');
    const configBefore = readFileSync(join(r.root, '.git/config'), 'utf8');
    const attempts: Record<string, string> = {
      etc: 'echo x > /etc/factory-escape',
      usr: 'touch /usr/factory-probe',
      mainTree: `echo x > ${r.root}/escaped.txt`,
      mainReadme: `echo x >> ${r.root}/README.md`,
      gitConfig: `echo x >> ${r.root}/.git/config`,
      moveMain: 'git update-ref refs/heads/main HEAD~0',
      newTag: 'git tag escape',
      symlinkOut: `ln -s ${r.root}/README.md via-link && echo x >> via-link`,
      // (/etc/hostname, /etc/hosts and /etc/resolv.conf are the engine's per-container copies: writable, not the host's.)
      symlinkEtc: 'ln -sf /etc/passwd etc-link && echo x >> etc-link',
    };
    const passwd = readFileSync('/etc/passwd', 'utf8');
    for (const [name, script] of Object.entries(attempts)) {
      const result = await sh(sandbox, script);
      expect({ name, failed: result.exitCode !== 0 }).toEqual({ name, failed: true });
    }
    // What it may write: its worktree, committed on its branch.
    const ok = await sh(sandbox, 'echo mine > mine.txt && git add mine.txt && git commit -q -m mine && echo ok');
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
    expect(existsSync('/etc/factory-escape')).toBe(false);
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(passwd);
    expect(existsSync('/usr/factory-probe')).toBe(false);
    expect(existsSync(join(r.root, 'escaped.txt'))).toBe(false);
    expect(r.read('README.md')).toBe('# test repo\n');
    expect(readFileSync(join(r.root, '.git/config'), 'utf8')).toBe(configBefore);
    expect(gitIn(r.root, 'rev-parse', 'main')).toBe(mainHead);
    expect(gitIn(r.root, 'tag', '--list')).toBe('');
    expect(await wt.finish()).toMatchObject({ kind: 'merged', commits: [{ subject: 'mine' }] });
  });

  it("cannot read the host's home directories", async () => {
    const { sandbox } = await sandboxFor(f);
    const result = await sh(sandbox, `ls -A /root; ls -A /home; cat ${home.home}/host-secret.txt; echo "HOME=$HOME"`);
    expect(result.stdout).not.toContain('do not read me');
    expect(result.stdout).not.toContain('.gitconfig'); // /root/.gitconfig exists on the host
    expect(result.stdout).toContain(`HOME=${sandbox.home}`);
  });

  it('cannot remount anything: every capability is dropped although it runs as root', async () => {
    const { sandbox } = await sandboxFor(f);
    const remount = await sh(sandbox, 'mount -o remount,rw / 2>&1; echo "rc=$?"; grep CapEff /proc/self/status');
    expect(remount.stdout).toMatch(/rc=[1-9]/);
    expect(remount.stdout).toContain('CapEff:\t0000000000000000');
  });

  it('passes env by name only; host env secrets do not reach it', async () => {
    process.env.FACTORY_TEST_HOST_SECRET = 'leak';
    try {
      const { sandbox } = await sandboxFor(f, { env: { GIVEN: 'secret-value' } });
      const result = await sh(sandbox, 'echo "${FACTORY_TEST_HOST_SECRET:-none} $GIVEN"');
      expect(result.stdout).toBe('none secret-value\n');
    } finally {
      delete process.env.FACTORY_TEST_HOST_SECRET;
    }
  });

  it("network 'host' reaches the app on the host's loopback; 'none' reaches nothing", async () => {
    const server: Server = createServer((socket) => socket.end('app-says-hi\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stopLater.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const probe = `node -e "require('net').connect(${port},'127.0.0.1').on('data',d=>{process.stdout.write(d);process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(1)})"`;
    const shared = await sh((await sandboxFor(f, { network: 'host' })).sandbox, probe);
    expect(shared.stdout).toBe('app-says-hi\n');
    const isolated = await sh((await sandboxFor(f, { network: 'none' })).sandbox, probe);
    expect(isolated).toMatchObject({ exitCode: 1, stdout: 'ECONNREFUSED\n' });
  });

  it('on a named network its ports are published on the host loopback', async () => {
    const network = `factory-sbx-${f.name}-${process.pid}`;
    engine.podman(['network', 'create', network]);
    stopLater.push(() => void engine.podman(['network', 'rm', '-f', network]));
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await createSandbox({
      provider: f.provider({ network: { name: network } }),
      worktree: wt,
      ports: [PUBLISHED_PORT],
    });
    open.push(sandbox);
    const server = sandbox.spawn([
      'node',
      '-e',
      `require('http').createServer((q,s)=>s.end('from-the-sandbox')).listen(${PUBLISHED_PORT},'0.0.0.0',()=>console.log('up'))`,
    ]);
    let body = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        body = await (
          await fetch(`http://127.0.0.1:${PUBLISHED_PORT}/`, { signal: AbortSignal.timeout(2_000) })
        ).text();
        if (body) break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(body).toBe('from-the-sandbox');
    server.kill();
    expect((await server.done).aborted).toBe(true);
  });

  it('abort removes the container and leaves no process', async () => {
    const { sandbox } = await sandboxFor(f);
    const n = uniqueSleepSeconds();
    const controller = new AbortController();
    const result = await sandbox.exec(['sh', '-c', `sleep ${n} & echo up; wait`], {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    expect(result.aborted).toBe(true);
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
    expect(engine.inventory().containers).toEqual([]);
  });
});

describe('podman by --sandbox name, configured from the environment', () => {
  it('FACTORY_PODMAN_ROOTFS and CONTAINERS_CONF reach the provider', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const saved = { conf: process.env.CONTAINERS_CONF, storage: process.env.CONTAINERS_STORAGE_CONF };
    process.env.CONTAINERS_CONF = engine.env.CONTAINERS_CONF;
    process.env.CONTAINERS_STORAGE_CONF = engine.env.CONTAINERS_STORAGE_CONF;
    try {
      const provider = sandboxProviderByName('podman', { FACTORY_PODMAN_ROOTFS: rootfs });
      const sandbox = await createSandbox({ provider, worktree: wt });
      open.push(sandbox);
      expect(await sandbox.exec(['sh', '-c', 'pwd'])).toMatchObject({ exitCode: 0, stdout: `${wt.path}\n` });
    } finally {
      for (const [k, v] of [
        ['CONTAINERS_CONF', saved.conf],
        ['CONTAINERS_STORAGE_CONF', saved.storage],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('availability is reported, not thrown', () => {
  it('an engine binary that does not exist is unavailable with a reason', async () => {
    const result = await docker({ binary: 'no-such-docker-binary' }).available();
    expect(result).toEqual({ ok: false, reason: 'docker is not installed.' });
    await expect(
      createSandbox({
        provider: docker({ binary: 'no-such-docker-binary' }),
        worktree: {} as never,
      }),
    ).rejects.toMatchObject({ code: 'sandbox-unavailable', exitCode: 3 });
  });

  it('docker with no engine behind DOCKER_HOST is unavailable with the client’s reason', async () => {
    const result = await docker({
      clientEnv: { DOCKER_HOST: `unix://${join(engine.dir, 'nobody.sock')}` },
    }).available();
    expect(result.ok).toBe(false);
    expect((result as { reason: string }).reason).toMatch(/^docker engine is not usable here: .*nobody\.sock/);
  });
});
