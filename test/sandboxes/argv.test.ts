import { describe, expect, it } from 'vitest';
import { branchRefDir, bwrapArgs, bwrapCommand } from '../../src/sandboxes/providers/bwrap-args.js';
import { containerRunArgs, type ContainerRunInput } from '../../src/sandboxes/providers/container-args.js';
import type { WorktreeInfo } from '../../src/sandboxes/types.js';

/** The exact command lines the providers build (docker cannot run here; its argv is the contract). */

const worktree: WorktreeInfo = {
  name: 'job1',
  path: '/r/.factory/worktrees/job1',
  repoRoot: '/r',
  gitCommonDir: '/r/.git',
  gitDir: '/r/.git/worktrees/job1',
  branch: 'factory/job1',
  targetBranch: 'main',
  baseCommit: 'a'.repeat(40),
  strategy: { type: 'merge-to-head' },
  isNew: true,
  stateDir: '/r/.factory/sandboxes/job1',
};
const home = '/r/.factory/sandboxes/job1/home';
const tmp = '/r/.factory/sandboxes/job1/tmp';

describe('bwrap argv', () => {
  it('re-binds read-only only the tool dirs (factory install, PATH) that /tmp or a hidden home would cover', () => {
    const args = bwrapArgs({
      worktree,
      network: 'host',
      mounts: [],
      home,
      tmp,
      hiddenDirs: ['/root'],
      toolDirs: ['/tmp/ci/factory', '/root/.local/bin', '/usr/bin', '/tmpfoo/bin'],
    }).join(' ');
    expect(args).toContain(
      '--tmpfs /root --ro-bind /tmp/ci/factory /tmp/ci/factory --ro-bind /root/.local/bin /root/.local/bin',
    );
    expect(args).not.toContain('--ro-bind /usr/bin');
    expect(args).not.toContain('/tmpfoo/bin');
    // A PATH entry that is a hidden root itself never unhides it.
    const roots = bwrapArgs({
      worktree,
      network: 'host',
      mounts: [],
      home: '/h',
      tmp: '/t',
      hiddenDirs: ['/root', '/home', '/home/me'],
      toolDirs: ['/root', '/tmp', '/home/me'],
    });
    expect(roots.join(' ')).not.toContain('--ro-bind /root /root');
    expect(roots.join(' ')).not.toContain('--ro-bind /tmp /tmp');
    // …nor does $HOME, although it lies inside the hidden /home.
    expect(roots.join(' ')).not.toContain('--ro-bind /home/me /home/me');
  });

  it('binds the host read-only, the worktree and only the needed .git parts writable, and drops every capability', () => {
    const args = bwrapArgs({ worktree, network: 'host', mounts: [], home, tmp, hiddenDirs: ['/root', '/home'] });
    expect(bwrapCommand(args, '/r/.factory/worktrees/job1', ['claude', '-p', 'hi; rm -rf /'])).toEqual([
      'bwrap',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--tmpfs',
      '/tmp',
      '--tmpfs',
      '/root',
      '--tmpfs',
      '/home',
      '--ro-bind',
      '/r',
      '/r',
      '--bind',
      '/r/.factory/worktrees/job1',
      '/r/.factory/worktrees/job1',
      '--bind',
      '/r/.git/objects',
      '/r/.git/objects',
      '--bind',
      '/r/.git/refs/heads/factory',
      '/r/.git/refs/heads/factory',
      '--bind',
      '/r/.git/logs/refs/heads/factory',
      '/r/.git/logs/refs/heads/factory',
      '--bind',
      '/r/.git/worktrees/job1',
      '/r/.git/worktrees/job1',
      '--bind',
      home,
      home,
      '--bind',
      tmp,
      tmp,
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--chdir',
      '/r/.factory/worktrees/job1',
      '--',
      'claude',
      '-p',
      'hi; rm -rf /',
    ]);
  });

  it("adds --unshare-net for 'loopback' and 'none', and extra mounts after the policy", () => {
    for (const network of ['loopback', 'none'] as const) {
      expect(bwrapArgs({ worktree, network, mounts: [], home, tmp, hiddenDirs: [] })).toContain('--unshare-net');
    }
    const args = bwrapArgs({
      worktree,
      network: 'host',
      mounts: [
        { hostPath: '/root/.npm', sandboxPath: '/cache/npm', readonly: true },
        { hostPath: '/data', sandboxPath: 'data' },
      ],
      home,
      tmp,
      hiddenDirs: [],
    });
    expect(args).not.toContain('--unshare-net');
    expect(args.join(' ')).toContain('--ro-bind /root/.npm /cache/npm --bind /data /r/.factory/worktrees/job1/data');
  });

  it('head strategy: the whole repo and .git are writable (there is no separate worktree)', () => {
    const head: WorktreeInfo = {
      ...worktree,
      path: '/r',
      gitDir: '/r/.git',
      branch: 'main',
      strategy: { type: 'head' },
    };
    const args = bwrapArgs({ worktree: head, network: 'host', mounts: [], home, tmp, hiddenDirs: [] }).join(' ');
    expect(args).toContain('--bind /r /r --bind /r/.git /r/.git');
  });

  it('the writable ref dir is the branch ref’s parent', () => {
    expect(branchRefDir('factory/job1')).toBe('refs/heads/factory');
    expect(branchRefDir('agent/fix/42')).toBe('refs/heads/agent/fix');
    expect(branchRefDir('feature')).toBe('refs/heads');
  });
});

