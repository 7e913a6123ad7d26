/**
 * The MCP tools: the contract's commands for the worktree the server runs in. Each tool is its CLI
 * command's library call with the command's `--json` shape as output (same fields, same
 * `schemaVersion`), so an agent gets through MCP exactly what `factory <cmd> --json` prints.
 * Long calls (start, restart_service, test, validate) report progress as they go.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { configJson } from '../contract/index.js';
import { loadContract, loadContractWithWarnings } from '../contract/index.js';
import { ConfigOutput } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { SCHEMA_VERSION } from '../lib/output.js';
import { describeInstanceEnv, restartService, startInstance, stopInstance } from '../services/index.js';
import { tailLogs } from '../services/index.js';
import { locateInstance } from '../services/index.js';
import {
  EnvOutput,
  LogsOutput,
  RestartOutput,
  StartOutput,
  StatusOutput,
  StopOutput,
  UrlsOutput,
} from '../services/index.js';
import { readStateFile, statusFromState } from '../services/index.js';
import { resolveInstanceRef } from '../setup/index.js';
import { runTests } from '../test-suites/index.js';
import { runtimeControl } from '../test-suites/index.js';
import { TestOutputSchema } from '../test-suites/index.js';
import { summarizeReport, ValidationSummarySchema } from '../validation/index.js';
import { validateInstance } from '../validation/index.js';
import { LogsInput, NoInput, RestartInput, StartInput, TestInput, ValidateInput } from './schema.js';

/** Which instance the server acts on: fixed when it starts (`factory mcp [--worktree-id] [-f]`). */
export interface Where {
  cwd: string;
  worktreeId?: string;
  file?: string;
}

export interface ToolContext {
  where: Where;
  /** A progress notification (sent only when the client asked for progress). */
  progress: (message: string, done?: number, total?: number) => void;
  /** Aborted when the client cancels the call. */
  signal: AbortSignal;
}

export interface Tool<I extends TSchema = TSchema> {
  name: string;
  description: string;
  input: I;
  output: TSchema;
  run: (args: Static<I>, ctx: ToolContext) => Promise<Record<string, unknown>>;
}

const tool = <I extends TSchema>(t: Tool<I>): Tool => t as unknown as Tool;
const v = <T extends object>(value: T): Record<string, unknown> => ({ schemaVersion: SCHEMA_VERSION, ...value });

const locate = (w: Where) => locateInstance({ cwd: w.cwd, ...opt('worktreeId', w.worktreeId), ...opt('file', w.file) });
function opt<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}
const instanceOpts = (w: Where) => ({ cwd: w.cwd, ...opt('worktreeId', w.worktreeId), ...opt('file', w.file) });

function regex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new FactoryFailure('usage', `filter is not a valid regular expression: ${(e as Error).message}`, {
      exitCode: ExitCode.invalid,
      hint: 'a JavaScript regular expression, e.g. "error|warn"',
    });
  }
}

