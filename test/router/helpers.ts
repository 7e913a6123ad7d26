/** A `factory router --json` for a test file: started on `port`, stopped with SIGINT. */
import { type ChildProcess, spawn } from 'node:child_process';
import { FACTORY_BIN } from '../helpers/cli.js';
import { until } from '../services/helpers.js';

/** Starts the router and resolves with it and the JSON document it prints once listening. */
export async function startRouter(cwd: string, env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, [FACTORY_BIN, 'router', '--port', String(port), '--json'], {
    cwd,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const doc = await until(
    'the router to listen',
    () => (out.trim().endsWith('}') ? JSON.parse(out) : undefined),
    30_000,
  );
  return { child, doc };
}

/** SIGINT, and wait for it to exit (nothing when it already has). */
export async function stopRouter(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}
