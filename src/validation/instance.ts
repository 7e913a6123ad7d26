/**
 * What `factory validate` reads of a running instance: whether its supervisor is alive, the state of
 * each service, its URLs, and the environment its templates resolve from. Read-only: validation
 * never starts or repairs services (docs/architecture.md: validation "asks services").
 *
 * Status comes from the runtime's own reader (state.json + a pid/start-time liveness check); the
 * environment is rebuilt with the contract's `buildInstanceEnv` from the ports the instance leased,
 * exactly as the supervisor built it for the services.
 */
import { buildInstanceEnv, type Contract } from '../contract/index.js';
import { locateInstance, readInstanceStatus } from '../services/index.js';
import type { InstanceView } from './preflight.js';

export async function readInstance(
  contract: Contract,
  opts: { worktreeId?: string | undefined; env?: NodeJS.ProcessEnv },
): Promise<InstanceView> {
  const env = opts.env ?? process.env;
  const where = { file: contract.file, ...(opts.worktreeId ? { worktreeId: opts.worktreeId } : {}), env };
  const status = await readInstanceStatus(where);
  if (!status?.running || status.phase === 'stopped' || status.phase === 'stopping') {
    // The runtime's rule names the instance (flag, FACTORY_WORKTREE_ID, git worktree) for the hint.
    return {
      worktreeId: status?.worktreeId ?? locateInstance(where).worktreeId,
      running: false,
      phase: status?.phase ?? 'not-started',
      services: {},
      urls: {},
      env: {},
    };
  }
  return {
    worktreeId: status.worktreeId,
    running: true,
    phase: status.phase,
    services: Object.fromEntries(status.services.map((s) => [s.name, s.state])),
    urls: status.urls,
    env: buildInstanceEnv(contract, {
      worktreeId: status.worktreeId,
      stateDir: status.stateDir,
      ports: status.ports,
      processEnv: env,
      ...(status.portBase !== null ? { portBase: status.portBase } : {}),
    }),
  };
}
