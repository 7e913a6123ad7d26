/**
 * Contract + instance (id, dir, leased ports) → the plan the supervisor runs: every command, env,
 * URL and check resolved. The supervisor gets this plan rather than the contract, so it never loads
 * the YAML/schema stack (smaller RSS) and runs with the environment `start` was called with.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  buildInstanceEnv,
  composeProjectName,
  resolveCommand,
  resolveTemplate,
  serviceEnv,
} from '../contract/interpolate.js';
import type { Contract, Dependency, HealthCheck, ServiceSpec } from '../contract/types.js';
import type { ResolvedCheck } from './checks/types.js';
import { composeDownArgv, composeStopArgv, composeUpArgv, buildOverride, type ComposeTarget } from './compose.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { instanceKey } from './instance-key.js';
import { instanceFiles } from './paths.js';

export interface ServicePlan {
  name: string;
  kind: 'process' | 'compose';
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  ports: Record<string, number>;
  url: string | null;
  check: ResolvedCheck | null;
  dependsOn: Dependency[];
  restart: ServiceSpec['restart'];
  stop: ServiceSpec['stop'];
  oneShot: boolean;
  logPath: string;
  compose: { stopArgv: string[]; downArgv: string[]; project: string; overrideFile: string } | null;
}

export interface InstancePlan {
  /** The contract's `name` (stable preview hostnames: `<service>.<worktree-id>.<project>.localhost`). */
  project: string;
  worktreeId: string;
  root: string;
  contractFile: string;
  stateDir: string;
  instanceKey: string;
  socket: string;
  portBase: number;
  ports: Record<string, number>;
  urls: Record<string, string>;
  order: string[];
  services: Record<string, ServicePlan>;
}

export interface PlanInput {
  contract: Contract;
  worktreeId: string;
  stateDir: string;
  socket: string;
  portBase: number;
  processEnv: NodeJS.ProcessEnv;
  /** Only these services and what they depend on (`--only`). */
  only?: string[];
}

export function portsFor(contract: Contract, base: number): Record<string, number> {
  return Object.fromEntries(contract.ports.map((p) => [p.name, base + p.offset]));
}

/** `--only a b` → a, b and everything they depend on, in start order. */
export function selectServices(contract: Contract, only: string[] | undefined): string[] {
  if (!only || only.length === 0) return contract.startOrder;
  const keep = new Set<string>();
  const visit = (n: string) => {
    if (keep.has(n)) return;
    keep.add(n);
    for (const d of contract.services[n]?.dependsOn ?? []) visit(d.service);
  };
  only.forEach(visit);
  return contract.startOrder.filter((n) => keep.has(n));
}

function resolveCheck(
  h: HealthCheck,
  vars: Record<string, string>,
  cwd: string,
  ports: Record<string, number>,
): ResolvedCheck {
  const timing = {
    intervalMs: h.intervalMs,
    maxIntervalMs: h.maxIntervalMs,
    timeoutMs: h.timeoutMs,
    startPeriodMs: h.startPeriodMs,
    retries: h.retries,
    startupTimeoutMs: h.startupTimeoutMs,
  };
  switch (h.kind) {
    case 'http':
      return { kind: 'http', url: resolveTemplate(h.url, vars), status: h.status, ...timing };
    case 'tcp':
      return {
        kind: 'tcp',
        port: ports[h.port] ?? tcpPortNumber(h.port, vars),
        hosts: h.host ? [h.host] : [],
        ...timing,
      };
    case 'command': {
      const { file, args } = resolveCommand(h.command, vars);
      return { kind: 'command', file, args, cwd, env: vars, ...timing };
    }
    case 'log':
      return { kind: 'log', pattern: h.pattern, ...timing };
  }
}

/** A tcp check's port that is not a port name: a number, or a template resolving to one. */
function tcpPortNumber(target: string, vars: Record<string, string>): number {
  const value = resolveTemplate(target, vars).trim();
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (port >= 1 && port <= 65_535) return port;
  throw new FactoryFailure(
    'invalid-contract',
    `the tcp health check's port ${target} is ${JSON.stringify(value)}, not a port number`,
    {
      exitCode: ExitCode.invalid,
      hint: 'give the variable a port number (1-65535), or name a declared port: tcp: <port name>',
    },
  );
}

export function buildPlan(input: PlanInput): InstancePlan {
  const { contract, worktreeId, stateDir } = input;
  const ports = portsFor(contract, input.portBase);
  const base = buildInstanceEnv(contract, {
    worktreeId,
    stateDir,
    ports,
    processEnv: input.processEnv,
    portBase: input.portBase,
  });
  const files = instanceFiles(stateDir);
  const key = instanceKey(stateDir);
  const services: Record<string, ServicePlan> = {};
  const urls: Record<string, string> = {};
  const order = selectServices(contract, input.only);
  for (const name of order) {
    const s = contract.services[name] as ServiceSpec;
    const env = serviceEnv(contract, s, base);
    const cwd = resolve(contract.root, resolveTemplate(s.cwd, env));
    const owned = Object.fromEntries(s.ports.map((p) => [p, ports[p] as number]));
    const url = s.url === undefined ? null : resolveTemplate(s.url, env);
    if (url) urls[name] = url;
    let file: string;
    let args: string[];
    let compose: ServicePlan['compose'] = null;
    if (s.kind === 'compose') {
      const project = composeProjectName(contract.isolation.composeProjectPrefix, worktreeId);
      const overrideFile = join(files.run, `compose.${name}.override.yaml`);
      const target: ComposeTarget = {
        project,
        ...(s.composeFile ? { file: resolve(contract.root, s.composeFile) } : {}),
        overrideFile,
        service: s.composeService,
      };
      mkdirSync(dirname(overrideFile), { recursive: true });
      writeFileSync(overrideFile, buildOverride(contract.root, s.composeFile, s.composeService, Object.values(owned)));
      [file, ...args] = composeUpArgv(target) as [string, ...string[]];
      compose = {
        stopArgv: composeStopArgv(target, s.stop.graceMs),
        downArgv: composeDownArgv(target),
        project,
        overrideFile,
      };
    } else {
      ({ file, args } = resolveCommand(s.command, env));
    }
    services[name] = {
      name,
      kind: s.kind,
      file,
      args,
      cwd,
      env,
      ports: owned,
      url,
      check: s.healthcheck ? resolveCheck(s.healthcheck, env, cwd, ports) : null,
      dependsOn: s.dependsOn.filter((d) => order.includes(d.service)),
      restart: s.restart,
      stop: s.stop,
      // `up -d` returns once the container runs: for factory the launcher is a one-shot.
      oneShot: s.oneShot,
      logPath: files.log(name),
      compose,
    };
  }
  return {
    project: contract.name,
    worktreeId,
    root: contract.root,
    contractFile: contract.file,
    stateDir,
    instanceKey: key,
    socket: input.socket,
    portBase: input.portBase,
    ports,
    urls,
    order,
    services,
  };
}
