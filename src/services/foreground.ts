/**
 * `start --foreground`: the same supervisor, in this process, with every service's output on the
 * terminal behind a coloured `name |` prefix (concurrently-style). concurrently itself is not
 * used: it spawns its own children, which would bypass the process wrapper, the health checks and
 * state.json (docs/adr/0014). The control socket is served too, so `status`/`stop` work from
 * another terminal. Returns when stopped (SIGINT/SIGTERM, `factory stop`, or a failed startup).
 */
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { resolveInstance } from './instance.js';
import { withLock } from './lock.js';
import { instanceFiles } from './paths.js';
import { identityOf, processAlive } from './proc.js';
import { closeServer, serve } from './socket.js';
import { preflightInstance, prepareInstance, type StartEvent, type StartOptions } from './start.js';
import { readStateFile } from './status-read.js';
import { Supervisor } from './supervisor.js';

export interface ForegroundResult {
  /** Startup reached ready. */
  ready: boolean;
  /** Stopped because of a signal. */
  interrupted: boolean;
  error: Supervisor['state']['error'];
}

export async function runForeground(
  opts: StartOptions & { onEvent: (e: StartEvent) => void },
): Promise<ForegroundResult> {
  const inst = await resolveInstance(opts);
  const files = instanceFiles(inst.stateDir);
  const self = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 };
  const compose = await preflightInstance(inst, opts);
  const sup = await withLock(files.startLock, 'instance start', async () => {
    const prev = readStateFile(inst.stateDir);
    if (prev && processAlive(prev.supervisor)) {
      throw new FactoryFailure(
        'already-running',
        `instance "${inst.worktreeId}" is already running (supervisor pid ${prev.supervisor.pid})`,
        {
          exitCode: ExitCode.unavailable,
          hint: 'stop it first with "factory stop", or use another --worktree-id',
        },
      );
    }
    const plan = await prepareInstance(inst, opts, self, compose ?? (await preflightInstance(inst, opts)));
    const s = new Supervisor(plan, {
      foreground: true,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    });
    s.on(opts.onEvent);
    s.start();
    return s;
  });
  let interrupted = false;
  const server = await serve(sup.plan.socket, {
    state: () => sup.state,
    stop: () => sup.stop(),
    restart: (service) => sup.restartService(service),
    subscribe: (fn) => sup.on(fn),
  });
  const onSignal = () => {
    interrupted = true;
    void sup.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  opts.signal?.addEventListener('abort', onSignal, { once: true });
  // Aborted while starting (its output closed as soon as the lease line was written): stop now.
  if (opts.signal?.aborted) onSignal();
  const stoppedP = new Promise<void>((r) => sup.on((e) => e.type === 'stopped' && r()));
  try {
    const ready = await sup.startup;
    if (!ready) await sup.stop();
    await stoppedP;
    return { ready, interrupted, error: sup.state.error };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    closeServer(server);
  }
}
