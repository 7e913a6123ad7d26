/**
 * The runtime's library API (re-exported from src/index.ts): what `factory start|status|stop|…`
 * do, for other layers (tests, validation, the agent loop) and other programs. ./read.ts is the
 * light part (state reading only) for hot paths.
 *
 *   const inst = await startInstance({ cwd, worktreeId: 'a' });   // resolves when ready
 *   inst.urls.api; inst.ports.api;
 *   await stopInstance({ cwd, worktreeId: 'a' });
 */
export * from './read.js';
export { startInstance, type StartOptions, type StartEvent } from './start.js';
export { restartService, type RestartOptions, type RestartResult } from './restart.js';
export { stopInstance, cleanInstance, type StopResult, type CleanResult } from './stop.js';
export { getInstanceEnv, describeInstanceEnv, toShell, type InstanceEnv } from './env.js';
export { resolveInstance, type InstanceOptions, type ResolvedInstance } from './instance.js';
export { listInstances, inspectInstances, type InstanceSummary, type Leak, type PsReport } from './ps.js';
export { describeHolders, readLeases, registryPath } from './leases.js';
export { composePreflight } from './compose/index.js';
export { runForeground, type ForegroundResult } from './foreground.js';
export type { SupervisorEvent } from './events.js';
export { identityOf, processAlive, processesWithEnv, signalIdentity } from './proc.js';
export {
  runtimeSchemas,
  InstanceSummarySchema,
  ServiceStatusSchema,
  EnvOutput,
  LogsOutput,
  RestartOutput,
  StartOutput,
  StatusOutput,
  StopOutput,
  UrlsOutput,
} from './schema.js';
