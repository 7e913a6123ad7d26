/**
 * A private container engine for one test file (MACHINE-NOTES "Sandboxes" recipe): `podman system
 * service` serving the Docker API on a unix socket in a temp dir, with its own CONTAINERS_CONF
 * (runc, cgroupfs, no default ulimits, file locks, own tmp and network-config dirs) and its own
 * storage (graphroot, runroot), so nothing reaches the machine's podman state or another test
 * file's engine. `env` points docker, docker-compose, podman and podman-compose at it.
 *
 * Images come from busybox-static (no registry here): `baseImage()` imports a 2 MB root
 * filesystem with `lib -> usr/lib` links, so a container that mounts the host's /usr read-only
 * runs the host's git, node and PostgreSQL.
 *
 * `stop()` removes every container, pod, network, volume and image, stops the service, deletes
 * the dir and the CNI lease dirs its networks left in /var/lib/cni/networks. Nothing is skipped:
 * a missing podman fails the test with the install line (scripts/ensure-system.sh installs it).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const CNI_LEASES = '/var/lib/cni/networks';
const BUSYBOX = '/bin/busybox';
const READY_MS = 30_000;

export interface Engine {
  dir: string;
  socket: string;
  /** What points the clients at this engine. */
  env: { CONTAINERS_CONF: string; CONTAINERS_STORAGE_CONF: string; DOCKER_HOST: string };
  /** Run the podman CLI against this engine's storage; returns stdout. */
  podman(args: string[]): string;
  /** A busybox image (`sh`, `/usr` mount point, users root and postgres:999). Returns its name. */
  baseImage(name?: string): string;
  /** Names of what exists in this engine now (the default `podman` network aside). */
  inventory(): { containers: string[]; pods: string[]; networks: string[]; volumes: string[] };
  stop(): Promise<void>;
}

function requireTools(): void {
  const missing = ['podman', 'runc'].filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (!existsSync(BUSYBOX)) missing.push('busybox-static');
  if (missing.length)
    throw new Error(`the container tests need ${missing.join(', ')}: run scripts/ensure-system.sh (as root)`);
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** The busybox root filesystem as a tar: applets in /bin, links for the host's /usr, two users. */
function busyboxRootfs(dir: string): string {
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'usr', 'data', 'root']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) if (a !== 'busybox') symlinkSync('busybox', join(root, 'bin', a));
  symlinkSync('usr/lib', join(root, 'lib'));
  symlinkSync('usr/lib64', join(root, 'lib64'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/data:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\npostgres:x:999:\n');
  chmodSync(join(root, 'tmp'), 0o1777);
  chownSync(join(root, 'data'), 999, 999);
  const tar = join(dir, 'rootfs.tar');
  execFileSync('tar', ['-C', root, '--numeric-owner', '-cf', tar, '.']);
  rmSync(root, { recursive: true, force: true });
  return tar;
}

function cniDirs(): Set<string> {
  return new Set(existsSync(CNI_LEASES) ? readdirSync(CNI_LEASES) : []);
}

/** A CNI lease dir with no lease in it (only `lock` and `last_reserved_ip.*`): nothing uses that network. */
function unusedLeaseDir(name: string): boolean {
  try {
    return readdirSync(join(CNI_LEASES, name)).every((f) => f === 'lock' || f.startsWith('last_reserved_ip'));
  } catch {
    return false;
  }
}

/** Processes whose command line names `dir` (conmon, the service); waits for them, then kills and reports survivors. */
async function processesGone(dir: string): Promise<string[]> {
  const find = () =>
    readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .flatMap((pid) => {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          return cmd.includes(dir) ? [{ pid: Number(pid), cmd: cmd.replace(/\0/g, ' ').slice(0, 80) }] : [];
        } catch {
          return [];
        }
      });
  const deadline = Date.now() + 10_000;
  let left = find();
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = find();
  }
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return left.map((p) => `${p.pid} ${p.cmd}`);
}

function envFor(dir: string): Engine['env'] {
  return {
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
    DOCKER_HOST: `unix://${join(dir, 'podman.sock')}`,
  };
}

/** Where engines of this test run register (the run's FACTORY_STATE_HOME), so a crashed worker's engine is reaped at teardown. */
function registry(): string | undefined {
  const home = process.env.FACTORY_STATE_HOME;
  return home?.includes('factory-test-state-') ? join(home, 'engines') : undefined;
}