describe('docker / podman argv', () => {
  const base: ContainerRunInput = {
    engine: 'docker',
    containerName: 'factory-job1-abcd',
    image: { kind: 'image', name: 'factory-sandbox:local' },
    worktree,
    home,
    tmp,
    user: '1000:1000',
    network: 'host',
    ports: [],
    mounts: [],
    envNames: ['ANTHROPIC_API_KEY', 'HOME'],
    cwd: worktree.path,
    argv: ['claude', '-p', 'x'],
  };

  it('maps the user, mounts at identical paths, passes env by name only, and runs the argv', () => {
    // docker: no --rm (podman's Docker API loses the exit code with it); the provider removes it.
    expect(containerRunArgs({ ...base, autoRemove: false })).toEqual([
      'run',
      '-i',
      '--init',
      '--name',
      'factory-job1-abcd',
      '--user',
      '1000:1000',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--read-only',
      '--network',
      'host',
      '-v',
      '/r:/r:ro',
      '-v',
      '/r/.factory/worktrees/job1:/r/.factory/worktrees/job1:rw',
      '-v',
      '/r/.git/objects:/r/.git/objects:rw',
      '-v',
      '/r/.git/refs/heads/factory:/r/.git/refs/heads/factory:rw',
      '-v',
      '/r/.git/logs/refs/heads/factory:/r/.git/logs/refs/heads/factory:rw',
      '-v',
      '/r/.git/worktrees/job1:/r/.git/worktrees/job1:rw',
      '-v',
      `${home}:${home}:rw`,
      '-v',
      `${tmp}:${tmp}:rw`,
      '-e',
      'ANTHROPIC_API_KEY',
      '-e',
      'HOME',
      '--workdir',
      worktree.path,
      'factory-sandbox:local',
      'claude',
      '-p',
      'x',
    ]);
  });

  it("publishes ports on loopback only with a named network; 'loopback' means --network none", () => {
    const named = containerRunArgs({ ...base, network: { name: 'factory-net' }, ports: [5173, 3000] });
    expect(named.join(' ')).toContain('--network factory-net -p 127.0.0.1:5173:5173 -p 127.0.0.1:3000:3000');
    const isolated = containerRunArgs({ ...base, network: 'loopback', ports: [5173] });
    expect(isolated.join(' ')).toContain('--network none');
    expect(isolated.slice(0, isolated.indexOf('factory-sandbox:local'))).not.toContain('-p');
  });

  it('podman rootfs, SELinux labels, read-only mounts, no init, extra args', () => {
    const args = containerRunArgs({
      ...base,
      engine: 'podman',
      image: { kind: 'rootfs', path: '/srv/rootfs' },
      selinuxLabel: 'z',
      mounts: [{ hostPath: '/root/.npm', sandboxPath: '/home/agent/.npm', readonly: true }],
      extraArgs: ['--cpus', '2'],
      init: false,
    });
    expect(args.slice(0, 5)).toEqual(['run', '--rm', '-i', '--name', 'factory-job1-abcd']);
    expect(args).toContain('/root/.npm:/home/agent/.npm:ro,z');
    expect(args).toContain('/r:/r:ro,z');
    expect(args.join(' ')).toContain(`--workdir ${worktree.path} --cpus 2 --rootfs /srv/rootfs claude -p x`);
  });

  it('a host rootfs hides /tmp and the homes behind empty tmpfs and re-binds the tools under them', () => {
    const args = containerRunArgs({
      ...base,
      engine: 'podman',
      image: { kind: 'rootfs', path: '/srv/rootfs' },
      hiddenDirs: ['/root', '/home', '/home/me'],
      toolDirs: ['/usr/bin', '/home/me/.nvm/versions/node/v20/bin', '/tmp/agent/bin', '/home/me'],
    });
    expect(args.join(' ')).toContain(
      '--tmpfs /tmp:notmpcopyup --tmpfs /run:notmpcopyup --tmpfs /root:notmpcopyup --tmpfs /home:notmpcopyup --tmpfs /home/me:notmpcopyup ' +
        '-v /home/me/.nvm/versions/node/v20/bin:/home/me/.nvm/versions/node/v20/bin:ro -v /tmp/agent/bin:/tmp/agent/bin:ro -v /r:/r:ro',
    );
    // An image shows none of the host: nothing to hide.
    expect(containerRunArgs({ ...base, hiddenDirs: ['/root'], toolDirs: ['/tmp/x'] })).not.toContain('--tmpfs');
  });

  it('env values never appear on the command line', () => {
    const args = containerRunArgs({ ...base, envNames: ['SECRET_TOKEN'] });
    expect(args).toContain('SECRET_TOKEN');
    expect(args.some((a) => a.includes('='))).toBe(false);
  });
});
