/**
 * The normalized contract: what the program uses after `factory.yaml` (the written form,
 * `FactoryYaml`, see ./schema.ts) has been parsed, validated, checked by the rules and compiled.
 * Only these types leave `src/contract`.
 *
 * Strings marked `Template` may still hold `${NAME}` references. Every reference was checked at
 * compile time; they are resolved per instance (worktree id and leased ports are known only then)
 * with `resolveTemplate` from ./interpolate.ts. Shell commands are the exception: see `Command`.
 */

/** A string that may contain `${NAME}` references and `$$` escapes, resolved per instance. */
export type Template = string;

/**
 * A command to run.
 * - `shell`: the user's own shell line, run as `sh -c <line>`. factory never rewrites it: `${NAME}`
 *   references in it were checked at compile time and are expanded by the shell from the
 *   environment factory passes in (so a value is never re-parsed as shell code).
 * - `argv`: an argument vector; each element is a `Template` resolved by factory, no shell involved.
 */
export type Command = { kind: 'shell'; line: string } | { kind: 'argv'; argv: Template[] };

/** Where a value came from in factory.yaml, for errors found after compilation. 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface SetupStep {
  /** Unique within the contract; defaults to the step's index and first word ("1-bun"). */
  name: string;
  command: Command;
  /** Relative to the contract root; a template (resolve it with the step's env). */
  cwd: Template;
  env: Record<string, Template>;
  /** Globs (relative to the root) whose content fingerprints the step; empty = always run. */
  inputs: string[];
  /** Paths the step produces; a missing output makes the step run again even if inputs match. */
  outputs: string[];
  timeoutMs: number;
  source?: SourceLocation;
}

export interface EnvFileRef {
  /** Relative to the contract root. */
  path: string;
  /** A missing required file is an error when an instance starts (setup may create it). */
  required: boolean;
  source?: SourceLocation;
}

export interface Isolation {
  strategy: 'git-worktree' | 'none';
  /** Number of consecutive ports an instance leases. */
  portBlockSize: number;
  /** `docker compose -p <prefix>_<worktree id>`. */
  composeProjectPrefix: string;
}

export interface PortSpec {
  /** `[a-z0-9][a-z0-9_-]*` */
  name: string;
  /** `<NAME>_PORT`: upper-cased, `-` → `_` (port `restate-admin` → `RESTATE_ADMIN_PORT`). */
  envVar: string;
  /** Slot inside the leased block: port = block base + offset. */
  offset: number;
  /**
   * Declared by its first `${NAME_PORT}` reference (`source` points there), because the contract
   * has no `ports:` list; absent for ports written in `ports:`.
   */
  inferred?: true;
  source?: SourceLocation;
}

export type DependencyCondition = 'started' | 'healthy' | 'completed';

export interface Dependency {
  service: string;
  condition: DependencyCondition;
}

/** How a health check polls; the contract's `HealthCheck` and the runtime's resolved check share it. */
export interface CheckTiming {
  /** First poll delay; polls back off from here (×1.5) up to `maxIntervalMs`. */
  intervalMs: number;
  maxIntervalMs: number;
  /** One attempt's time limit. */
  timeoutMs: number;
  /** Failures during this period after (re)start do not count against `retries`. */
  startPeriodMs: number;
  /** Consecutive failures, once ready, before the service is reported unhealthy. */
  retries: number;
  /** How long startup may take before the service failed to become ready. */
  startupTimeoutMs: number;
}

export type HealthCheck =
  | ({ kind: 'http'; url: Template /** inclusive */; status: [number, number] } & CheckTiming)
  | ({
      kind: 'tcp';
      /**
       * A declared port's name; otherwise a port number ("5432") or a template resolving to one
       * (`${DB_PORT}`). A template naming a port variable is normalized to that port's name.
       */
      port: string;
      host?: string;
    } & CheckTiming)
  | ({ kind: 'command'; command: Command } & CheckTiming)
  | ({ kind: 'log' /** JavaScript regex source, matched per line of stdout+stderr */; pattern: string } & CheckTiming);

export type RestartPolicy = 'no' | 'on-failure' | 'always';