function runPodman(env: Engine['env'], args: string[]): string {
  return execFileSync('podman', args, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Remove everything of the engine in `dir`; returns the processes that had to be killed. */
async function teardown(dir: string, stopService: () => Promise<void>, cniBefore: Set<string>): Promise<string[]> {
  const env = envFor(dir);
  for (const args of [
    ['rm', '-a', '-f', '-t', '0'],
    ['pod', 'rm', '-a', '-f'],
    ['network', 'prune', '-f'],
    ['volume', 'prune', '-f'],
    ['rmi', '-a', '-f'],
  ]) {
    try {
      runPodman(env, args);
    } catch {
      // best effort: the next step or the directory removal covers it
    }
  }
  await stopService();
  // Layers are unmounted once their containers are gone; unmount anything left before rm.
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
  const left = await processesGone(dir);
  for (const name of cniDirs()) {
    if (!cniBefore.has(name) && unusedLeaseDir(name)) rmSync(join(CNI_LEASES, name), { recursive: true });
  }
  return left;
}

/** test/global-setup.ts teardown: engines whose test file never reached its stop() (a crashed worker). */
export async function reapLeftoverEngines(): Promise<void> {
  const reg = registry();
  if (!reg || !existsSync(reg)) return;
  for (const entry of readdirSync(reg)) {
    const { dir, pid, cniBefore } = JSON.parse(readFileSync(join(reg, entry), 'utf8')) as {
      dir: string;
      pid: number;
      cniBefore: string[];
    };
    await teardown(
      dir,
      async () => {
        try {
          // Only the service this entry names (a recycled pid has another command line).
          if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      },
      new Set(cniBefore),
    );
    rmSync(join(reg, entry), { force: true });
  }
}

export async function startEngine(): Promise<Engine> {
  requireTools();
  const dir = mkdtempSync(join(tmpdir(), 'factory-engine-'));
  const socket = join(dir, 'podman.sock');
  const conf = join(dir, 'containers.conf');
  const storage = join(dir, 'storage.conf');
  writeFileSync(
    conf,
    [
      '[containers]',
      // Without it: "error setting rlimit type 7" on these machines.
      'default_ulimits = []',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      // File locks under tmp_dir instead of the machine-wide /dev/shm/libpod_lock.
      'lock_type = "file"',
      // Compat-API exec sessions keep a conmon for this long after they end (Docker keeps their exit code 5 min).
      'exit_command_delay = 0',
      `tmp_dir = "${join(dir, 'tmp')}"`,
      '[network]',
      `network_config_dir = "${join(dir, 'networks')}"`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    storage,
    `[storage]\ndriver = "overlay"\ngraphroot = "${join(dir, 'graph')}"\nrunroot = "${join(dir, 'run')}"\n`,
  );
  const env = envFor(dir);
  const cniBefore = cniDirs();
  const log = openSync(join(dir, 'service.log'), 'a');
  const service: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => service.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const reg = registry();
  const registration = reg ? join(reg, basename(dir)) : undefined;
  if (reg && registration) {
    mkdirSync(reg, { recursive: true });
    writeFileSync(registration, JSON.stringify({ dir, pid: service.pid, cniBefore: [...cniBefore] }));
  }

  const podman = (args: string[]): string => runPodman(env, args);
  const names = (args: string[]): string[] => podman(args).split('\n').filter(Boolean);

  const engine: Engine = {
    dir,
    socket,
    env,
    podman,
    baseImage(name = 'localhost/factory-test-base:latest') {
      if (names(['images', '--format', '{{.Repository}}:{{.Tag}}']).includes(name)) return name;
      const tar = busyboxRootfs(dir);
      podman(['import', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', '--change', 'CMD ["/bin/sh"]', tar, name]);
      rmSync(tar);
      return name;
    },
    inventory: () => ({
      containers: names(['ps', '-a', '--format', '{{.Names}}']),
      pods: names(['pod', 'ps', '--format', '{{.Name}}']),
      networks: names(['network', 'ls', '--format', '{{.Name}}']).filter((n) => n !== 'podman'),
      volumes: names(['volume', 'ls', '--format', '{{.Name}}']),
    }),
    async stop() {
      const left = await teardown(
        dir,
        async () => {
          if (!alive) return;
          service.kill('SIGTERM');
          const timer = setTimeout(() => service.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        },
        cniBefore,
      );
      if (registration) rmSync(registration, { force: true });
      if (left.length) throw new Error(`engine processes were still running after stop (killed): ${left.join('; ')}`);
    },
  };
  const deadline = Date.now() + READY_MS;
  while (!(await ping(socket))) {
    if (!alive || Date.now() > deadline) {
      await engine.stop();
      throw new Error(`podman system service did not answer on ${socket}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return engine;
}
