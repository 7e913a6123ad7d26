/**
 * The library API: what the CLI uses, importable by other programs (`import { loadContract } from
 * 'software-factory'`). Each area appends its exports here.
 */
export { ExitCode, FactoryFailure, isFactoryFailure, type Diagnostic } from './lib/failure.js';

// contract
export type * from './contract/index.js';
export { loadContract, checkContract, findContractFile, CONTRACT_FILE, type LoadOptions } from './contract/index.js';
export {
  resolveTemplate,
  resolveCommand,
  resolveEnvMap,
  buildInstanceEnv,
  serviceEnv,
  withEnv,
  builtinVars,
  portEnvVar,
  composeProjectName,
  readEnvFile,
  BUILTIN_NAMES,
  SERVICE_BUILTIN_NAMES,
  type InstanceContext,
} from './contract/index.js';
export { graphEdges, type GraphEdge } from './contract/index.js';
export { FactoryYamlSchema, type FactoryYaml } from './contract/index.js';

// validation
export { runValidation, type RunValidationOptions } from './validation/index.js';
export { validateInstance, type ValidateInstanceOptions } from './validation/index.js';
export type {
  ValidationReport,
  ScenarioResult,
  StepResult as ValidationStepResult,
  StepFailure,
  ValidationEvent,
} from './validation/index.js';
export { ValidationReportSchema } from './validation/index.js';
export { summarizeReport, ValidationSummarySchema, type ValidationSummary } from './validation/index.js';

// runtime: per-worktree instances
export {
  startInstance,
  stopInstance,
  restartService,
  cleanInstance,
  readInstanceStatus,
  getInstanceEnv,
  describeInstanceEnv,
  resolveInstance,
  listInstances,
  inspectInstances,
  runForeground,
  type StartOptions,
  type StartEvent,
  type StopResult,
  type RestartOptions,
  type RestartResult,
  type CleanResult,
  type InstanceStatus,
  type InstanceOptions,
  type InstanceEnv,
  type ResolvedInstance,
  type InstanceSummary,
  type Leak,
  type PsReport,
  type ForegroundResult,
  type SupervisorEvent,
  type ServiceStatus,
  type ServiceState,
  type Health,
  type CheckResult,
  type InstancePhase,
} from './services/index.js';

// agent loop: agents in sandboxes on worktrees (docs/agent-loop.md)
export { run } from './agent-loop/index.js';
export { interactive, type InteractiveOptions, type InteractiveResult } from './agent-loop/index.js';
export { Output, type OutputDefinition } from './agent-loop/index.js';
export {
  AGENT_NAMES,
  createAgentProvider,
  claudeCode,
  codex,
  opencode,
  cursor,
  copilot,
  pi,
  commandAgent,
  type AgentName,
  type ClaudeCodeOptions,
  type CodexOptions,
  type OpenCodeOptions,
  type CursorOptions,
  type CopilotOptions,
  type PiOptions,
  type CommandAgentOptions,
} from './agent-loop/index.js';
export type { AgentProvider, AgentEvent, AgentInvocation, BuildArgvInput, Usage } from './agent-loop/index.js';
export type { RunOptions, RunResult, RunOutcome, IterationResult, AppInfo } from './agent-loop/index.js';
export type { RunEvent, LifecycleEvent, IterationEndReason } from './agent-loop/index.js';
export type { LoggingOption } from './agent-loop/index.js';
export { AgentRunOutputSchema } from './agent-loop/index.js';
// sandboxes and worktrees (src/sandboxes), re-exported for the run()/interactive() API
export {
  createWorktree,
  createSandbox,
  createWorktreeSandbox,
  noSandbox,
  bwrap,
  docker,
  podman,
  sandboxProviderByName,
} from './sandboxes/index.js';
// setup and tests (docs/setup-and-test.md)
export {
  runSetup,
  type RunSetupOptions,
  type SetupResult,
  type SetupStepResult,
  type SetupEvent,
} from './setup/index.js';
export { resolveInstanceRef, type InstanceRef } from './setup/index.js';
export { runTests, type RunTestsOptions, type TestRunResult, type TestEvent } from './test-suites/index.js';
export type { SuiteResult, SuiteStatus } from './test-suites/index.js';
export type { InstanceControl } from './test-suites/index.js';
export { runtimeControl } from './test-suites/index.js';
export { countJunit, type JunitCounts } from './test-suites/index.js';
// PRD walk and backlog sources (docs/prd.md)
export { walkPrd } from './prd/index.js';
export { walkBacklog } from './prd/index.js';
export { agentLoopRunner } from './prd/index.js';
export type { WalkResult, WalkOptions } from './prd/index.js';
export type { AgentRunner, TestRunner } from './prd/index.js';
export {
  openBacklog,
  LocalBacklog,
  GitHubBacklog,
  GitHubClient,
  type BacklogSource,
  type Prd,
  type Task,
} from './backlog/index.js';
