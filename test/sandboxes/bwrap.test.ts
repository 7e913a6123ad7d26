import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bwrap } from '../../src/sandboxes/providers/bwrap.js';
import { createSandbox } from '../../src/sandboxes/sandbox.js';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import type { Sandbox, Worktree } from '../../src/sandboxes/types.js';
import {
  gitIn,
  isolateHome,
  makeRepo,
  pidsWithMarker,
  survivorsAfter,
  uniqueSleepSeconds,
  type TempRepo,
} from './helpers.js';

/**
 * The real isolation, run for real: these tests fail if bwrap is missing (it is part of
 * scripts/ensure-system.sh), they are never skipped.
 */

let repo: TempRepo;
let home: ReturnType<typeof isolateHome>;
const open: Sandbox[] = [];
beforeAll(() => {
  home = isolateHome();
  writeFileSync(join(home.home, 'host-secret.txt'), 'do not read me');
});
afterAll(() => home.restore());
/** Processes a test started outside a sandbox, killed even when the test fails half-way. */
const stopLater: Array<() => void> = [];
afterEach(async () => {
  for (const stop of stopLater.splice(0)) stop();
  for (const s of open.splice(0)) await s.close();
  repo?.cleanup();
});

async function sandboxOn(worktree: Worktree, network: 'host' | 'loopback' = 'host'): Promise<Sandbox> {
  const sandbox = await createSandbox({ provider: bwrap(), worktree, network });
  open.push(sandbox);
  return sandbox;
}