export const TOOLS: Tool[] = [
  tool({
    name: 'status',
    description:
      "The instance's state: per service its state, health, pid, ports, URL, last check, restarts, exit code and log path. Spawns nothing.",
    input: NoInput,
    output: StatusOutput,
    run: async (_args, { where }) => {
      const loc = locate(where);
      return v(statusFromState(loc, readStateFile(loc.stateDir)));
    },
  }),
  tool({
    name: 'urls',
    description:
      "The running instance's service URLs (and stable URLs through `factory router` when one runs); empty when not running.",
    input: NoInput,
    output: UrlsOutput,
    run: async (_args, { where }) => {
      const loc = locate(where);
      const st = statusFromState(loc, readStateFile(loc.stateDir));
      return v({
        worktreeId: st.worktreeId,
        running: st.running,
        urls: st.running ? st.urls : {},
        stableUrls: st.stableUrls,
        ports: st.running ? st.ports : {},
      });
    },
  }),
  tool({
    name: 'env',
    description: "The instance's environment variables: contract env, env_file values, <NAME>_PORT, built-ins.",
    input: NoInput,
    output: EnvOutput,
    run: async (_args, { where }) => {
      const r = await describeInstanceEnv(instanceOpts(where));
      return v({ env: r.vars, portBase: r.portBase, leased: r.leased, note: r.note });
    },
  }),
  tool({
    name: 'logs',
    description:
      'The last lines of the service logs (one service, "supervisor", or all merged by time), optionally only those matching a regular expression.',
    input: LogsInput,
    output: LogsOutput,
    run: async (args, { where }) => {
      const loc = locate(where);
      const match = args.filter === undefined ? undefined : regex(args.filter);
      return v({ worktreeId: loc.worktreeId, lines: tailLogs(loc.stateDir, args.service, args.lines ?? 100, match) });
    },
  }),
  tool({
    name: 'start',
    description:
      'Start the instance (every service, or the named ones and their dependencies) and return once every service is ready; attaches when it already runs.',
    input: StartInput,
    output: StartOutput,
    run: async (args, { where, progress, signal }) => {
      let attached = false;
      let settled = 0;
      const told = new Set<string>();
      const warnings: string[] = [];
      const st = await startInstance({
        ...instanceOpts(where),
        ...(args.services?.length ? { only: args.services } : {}),
        ...opt('portRange', args.portRange),
        ...(args.timeoutSeconds !== undefined ? { timeoutMs: Math.round(args.timeoutSeconds * 1000) } : {}),
        signal,
        onEvent: (e) => {
          if (e.type === 'attached') {
            attached = true;
            progress(`already running (supervisor pid ${e.pid}): attached`);
          } else if (e.type === 'lease') {
            progress(
              `ports ${Object.entries(e.ports)
                .map(([n, p]) => `${n}=${p}`)
                .join(' ')}`,
            );
          } else if (e.type === 'service' && e.state !== 'pending') {
            if (e.state === 'ready' || e.state === 'completed') {
              settled++;
              told.add(e.service);
            }
            progress(`${e.service} ${e.state}${e.detail ? `: ${e.detail}` : ''}`, settled);
          }
        },
      });
      // A service that was ready before this call followed the supervisor has no event: say so now.
      for (const s of st.services)
        if (!told.has(s.name) && (s.state === 'ready' || s.state === 'completed'))
          progress(`${s.name} ${s.state}`, ++settled);
      return v({ ok: true, attached, warnings, ...st });
    },
  }),
  tool({
    name: 'stop',
    description:
      'Stop the instance in reverse dependency order and confirm its ports are free (reaps the leftovers of a dead supervisor).',
    input: NoInput,
    output: StopOutput,
    run: async (_args, { where }) => {
      const r = await stopInstance(instanceOpts(where));
      return v({ ok: r.busyPorts.length === 0, ...r });
    },
  }),
  tool({
    name: 'restart_service',
    description:
      'Restart one service of the running instance (its dependencies and dependents keep running) and return once it is ready, completed or failed.',
    input: RestartInput,
    output: RestartOutput,
    run: async (args, { where, progress }) => {
      const r = await restartService({
        ...instanceOpts(where),
        service: args.service,
        onEvent: (e) => {
          if (e.type === 'service') progress(`${e.service} ${e.state}${e.detail ? `: ${e.detail}` : ''}`);
        },
      });
      return v({ ok: r.ok, restarted: r.service, ...r.instance });
    },
  }),
  tool({
    name: 'test',
    description:
      "Run the contract's test suites (all, or the named ones) with the instance's environment, starting the services they need. ok is false when a suite failed; results are under artifactsDir.",
    input: TestInput,
    output: TestOutputSchema,
    run: async (args, { where, progress, signal }) => {
      const contract = await loadContract({ cwd: where.cwd, ...opt('file', where.file) });
      const instance = await resolveInstanceRef(contract, where.worktreeId);
      let total = 0;
      let done = 0;
      const result = await runTests({
        contract,
        instance,
        suites: args.suites ?? [],
        control: runtimeControl(contract, instance),
        signal,
        onEvent: (e) => {
          if (e.type === 'run-start') {
            total = e.suites.length;
            progress(`test run ${e.runId}: ${e.suites.join(', ')}`, 0, total);
          } else if (e.type === 'services-start') progress(`starting ${e.services.join(', ')}`, done, total);
          else if (e.type === 'suite-start') progress(`running ${e.suite}`, done, total);
          else if (e.type === 'suite-end') progress(`${e.result.name} ${e.result.status}`, ++done, total);
        },
      });
      return v({ ...result });
    },
  }),
  tool({
    name: 'validate',
    description:
      "Run the contract's browser scenarios (all, by name, or those matching a feature) in Chromium against the running instance. Returns pass/fail, the report path, and per scenario the failed step, console errors and video.",
    input: ValidateInput,
    output: ValidationSummarySchema,
    run: async (args, { where, progress }) => {
      let total = 0;
      let done = 0;
      const report = await validateInstance({
        cwd: where.cwd,
        ...opt('file', where.file),
        ...opt('worktreeId', where.worktreeId),
        scenarios: args.scenarios ?? [],
        ...opt('feature', args.feature),
        onEvent: (e) => {
          if (e.type === 'run-start') {
            total = e.scenarios.length;
            progress(`validating ${e.scenarios.join(', ')}`, 0, total);
          } else if (e.type === 'step-end')
            progress(`${e.scenario}: step ${e.step.index} ${e.step.action} ${e.step.status}`, done, total);
          else if (e.type === 'scenario-end') progress(`${e.scenario.name} ${e.scenario.status}`, ++done, total);
        },
      });
      return { ...summarizeReport(report) };
    },
  }),
  tool({
    name: 'config',
    description:
      'The normalized contract (services, ports, checks, tests, scenarios) and its service graph in start order.',
    input: NoInput,
    output: ConfigOutput,
    run: async (_args, { where }) => {
      const { contract, warnings } = await loadContractWithWarnings({ cwd: where.cwd, ...opt('file', where.file) });
      return v(configJson(contract, warnings));
    },
  }),
];
