/**
 * Names derived from a hash of the instance dir (kept out of ./paths.ts so `status` does not load
 * node:crypto).
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { machineStateDir, MAX_SOCKET_PATH } from './paths.js';

/**
 * The supervisor's socket: `<stateDir>/run/supervisor.sock`, or — when that path would not fit in
 * sun_path — `<machine state>/sock/<hash of stateDir>.sock`. The choice is recorded in state.json.
 */
export function socketPathFor(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const local = join(stateDir, 'run', 'supervisor.sock');
  if (Buffer.byteLength(local) <= MAX_SOCKET_PATH) return local;
  const short = join(machineStateDir(env), 'sock', `${instanceKey(stateDir)}.sock`);
  if (Buffer.byteLength(short) <= MAX_SOCKET_PATH) return short;
  return join('/tmp', `factory-${instanceKey(stateDir)}.sock`);
}

/** A short machine-unique key of an instance dir (marker env var, socket names). */
export function instanceKey(stateDir: string): string {
  return createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 16);
}
