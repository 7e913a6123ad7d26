/**
 * `getInstanceEnv`: the variables factory defines for an instance (contract env, env_file values,
 * `<NAME>_PORT`, built-ins) — not the whole process environment — for `factory env`, scripts and
 * other layers. Ports come from the running instance, else its lease; an instance with neither
 * leases its block now, so the ports printed are the ones `start` will use.
 */
import { isAbsolute, resolve } from 'node:path';
import { BUILTIN_NAMES, buildInstanceEnv, readEnvFile } from '../contract/index.js';
import { resolveInstance, type InstanceOptions } from './instance.js';
import { acquireLease, readLeases } from './leases.js';
import { portsFor } from './plan.js';
import { identityOf } from './proc.js';
import { readStateFile } from './status-read.js';

export async function getInstanceEnv(opts: InstanceOptions = {}): Promise<Record<string, string>> {
  const env = opts.env ?? process.env;
  const inst = await resolveInstance(opts);
  const { contract } = inst;
  let base = readStateFile(inst.stateDir)?.portBase;
  base ??= readLeases(env).find((l) => l.root === inst.root && l.worktreeId === inst.worktreeId)?.base;
  if (base === undefined) {
    const leased = await acquireLease({
      root: inst.root,
      worktreeId: inst.worktreeId,
      stateDir: inst.stateDir,
      size: contract.isolation.portBlockSize,
      offsets: contract.ports.map((p) => p.offset),
      owner: identityOf(process.pid) ?? { pid: process.pid, startTime: -1 },
      env,
    });
    base = leased.lease.base;
  }
  const ports = portsFor(contract, base);
  const full = buildInstanceEnv(contract, {
    worktreeId: inst.worktreeId,
    stateDir: inst.stateDir,
    ports,
    processEnv: env,
    portBase: base,
  });
  const keys = new Set<string>([
    ...Object.keys(contract.env),
    ...contract.ports.map((p) => p.envVar),
    ...BUILTIN_NAMES,
  ]);
  for (const ref of contract.envFiles) {
    for (const k of Object.keys(readEnvFile(isAbsolute(ref.path) ? ref.path : resolve(contract.root, ref.path)) ?? {}))
      keys.add(k);
  }
  const out: Record<string, string> = {};
  for (const k of [...keys].sort()) {
    const v = full[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** POSIX shell single-quoting: safe for `eval "$(factory env --shell)"`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function toShell(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join('\n');
}
