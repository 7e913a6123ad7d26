import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { docker } from '../../src/sandboxes/providers/docker.js';
import { podman } from '../../src/sandboxes/providers/podman.js';
import { sandboxProviderByName } from '../../src/sandboxes/index.js';
import { createSandbox } from '../../src/sandboxes/sandbox.js';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import type { Sandbox, SandboxProvider } from '../../src/sandboxes/types.js';
import { gitIn, makeRepo, survivorsAfter, uniqueSleepSeconds, type TempRepo } from './helpers.js';

/**
 * Container providers run for real only where an engine works. Here: no Docker engine; podman
 * works with the MACHINE-NOTES recipe (runc, cgroupfs, no default ulimits, and a read-only bind
 * of / as --rootfs since no image can be pulled). Anything missing → skipped with the reason.
 */

const cleanups: Array<() => void> = [];

function isMountPoint(path: string): boolean {
  try {
    execFileSync('mountpoint', ['-q', path], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

async function preparePodman(): Promise<
  { provider: SandboxProvider; rootfs: string; conf: string } | { reason: string }
> {
  try {
    execFileSync('podman', ['--version'], { stdio: 'pipe' });
  } catch {
    return { reason: 'podman is not installed (apt-get install podman runc)' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'factory-podman-'));
  const rootfs = join(dir, 'rootfs');
  // Cleanups run in reverse: unmount first, and never recurse into a still-mounted host root.
  cleanups.push(() => {
    if (!isMountPoint(rootfs)) rmSync(dir, { recursive: true, force: true });
  });
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n');
  execFileSync('mkdir', ['-p', rootfs]);
  try {
    // A non-recursive read-only bind of / : the host's tools as the container's root filesystem.
    execFileSync('mount', ['--bind', '/', rootfs], { stdio: 'pipe' });
    cleanups.push(() => execFileSync('umount', [rootfs], { stdio: 'pipe' }));
    execFileSync('mount', ['-o', 'remount,bind,ro', rootfs], { stdio: 'pipe' });
  } catch (error) {
    return { reason: `cannot bind-mount / for podman --rootfs: ${(error as Error).message.split('\n')[0]}` };
  }
  const provider = podman({ rootfs, init: false, clientEnv: { CONTAINERS_CONF: conf } });
  const available = await provider.available();
  if (!available.ok) return { reason: available.reason };
  return { provider, rootfs, conf };
}

function runCleanups(): void {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
}

const podmanSetup = await preparePodman();
if ('reason' in podmanSetup) runCleanups();
const dockerAvailable = await docker().available();
if ('reason' in podmanSetup) console.warn(`[skip] podman sandbox tests: ${podmanSetup.reason}`);
if (!dockerAvailable.ok) console.warn(`[skip] docker sandbox tests: ${dockerAvailable.reason}`);

afterAll(runCleanups);

let repo: TempRepo | undefined;
const open: Sandbox[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  repo?.cleanup();
});

function suite(name: string, getProvider: () => SandboxProvider): void {
  it(`${name}: the agent commits in its worktree; the host stays read-only; env passes by name`, async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await createSandbox({ provider: getProvider(), worktree: wt, env: { TOKEN: 'secret-value' } });
    open.push(sandbox);
    const result = await sandbox.exec([
      'sh',
      '-c',
      'echo "$TOKEN" > t.txt && git add t.txt && git commit -q -m from-container && touch /etc/x 2>/dev/null; echo rc=$?; git update-ref refs/heads/main HEAD 2>/dev/null; echo main=$?',
    ]);
    expect(result.stdout).toBe('rc=1\nmain=128\n');
    expect(await wt.finish()).toMatchObject({ kind: 'merged', commits: [{ subject: 'from-container' }] });
    expect(repo.read('t.txt')).toBe('secret-value\n');
    expect(existsSync('/etc/x')).toBe(false);
    expect(gitIn(repo.root, 'fsck', '--strict')).toBe('');
  });

  it(`${name}: abort removes the container and leaves no process`, async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await createSandbox({ provider: getProvider(), worktree: wt });
    open.push(sandbox);
    const n = uniqueSleepSeconds();
    const controller = new AbortController();
    const result = await sandbox.exec(['sh', '-c', `sleep ${n} & echo up; wait`], {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    expect(result.aborted).toBe(true);
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });
}

describe.skipIf('reason' in podmanSetup)('podman (real)', () => {
  const setup = podmanSetup as { provider: SandboxProvider; rootfs: string; conf: string };
  suite('podman', () => setup.provider);

  it('podman by --sandbox name, configured from the environment', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const saved = process.env.CONTAINERS_CONF;
    process.env.CONTAINERS_CONF = setup.conf;
    try {
      const provider = sandboxProviderByName('podman', { FACTORY_PODMAN_ROOTFS: setup.rootfs });
      const sandbox = await createSandbox({ provider, worktree: wt });
      open.push(sandbox);
      expect(await sandbox.exec(['sh', '-c', 'pwd'])).toMatchObject({ exitCode: 0, stdout: `${wt.path}\n` });
    } finally {
      if (saved === undefined) delete process.env.CONTAINERS_CONF;
      else process.env.CONTAINERS_CONF = saved;
    }
  });
});

describe.skipIf(!dockerAvailable.ok)('docker (real)', () => {
  suite('docker', () => docker());
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
});
