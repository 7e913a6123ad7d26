/**
 * Contract + instance (id, dir, leased ports) → the plan the supervisor runs: every command, env,
 * URL and check resolved. The supervisor gets this plan rather than the contract, so it never loads
 * the YAML/schema stack (smaller RSS) and runs with the environment `start` was called with.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import {
  buildInstanceEnv,
  composeProjectName,
  resolveCommand,
  resolveTemplate,
  serviceEnv,
} from '../contract/light.js';
import type { ComposeService, Contract, Dependency, HealthCheck, ServiceSpec } from '../contract/index.js';
import type { ResolvedCheck } from './checks/types.js';
import {
  composeDownArgvs,
  composeExecArgv,
  composeHealthcheck,
  composeLogsArgv,
  composeService,
  composeStopArgv,
  composeUpArgv,
  deriveCompose,
  locateComposeFile,
  readCompose,
  type ComposeDoc,
  type ComposeProject,
  type ComposeTool,
} from './compose/index.js';
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
  compose: {
    project: string;
    /** The derived compose file factory runs (../compose/derive.ts). */
    file: string;
    stopArgv: string[];
    /** `down -v …` and whatever the tool leaves that must be removed another way. */
    downArgvs: string[][];
    /** `logs -f`: the container's output becomes the service's log. */
    logsArgv: string[];
  } | null;
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
  /** The compose tool the preflight chose (null: no compose service). */
  compose: ComposeTool | null;
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
  /** From the compose preflight; required when a selected service is a compose service. */
  compose?: ComposeTool | null;
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

/**
 * One derived compose file per user compose file, written once per start: it maps the leased
 * ports of every compose service of the contract that lives in that file (not only the selected
 * ones: `up -d a` also starts what `a` depends on in compose).
 */
class DerivedComposeFiles {
  private readonly byFile = new Map<string, { project: ComposeProject; doc: ComposeDoc; tool: ComposeTool }>();
  used = false;

  constructor(
    private readonly input: PlanInput,
    private readonly ports: Record<string, number>,
    private readonly runDir: string,
    private readonly baseEnv: Record<string, string>,
  ) {}

  private userFile(s: ComposeService, cwd: string): string {
    return locateComposeFile(this.input.contract.root, cwd, s.composeFile);
  }

  forService(s: ComposeService, cwd: string) {
    const tool = this.input.compose;
    if (!tool) throw new Error(`compose service "${s.name}" planned without a compose tool (run the preflight)`);
    this.used = true;
    const userFile = this.userFile(s, cwd);
    const known = this.byFile.get(userFile);
    if (known) return known;
    const { contract, worktreeId } = this.input;
    const doc = readCompose(userFile);
    const managed = Object.values(contract.services).flatMap((o) => {
      if (o.kind !== 'compose') return [];
      const oCwd = resolve(contract.root, resolveTemplate(o.cwd, serviceEnv(contract, o, this.baseEnv)));
      if (this.userFile(o, oCwd) !== userFile) return [];
      return [{ service: o.composeService, leased: o.ports.map((p) => this.ports[p] as number) }];
    });
    const file = join(this.runDir, 'compose', `${this.byFile.size + 1}-${basename(userFile)}`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, deriveCompose(doc, managed));
    const project = {
      project: composeProjectName(contract.isolation.composeProjectPrefix, worktreeId),
      file,
      projectDir: dirname(userFile),
    };
    const entry = { project, doc, tool };
    this.byFile.set(userFile, entry);
    return entry;
  }
}

function waitedOnHealthy(contract: Contract, name: string): boolean {
  return Object.values(contract.services).some((o) =>
    o.dependsOn.some((d) => d.service === name && d.condition === 'healthy'),
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
  const composeFiles = new DerivedComposeFiles(input, ports, files.run, base);
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
    let check = s.healthcheck ? resolveCheck(s.healthcheck, env, cwd, ports) : null;
    if (s.kind === 'compose') {
      const derived = composeFiles.forService(s, cwd);
      const cp = derived.project;
      [file, ...args] = composeUpArgv(derived.tool, cp, s.composeService) as [string, ...string[]];
      compose = {
        project: cp.project,
        file: cp.file,
        stopArgv: composeStopArgv(derived.tool, cp, s.composeService, s.stop.graceMs),
        downArgvs: composeDownArgvs(derived.tool, cp),
        logsArgv: composeLogsArgv(derived.tool, cp, s.composeService),
      };
      // No check in the contract: the compose file's own healthcheck, run by factory in the container.
      const hc = check ? undefined : composeHealthcheck(composeService(derived.doc, s.composeService));
      if (!check && !hc && waitedOnHealthy(contract, name)) {
        throw new FactoryFailure(
          'compose-without-healthcheck',
          `a service waits for "${name}" to be healthy, but it has no healthcheck in factory.yaml or in ${derived.doc.file}`,
          {
            exitCode: ExitCode.invalid,
            hint: `add "healthcheck:" to "${name}" in factory.yaml or to service "${s.composeService}" in the compose file, or wait for it with condition "started"`,
          },
        );
      }
      if (hc) {
        const [hFile, ...hArgs] = composeExecArgv(derived.tool, cp, s.composeService, hc.command) as [
          string,
          ...string[],
        ];
        check = {
          kind: 'command',
          file: hFile,
          args: hArgs,
          cwd,
          env,
          ...hc.timing,
        };
      }
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
      check,
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
    compose: composeFiles.used ? (input.compose ?? null) : null,
  };
}
