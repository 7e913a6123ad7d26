/**
 * `getInstanceEnv`: the variables factory defines for an instance (contract env, env_file values,
 * `<NAME>_PORT`, built-ins) — not the whole process environment — for `factory env`, scripts and
 * other layers. Ports come from the running instance, else its lease. Reading variables never
 * leases: an instance with neither gets the block it would lease if started now (a preview, not
 * reserved — `describeInstanceEnv` says which).
 */
import { isAbsolute, resolve } from 'node:path';
import { BUILTIN_NAMES, buildInstanceEnv, readEnvFile } from '../contract/light.js';
import { resolveInstance, type InstanceOptions } from './instance.js';
import { previewLease, readLeases } from './leases.js';
import { portsFor } from './plan.js';
import { identityOf, processAlive } from './proc.js';
import { readStateFile } from './status-read.js';

export interface InstanceEnv {
  worktreeId: string;
  vars: Record<string, string>;
  /** First port of the block the variables use. */
  portBase: number;
  /** False: the instance holds no lease; `portBase` is the block it would get if started now. */
  leased: boolean;
  /** Says so when `leased` is false (for humans, and `env --json`). */
  note: string | null;
}

export async function getInstanceEnv(opts: InstanceOptions = {}): Promise<Record<string, string>> {
  return (await describeInstanceEnv(opts)).vars;
}

export async function describeInstanceEnv(opts: InstanceOptions = {}): Promise<InstanceEnv> {
  const env = opts.env ?? process.env;
  const inst = await resolveInstance(opts);
  const { contract } = inst;
  const state = readStateFile(inst.stateDir);
  let base = state && processAlive(state.supervisor) ? state.portBase : undefined;
  base ??= readLeases(env).find((l) => l.root === inst.root && l.worktreeId === inst.worktreeId)?.base;
  const leased = base !== undefined;
  if (base === undefined) {
    const preview = await previewLease({
      root: inst.root,
      worktreeId: inst.worktreeId,
      stateDir: inst.stateDir,
      size: contract.isolation.portBlockSize,
      offsets: contract.ports.map((p) => p.offset),
      owner: identityOf(process.pid) ?? { pid: process.pid, startTime: -1 },
      env,
    });
    base = preview.lease.base;
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
  const note = leased
    ? null
    : `instance "${inst.worktreeId}" holds no port lease: these are the ports it would get if started now (not reserved; factory start leases them)`;
  return { worktreeId: inst.worktreeId, vars: out, portBase: base, leased, note };
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
