/**
 * A private PostgreSQL cluster for a test (Debian's postgresql, MACHINE-NOTES "PostgreSQL per
 * instance"): initdb into a temp dir (as the `postgres` user when the tests run as root: initdb
 * refuses root), started on loopback on the given port with its socket in the same temp dir, trust
 * authentication for the `factory` role. `stop()` stops it (immediate: nothing to keep) and removes
 * the dir. `database()` makes a fresh empty database and returns its URL.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgCluster {
  port: number;
  /** The maintenance database's URL. */
  url: string;
  /** A new empty database; its URL. */
  database(name?: string): Promise<string>;
  /** Shuts the server down (fast: clients are disconnected), keeping its data, as a restart or an outage does. */
  down(): void;
  /** Starts it again on the same port with the same data. */
  up(): void;
  stop(): Promise<void>;
}

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const v = versions.find((x) => existsSync(join(root, x, 'bin', 'initdb')));
  if (!v) throw new Error('PostgreSQL is not installed (scripts/ensure-system.sh installs the postgresql package)');
  return join(root, v, 'bin');
}

const asRoot = process.getuid?.() === 0;

function run(exe: string, args: string[]): void {
  const argv = asRoot ? ['runuser', '-u', 'postgres', '--', exe, ...args] : [exe, ...args];
  execFileSync(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
}

let databases = 0;

/** `fsync: true` for benchmarks (durable commits as in production); tests run without. */
export async function startPostgres(port: number, o: { fsync?: boolean } = {}): Promise<PgCluster> {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'factory-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    for (const p of [dir, sock]) chownSync(p, Number(ids), Number(gid));
  }
  const start = () =>
    run(join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=${o.fsync ? 'on' : 'off'} -c max_connections=300`,
      'start',
    ]);
  try {
    run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'factory', '--no-sync']);
    start();
  } catch (error) {
    const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start on port ${port}: ${(error as Error).message}\n${log}`);
  }
  const url = `postgres://factory@127.0.0.1:${port}/postgres`;
  return {
    port,
    url,
    async database(name = `t${process.pid}_${++databases}`) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return `postgres://factory@127.0.0.1:${port}/${name}`;
    },
    down() {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    up: start,
    async stop() {
      try {
        run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
