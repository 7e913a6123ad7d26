/**
 * `restartService` (`factory restart <service>`, the MCP tool `restart_service`): ask the running
 * supervisor to stop one service in stages and run it again, and return once it is ready,
 * completed or failed. Nothing else is restarted: its dependencies keep running, and services that
 * depend on it are expected to reconnect (the contract's restart policy covers those that cannot).
 */
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { SupervisorEvent } from './events.js';
import { locateInstance, type LocateOptions } from './paths.js';
import { connect, lines, request, type StreamItem } from './socket.js';
import type { ServiceStatus } from './state.js';
import { readStateFile, statusFromState, type InstanceStatus } from './status-read.js';

/** States that end a restart. */
const SETTLED = new Set(['ready', 'completed', 'failed', 'blocked', 'stopped']);
/** How long the service's last event may trail the supervisor's reply. */
const LAST_EVENT_WAIT_MS = 2_000;
/** Longest a restart may take (the service's own startup timeout bounds it first). */
const RESTART_WAIT_MS = 10 * 60_000;

export interface RestartOptions extends LocateOptions {
  service: string;
  /** The supervisor's events while the service restarts (its state changes, checks, log lines). */
  onEvent?: (e: SupervisorEvent) => void;
}

export interface RestartResult {
  /** The restarted service is ready or completed again. */
  ok: boolean;
  service: ServiceStatus;
  instance: InstanceStatus;
}

export async function restartService(opts: RestartOptions): Promise<RestartResult> {
  const loc = locateInstance(opts);
  const before = statusFromState(loc, readStateFile(loc.stateDir));
  if (!before.running || !before.supervisor) {
    throw new FactoryFailure('instance-not-running', `instance "${loc.worktreeId}" is not running`, {
      exitCode: ExitCode.unavailable,
      hint: `start it first: factory start --worktree-id ${loc.worktreeId}`,
    });
  }
  const names = before.services.map((s) => s.name);
  if (!names.includes(opts.service)) {
    throw new FactoryFailure('unknown-service', `no service "${opts.service}" in instance "${loc.worktreeId}"`, {
      exitCode: ExitCode.invalid,
      hint: `services: ${names.join(', ')}`,
    });
  }
  const socket = before.supervisor.socket;
  // Events come on a second connection (subscribe), closed once the restart has answered.
  // The restart is asked for only once the subscription's snapshot arrived, so no event is missed.
  // The supervisor writes the service's last event before its reply, but on the other connection:
  // after the reply, wait (briefly) for that event too, so the caller sees the whole restart.
  const events = opts.onEvent ? await connect(socket).catch(() => undefined) : undefined;
  let settledEvent: () => void = () => undefined;
  const lastEvent = new Promise<void>((r) => (settledEvent = r));
  if (events && opts.onEvent) {
    const onEvent = opts.onEvent;
    events.on('error', () => undefined);
    events.once('close', () => settledEvent());
    let restarting = false;
    await new Promise<void>((subscribed) => {
      events.once('close', () => subscribed());
      lines(events, (v) => {
        const item = v as StreamItem;
        if (item.type === 'snapshot') subscribed();
        else if ('service' in item && item.service === opts.service) {
          onEvent(item);
          if (item.type !== 'service') return;
          if (item.state === 'starting') restarting = true;
          else if (restarting && SETTLED.has(item.state)) settledEvent();
        }
      });
      events.write(`${JSON.stringify({ cmd: 'subscribe', lines: true })}\n`);
    });
  }
  let reply: Awaited<ReturnType<typeof request>>;
  try {
    reply = await request(socket, { cmd: 'restart', service: opts.service }, RESTART_WAIT_MS);
  } catch (e) {
    events?.destroy();
    throw new FactoryFailure('supervisor-unreachable', `the supervisor did not answer: ${(e as Error).message}`, {
      exitCode: ExitCode.unavailable,
      hint: `see its log: factory logs supervisor --worktree-id ${loc.worktreeId}`,
    });
  }
  if (events && reply.ok) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([lastEvent, new Promise<void>((r) => (timer = setTimeout(r, LAST_EVENT_WAIT_MS)))]);
    clearTimeout(timer);
  }
  events?.destroy();
  if (!reply.ok) {
    throw new FactoryFailure('restart-refused', `the supervisor refused to restart "${opts.service}": ${reply.error}`, {
      exitCode: ExitCode.unavailable,
    });
  }
  const instance = statusFromState(loc, reply.state);
  const service = instance.services.find((s) => s.name === opts.service);
  if (!service) throw new Error(`service "${opts.service}" vanished from the supervisor's state`);
  return { ok: service.state === 'ready' || service.state === 'completed', service, instance };
}
