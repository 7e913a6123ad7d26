/**
 * What the buttons do: the CLI's own job controls (src/jobs/controls.ts) and instance stop, so a
 * click and `factory job cancel` are the same write. An instance is named by its repository and id
 * and must be one the machine lists now, so a POST cannot point the server at any folder.
 */
import { approveJob, cancelJob, closeJob, retryJob, type Job, type JobStore } from '../jobs/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { localPublisher, type Redactor } from '../publish/index.js';
import { listInstances, stopInstance } from '../services/index.js';

export const JOB_ACTIONS = ['cancel', 'retry', 'approve', 'close'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

export function isJobAction(a: string): a is JobAction {
  return (JOB_ACTIONS as readonly string[]).includes(a);
}

export async function actOnJob(
  deps: { store: JobStore; redact: Redactor; env: NodeJS.ProcessEnv },
  id: string,
  action: JobAction,
): Promise<{ job: Job; immediate?: boolean }> {
  const runtime = { publisher: localPublisher({ redactor: deps.redact }), env: deps.env };
  switch (action) {
    case 'cancel': {
      const r = await cancelJob(deps.store, id, runtime);
      return { job: r.job, immediate: r.immediate };
    }
    case 'retry':
      return { job: await retryJob(deps.store, id, runtime) };
    case 'approve':
      return { job: await approveJob(deps.store, id, 'dashboard') };
    case 'close':
      return { job: await closeJob(deps.store, id, runtime) };
  }
}

export async function stopListedInstance(
  env: NodeJS.ProcessEnv,
  root: string,
  worktreeId: string,
): Promise<{ worktreeId: string; root: string; was: string }> {
  const known = listInstances(env).find((i) => i.root === root && i.worktreeId === worktreeId);
  if (!known)
    throw new FactoryFailure('instance-not-found', `no instance "${worktreeId}" of ${root} on this machine`, {
      exitCode: ExitCode.invalid,
      hint: 'the instances page lists them',
    });
  const r = await stopInstance({ cwd: root, worktreeId, env });
  return { worktreeId, root, was: r.was };
}
