/**
 * `InstanceControl` (./control.ts) implemented with the runtime's library API (src/services/index.ts).
 */
import type { Contract } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { InstanceStatus } from '../services/index.js';
import { getInstanceEnv, readInstanceStatus, startInstance, stopInstance } from '../services/light.js';
import type { InstanceRef } from '../setup/index.js';
import type { InstanceControl } from './control.js';

/** Ready for a test: running and not unhealthy, or a one-shot that completed. */
function readyNames(status: InstanceStatus | undefined): Set<string> {
  if (!status?.running) return new Set();
  return new Set(
    status.services
      .filter((s) => (s.state === 'ready' && s.health !== 'unhealthy') || s.state === 'completed')
      .map((s) => s.name),
  );
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function runtimeControl(
  contract: Contract,
  instance: InstanceRef,
  processEnv: NodeJS.ProcessEnv = process.env,
): InstanceControl {
  const where = { file: contract.file, worktreeId: instance.worktreeId, env: processEnv };
  return {
    readyServices: async () => readyNames(await readInstanceStatus(where)),
    isRunning: async () => (await readInstanceStatus(where))?.running === true,
    async start(services, signal) {
      const status = await startInstance({ ...where, only: services, ...(signal ? { signal } : {}) });
      // A supervisor that was already running is attached to, not extended: say what is missing.
      const ready = readyNames(status);
      const missing = services.filter((s) => !ready.has(s));
      if (missing.length > 0) {
        throw new FactoryFailure(
          'services-not-ready',
          `${missing.join(', ')} not ready in the running instance ${instance.worktreeId}`,
          {
            exitCode: ExitCode.unavailable,
            hint: `see "factory status --worktree-id ${instance.worktreeId}"; a running instance started with --only is not extended: stop it, or start it whole`,
          },
        );
      }
    },
    async stop() {
      await stopInstance(where);
    },
    /**
     * The process environment plus the instance's variables. For an instance holding no lease the
     * ports are the block it would get if started now (getInstanceEnv never leases).
     */
    env: async () => ({ ...stringEnv(processEnv), ...(await getInstanceEnv(where)) }),
  };
}