export interface ServiceBase {
  name: string;
  /** Relative to the contract root; a template (resolve it with the service's env). */
  cwd: Template;
  env: Record<string, Template>;
  dependsOn: Dependency[];
  /** Port names this service listens on (owned ports). */
  ports: string[];
  healthcheck?: HealthCheck;
  url?: Template;
  restart: { policy: RestartPolicy; maxRestarts: number; backoffMs: number };
  stop: { signal: NodeJS.Signals; graceMs: number };
  /** A one-shot service (migration, registration) runs to completion; exit 0 = `completed`. */
  oneShot: boolean;
  source?: SourceLocation;
}

export interface ProcessService extends ServiceBase {
  kind: 'process';
  command: Command;
}

export interface ComposeService extends ServiceBase {
  kind: 'compose';
  /** Relative to the root; undefined = docker compose's own discovery in `cwd`. */
  composeFile?: string;
  /** Service name inside the compose file (defaults to the factory service name). */
  composeService: string;
}

export type ServiceSpec = ProcessService | ComposeService;

export interface TestSuite {
  name: string;
  commands: Command[];
  /** Services that must be running (and ready) for the suite; started on demand by `factory test`. */
  needs: string[];
  /** Relative to the contract root; a template (resolve it with the suite's env). */
  cwd: Template;
  env: Record<string, Template>;
  timeoutMs: number;
  /** Report files the suite writes (JUnit XML …), relative to cwd, collected into artifacts. */
  reports: string[];
  source?: SourceLocation;
}

export type ScenarioStep =
  | { action: 'goto'; url: Template; name?: string }
  | { action: 'click'; selector: string; name?: string }
  | { action: 'fill'; selector: string; value: Template; name?: string }
  | { action: 'press'; key: string; selector?: string; name?: string }
  | { action: 'wait_for'; text?: Template; selector?: string; timeoutMs: number; name?: string }
  | { action: 'expect'; text?: Template; visible?: string; url?: Template; timeoutMs: number; name?: string }
  | { action: 'screenshot'; name: string; fullPage: boolean };

export interface Scenario {
  name: string;
  description?: string;
  startUrl: Template;
  /** Services the scenario needs up (defaults to all). */
  needs: string[];
  /** Declarative steps, or a JS/TS module (relative to the root) receiving `{ page, urls, env }`. */
  steps: ScenarioStep[];
  script?: string;
  timeoutMs: number;
  source?: SourceLocation;
}

export interface ValidationSpec {
  startUrl?: Template;
  recordVideo: boolean;
  /** Also convert the video to .mp4. */
  mp4: boolean;
  viewport: { width: number; height: number };
  scenarios: Scenario[];
}

export interface Contract {
  name: string;
  /** Absolute path of the contract file. */
  file: string;
  /** Absolute directory the contract's relative paths resolve from (the worktree root). */
  root: string;
  runtime: { packageManager?: PackageManager };
  setup: SetupStep[];
  /** Contract-level variables (templates), after env_file entries are known. */
  env: Record<string, Template>;
  envFiles: EnvFileRef[];
  isolation: Isolation;
  ports: PortSpec[];
  services: Record<string, ServiceSpec>;
  /** Service names in start order (dependencies first); stop runs it reversed. */
  startOrder: string[];
  tests: Record<string, TestSuite>;
  validation?: ValidationSpec;
  /** The `jobs:` section (src/jobs); absent when the contract has none. */
  jobs?: JobsSpec;
  artifacts: { collect: string[] };
}

/** One role's agent in the `jobs:` section. */
export interface JobAgentSpec {
  agent: string;
  model?: string;
  command?: string[];
}

/** The `jobs:` section, normalized: durations in ms; only what the contract states. */
export interface JobsSpec {
  roles: Partial<Record<'planner' | 'builder' | 'reviewer', JobAgentSpec>>;
  sandbox?: string;
  maxFixRounds?: number;
  /** Test suites a job runs (checked against `tests:`). */
  tests?: string[];
  approvalPaths: string[];
  /** Stage name, `job` or `agentIdle` → ms. */
  timeoutsMs: Record<string, number>;
  previewTtlMs?: number;
  concurrency?: number;
  /** Where review requests go (`local` when absent). */
  publisher?: 'local' | 'github';
  /** The github publisher's settings, as stated. */
  github?: { remote?: string; repo?: string; apiUrl?: string; labels: string[] };
}