async function waitForFile(path: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!existsSync(path) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

const shIn = (sandbox: Sandbox, script: string) => sandbox.exec(['sh', '-c', script]);

describe('bwrap sandbox on a linked worktree', () => {
  it('the agent can edit and git commit on its branch; the outer process merges it', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: 'bw' });
    const sandbox = await sandboxOn(wt);
    const result = await shIn(
      sandbox,
      'echo from-agent > agent.txt && git add agent.txt && git commit -q -m "agent commit" && git log -1 --format=%s',
    );
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ exitCode: 0, stdout: 'agent commit\n' });
    expect(await wt.finish()).toMatchObject({ kind: 'merged', commits: [{ subject: 'agent commit' }] });
    expect(repo.read('agent.txt')).toBe('from-agent\n');
    // Identity came from env (no config anywhere names anyone here), and no config file was written.
    expect(gitIn(repo.root, 'log', '-1', '--format=%an <%ae>|%cn', 'HEAD')).toBe('factory <factory@localhost>|factory');
    expect(existsSync(join(home.home, '.gitconfig'))).toBe(false);
    expect(gitIn(repo.root, 'fsck', '--strict')).toBe('');
  });

  it('cannot write outside its worktree: /etc, the main working tree, other refs, .git/config, $HOME', async () => {
    repo = makeRepo();
    const mainHead = gitIn(repo.root, 'rev-parse', 'main');
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: 'jail' });
    const configBefore = readFileSync(join(repo.root, '.git/config'), 'utf8');
    const sandbox = await sandboxOn(wt);
    const attempts: Record<string, string> = {
      etc: 'echo x > /etc/factory-escape',
      mainTree: `echo x > ${repo.root}/escaped.txt`,
      mainReadme: `echo x >> ${repo.root}/README.md`,
      gitConfig: `echo x >> ${repo.root}/.git/config`,
      moveMain: 'git update-ref refs/heads/main HEAD~0',
      newTag: 'git tag escape',
      symlinkOut: `ln -s ${repo.root}/README.md via-link && echo x >> via-link`,
      symlinkEtc: 'ln -sf /etc/hostname etc-link && echo x > etc-link',
    };
    for (const [name, script] of Object.entries(attempts)) {
      const result = await shIn(sandbox, script);
      expect({ name, failed: result.exitCode !== 0 }).toEqual({ name, failed: true });
    }
    // Homes are behind an empty tmpfs: a write "succeeds" into that throwaway tmpfs, never the host.
    await shIn(sandbox, `echo x > ${home.home}/written.txt; echo x > /root/written.txt`);
    expect(existsSync('/etc/factory-escape')).toBe(false);
    expect(existsSync(join(repo.root, 'escaped.txt'))).toBe(false);
    expect(repo.read('README.md')).toBe('# test repo\n');
    expect(readFileSync(join(repo.root, '.git/config'), 'utf8')).toBe(configBefore);
    expect(gitIn(repo.root, 'rev-parse', 'main')).toBe(mainHead);
    expect(gitIn(repo.root, 'tag', '--list')).toBe('');
    expect(existsSync(join(home.home, 'written.txt'))).toBe(false);
    expect(existsSync('/root/written.txt')).toBe(false);
  });

  it("cannot read the host's home directories", async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    const result = await shIn(sandbox, `ls -A /root; ls -A /home; cat ${home.home}/host-secret.txt; echo "HOME=$HOME"`);
    expect(result.stdout).not.toContain('do not read me');
    expect(result.stdout).not.toContain('.gitconfig'); // /root/.gitconfig exists on the host
    expect(result.stdout).toContain(`HOME=${sandbox.home}`);
    expect(sandbox.home).toBe(join(repo.root, '.factory/sandboxes', wt.name, 'home'));
  });

  it('an agent CLI installed under the hidden home (nvm/npm layout) stays runnable; the rest of home does not show', async () => {
    repo = makeRepo();
    const prefix = join(home.home, '.nvm/versions/node/v20');
    const pkg = join(prefix, 'lib/node_modules/fake-agent');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    mkdirSync(join(prefix, 'bin'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"fake-agent"}');
    writeFileSync(join(pkg, 'lib/msg.txt'), 'agent-ok');
    writeFileSync(join(pkg, 'cli.sh'), '#!/bin/sh\ncat "$(dirname "$(readlink -f "$0")")/lib/msg.txt"\n', {
      mode: 0o755,
    });
    symlinkSync('../lib/node_modules/fake-agent/cli.sh', join(prefix, 'bin/fake-agent'));
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await createSandbox({
      provider: bwrap(),
      worktree: wt,
      env: { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` },
    });
    open.push(sandbox);
    const result = await shIn(
      sandbox,
      `fake-agent; echo; cat ${home.home}/host-secret.txt 2>/dev/null || echo hidden; ls ${prefix}/lib/node_modules`,
    );
    expect(result.stdout).toBe('agent-ok\nhidden\nfake-agent\n');
  });

  it('cannot remount anything (all capabilities dropped although we run as root)', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    const remount = await shIn(sandbox, 'mount -o remount,rw / 2>&1; echo "rc=$?"; grep CapEff /proc/self/status');
    expect(remount.stdout).toMatch(/rc=[1-9]/);
    expect(remount.stdout).toContain('CapEff:\t0000000000000000');
    const probe = await shIn(sandbox, 'touch /usr/factory-probe');
    expect(probe.exitCode).not.toBe(0);
    expect(existsSync('/usr/factory-probe')).toBe(false);
  });

  it('has its own pid namespace, private /tmp, and a HOME that persists between execs', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    const ps = await shIn(sandbox, 'ls /proc | grep -E "^[0-9]+$" | wc -l');
    expect(Number(ps.stdout.trim())).toBeLessThan(10);
    await shIn(sandbox, 'echo remembered > "$HOME/note" && echo gone > /tmp/scratch');
    const later = await shIn(sandbox, 'cat "$HOME/note"; cat /tmp/scratch 2>/dev/null || echo no-scratch');
    expect(later.stdout).toBe('remembered\nno-scratch\n');
    expect(readFileSync(join(sandbox.hostHome, 'note'), 'utf8')).toBe('remembered\n');
  });

  it('does not inherit host env secrets; passes the env it is given', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    process.env.FACTORY_TEST_HOST_SECRET = 'leak';
    try {
      const sandbox = await createSandbox({ provider: bwrap(), worktree: wt, env: { GIVEN: 'yes' } });
      open.push(sandbox);
      const result = await shIn(sandbox, 'echo "${FACTORY_TEST_HOST_SECRET:-none} $GIVEN"');
      expect(result.stdout).toBe('none yes\n');
    } finally {
      delete process.env.FACTORY_TEST_HOST_SECRET;
    }
  });

  it("network 'host' reaches the app on the host loopback; 'loopback' does not", async () => {
    repo = makeRepo();
    const server: Server = createServer((socket) => socket.end('app-says-hi\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
      const probe = `node -e "require('net').connect(${port},'127.0.0.1').on('data',d=>{process.stdout.write(d);process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(1)})"`;
      const shared = await shIn(await sandboxOn(wt, 'host'), probe);
      expect(shared.stdout).toBe('app-says-hi\n');
      const isolated = await shIn(await sandboxOn(wt, 'loopback'), probe);
      expect(isolated.exitCode).toBe(1);
      expect(isolated.stdout).toBe('ECONNREFUSED\n');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an aborted or timed-out exec leaves no process behind, setsid grandchildren included', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    const n = uniqueSleepSeconds();
    const tree = `sleep ${n} & setsid sleep ${n} & sh -c "sleep ${n}" & echo up; wait`;
    const timed = await sandbox.exec(['sh', '-c', tree], { timeoutMs: 1_000 });
    expect(timed).toMatchObject({ timedOut: true, stdout: 'up\n' });
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);

    const controller = new AbortController();
    const aborted = await sandbox.exec(['sh', '-c', tree], {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    expect(aborted.aborted).toBe(true);
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);

    // Finishing normally: the pid namespace dies with its pid 1, taking orphans with it.
    const normal = await shIn(sandbox, `setsid sleep ${n} > /dev/null 2>&1 & echo bye`);
    expect(normal.stdout).toBe('bye\n');
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('interactive exec: attached to our terminal and process group, still jailed, still killed whole', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    const result = await sandbox.exec(['sh', '-c', 'touch /etc/x 2>/dev/null; echo "rc=$?" > interactive.txt'], {
      interactive: true,
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: '' });
    expect(readFileSync(join(wt.path, 'interactive.txt'), 'utf8')).toBe('rc=1\n');
    const n = uniqueSleepSeconds();
    const proc = sandbox.spawn(['sh', '-c', `sleep ${n} & echo up > up.txt; wait`], { interactive: true });
    await waitForFile(join(wt.path, 'up.txt'));
    proc.kill();
    expect((await proc.done).aborted).toBe(true);
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('output of any size stays bounded through the sandbox', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    let streamed = 0;
    const result = await sandbox.exec(['sh', '-c', 'head -c 33554432 /dev/zero | tr "\\0" y'], {
      maxBufferBytes: 4096,
      onStdout: (chunk) => {
        streamed += chunk.length;
      },
    });
    expect(streamed).toBe(33_554_432);
    expect(result.stdout).toBe('y'.repeat(4096));
    expect(result.stdoutDroppedBytes).toBe(33_554_432 - 4096);
  });

  it('a parent that is SIGKILLed takes the sandboxed tree with it (--die-with-parent)', async () => {
    repo = makeRepo();
    const n = uniqueSleepSeconds();
    const fixture = fileURLToPath(new URL('../fixtures/sandboxes/crash-parent.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture, repo.root, 'bwrap', n], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    stopLater.push(() => parent.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      parent.stdout.on('data', (d: Buffer) => d.toString().includes('up') && resolve());
      parent.once('exit', (code) => reject(new Error(`crash-parent exited early (${code})`)));
    });
    // "up" can be printed before both children have exec'd sleep: wait until they show.
    const until = Date.now() + 10_000;
    while (pidsWithMarker(`sleep\0${n}`).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(pidsWithMarker(`sleep\0${n}`).length).toBe(2);
    parent.kill('SIGKILL');
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('close() kills what is still running', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    const n = uniqueSleepSeconds();
    let started!: () => void;
    const up = new Promise<void>((resolve) => (started = resolve));
    const proc = sandbox.spawn(['sh', '-c', `echo up; sleep ${n}`], { onStdout: () => started() });
    await up;
    await sandbox.close();
    expect((await proc.done).aborted).toBe(true);
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('runs sandbox.onSandboxReady inside and host.onSandboxReady outside, in parallel', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await createSandbox({
      provider: bwrap(),
      worktree: wt,
      hooks: {
        host: { onSandboxReady: [{ command: 'echo host > host-hook.txt' }] },
        sandbox: {
          onSandboxReady: [
            {
              command:
                'touch /etc/probe 2>/dev/null && echo escaped > sandbox-hook.txt || echo jailed > sandbox-hook.txt',
            },
          ],
        },
      },
    });
    open.push(sandbox);
    expect(readFileSync(join(wt.path, 'host-hook.txt'), 'utf8')).toBe('host\n');
    expect(readFileSync(join(wt.path, 'sandbox-hook.txt'), 'utf8')).toBe('jailed\n');
    await expect(
      createSandbox({
        provider: bwrap(),
        worktree: wt,
        hooks: { sandbox: { onSandboxReady: [{ command: 'exit 4' }] } },
      }),
    ).rejects.toMatchObject({ code: 'hook-failed' });
  });

  it('copyIn/copyOut move files across the boundary', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await sandboxOn(wt);
    const outside = join(home.home, 'in.txt');
    writeFileSync(outside, 'payload');
    await sandbox.copyIn(outside, 'copied/in.txt');
    expect((await shIn(sandbox, 'cat copied/in.txt')).stdout).toBe('payload');
    await sandbox.copyOut('copied/in.txt', join(home.home, 'out.txt'));
    expect(readFileSync(join(home.home, 'out.txt'), 'utf8')).toBe('payload');
  });
});

describe('bwrap with packed refs', () => {
  it('commits on a branch whose ref directory does not exist as a loose dir (packed refs)', async () => {
    repo = makeRepo();
    gitIn(repo.root, 'branch', 'agent/packed');
    gitIn(repo.root, 'pack-refs', '--all', '--prune');
    expect(existsSync(join(repo.root, '.git/refs/heads/agent'))).toBe(false);
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'agent/packed' } });
    const sandbox = await sandboxOn(wt);
    const result = await shIn(
      sandbox,
      'echo p > p.txt && git add p.txt && git commit -q -m packed-commit && git log -1 --format=%s',
    );
    expect(result).toMatchObject({ exitCode: 0, stdout: 'packed-commit\n' });
    expect(gitIn(repo.root, 'log', '-1', '--format=%s', 'agent/packed')).toBe('packed-commit');
    expect(gitIn(repo.root, 'fsck', '--strict')).toBe('');
  });
});

describe('bwrap with the head strategy', () => {
  it('writes the repo itself (no worktree), still cannot write the rest of the disk', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'head' } });
    const sandbox = await sandboxOn(wt);
    const result = await shIn(
      sandbox,
      'echo h > h.txt && git add h.txt && git commit -q -m head-commit && touch /etc/x 2>/dev/null; echo rc=$?',
    );
    expect(result.stdout).toBe('rc=1\n');
    expect(gitIn(repo.root, 'log', '-1', '--format=%s')).toBe('head-commit');
  });
});

describe('concurrent runs', () => {
  it('parallel sandboxes on different branches do not corrupt each other or the shared .git', async () => {
    repo = makeRepo({ 'base.txt': 'base\n' });
    const count = 4;
    const worktrees = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: `agent/p${i}` } }),
      ),
    );
    const sandboxes = await Promise.all(worktrees.map((wt) => sandboxOn(wt)));
    const results = await Promise.all(
      sandboxes.map((s, i) =>
        shIn(
          s,
          `for k in 1 2 3 4 5 6 7 8; do echo "${i}-$k" > f${i}.txt; git add f${i}.txt; git commit -q -m "p${i} c$k" || exit 1; done; git log --format=%s | head -1`,
        ),
      ),
    );
    results.forEach((r, i) => {
      expect(r).toMatchObject({ exitCode: 0, stdout: `p${i} c8\n` });
    });
    for (const [i, wt] of worktrees.entries()) {
      const commits = await wt.collectCommits();
      expect(commits).toHaveLength(8);
      expect(readFileSync(join(wt.path, `f${i}.txt`), 'utf8')).toBe(`${i}-8\n`);
      expect(gitIn(wt.path, 'status', '--porcelain')).toBe('');
    }
    expect(gitIn(repo.root, 'fsck', '--strict', '--no-dangling')).toBe('');
    await Promise.all(worktrees.map((wt) => wt.remove()));
    expect(gitIn(repo.root, 'worktree', 'list').split('\n')).toHaveLength(1);
  });
});
