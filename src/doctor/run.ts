/**
 * `runDoctor`: every check in order, each told whether this machine needs it for the contract in
 * hand (found like every command finds it) and for the agent loop as asked. `ok` is true when every
 * needed check is ok; `factory doctor` exits 3 otherwise.
 */
import { findContractFile, loadContract, type Contract } from '../contract/index.js';
import { isFactoryFailure } from '../lib/failure.js';
import { agentCheck, DOCTOR_AGENTS } from './checks/agents.js';
import { leaseRegistry } from './checks/leases.js';
import { bubblewrap, compose, docker, podman } from './checks/sandboxes.js';
import { chromium, ffmpeg, git, node, postgres } from './checks/tools.js';
import type { Check, CheckResult, DoctorContext } from './types.js';
import { broken, missing, ok } from './types.js';

export interface DoctorOptions {
  cwd?: string;
  /** Contract file (`-f`). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Agents that will run (`--agent`, repeatable). */
  agents?: string[];
  /** Sandbox the agent loop will use (default bwrap). */
  sandbox?: string;
  /** Where to look for Chromium before PATH (default: the system locations validation uses). */
  chromiumCandidates?: readonly string[];
}

export interface DoctorReport {
  ok: boolean;
  /** The contract checked against, or null when there is none here. */
  contractFile: string | null;
  checks: CheckResult[];
}

export const CHECKS: Check[] = [
  node,
  git,
  leaseRegistry,
  chromium,
  ffmpeg,
  postgres,
  compose,
  bubblewrap,
  docker,
  podman,
  ...DOCTOR_AGENTS.map(agentCheck),
];

/** The contract here: loaded, absent, or invalid (reported as the `contract` check). */
async function contractCheck(
  opts: DoctorOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ contract?: Contract; result: CheckResult }> {
  const file = opts.file ?? findContractFile(opts.cwd ?? process.cwd());
  const base = { id: 'contract' };
  if (file === undefined)
    return {
      result: {
        ...base,
        needed: false,
        why: 'the checks a contract adds (none here)',
        ...missing('no factory.yaml here or above', 'factory init'),
      },
    };
  try {
    const contract = await loadContract({ ...(opts.cwd ? { cwd: opts.cwd } : {}), file, env });
    return { contract, result: { ...base, needed: true, why: 'what this checkout runs', ...ok(contract.file) } };
  } catch (e) {
    if (!isFactoryFailure(e)) throw e;
    return {
      result: {
        ...base,
        needed: true,
        why: 'what this checkout runs',
        ...broken(e.message, 'factory check   (shows each problem with its line)'),
      },
    };
  }
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  const env = opts.env ?? process.env;
  const { contract, result } = await contractCheck(opts, env);
  const ctx: DoctorContext = {
    env,
    contract,
    agents: opts.agents ?? [],
    sandbox: opts.sandbox ?? 'bwrap',
    ...(opts.chromiumCandidates ? { chromiumCandidates: opts.chromiumCandidates } : {}),
  };
  const results = await Promise.all(
    CHECKS.map(async (c): Promise<CheckResult> => ({ id: c.id, ...c.need(ctx), ...(await c.probe(ctx)) })),
  );
  const checks = [result, ...results];
  return {
    ok: checks.every((c) => !c.needed || c.status === 'ok'),
    contractFile: contract?.file ?? null,
    checks,
  };
}
