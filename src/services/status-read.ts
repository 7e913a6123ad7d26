/**
 * Read an instance's status from state.json and /proc — no process spawned, no socket, no contract
 * compiler loaded (`factory status` is benchmarked against `node -e 0`; see docs/performance.md).
 */
import { existsSync } from 'node:fs';
import { readJson } from './atomic.js';
import type { ComposeTool } from './compose/tool.js';
import { MARKER_INSTANCE } from './markers.js';
import { instanceFiles, locateInstance, type LocateOptions } from './paths.js';
import { heartbeatFresh } from './heartbeat.js';
import { readRouter, stableUrlsOf } from './router-state.js';
import { currentPidNamespace, processAlive, processesWithEnv, type ProcessIdentity } from './proc.js';
import type { InstancePhase, InstanceStateFile, ServiceStatus } from './state.js';

/** What `status --json`, `startInstance` and `readInstanceStatus` return. */
export interface InstanceStatus {
  worktreeId: string;
  root: string;
  stateDir: string;
  contractFile: string;
  /** The supervisor process is alive. */
  running: boolean;
  /** `not-started`: no state.json; `supervisor-dead`: state says running but its supervisor is gone. */
  phase: InstancePhase | 'not-started' | 'supervisor-dead';
  /** Every service ready (and not unhealthy) or completed. */
  healthy: boolean;
  supervisor: { pid: number; alive: boolean; socket: string; foreground: boolean } | null;
  portBase: number | null;
  ports: Record<string, number>;
  urls: Record<string, string>;
  /**
   * Service name → its stable URL through `factory router` (`http://<service>.<id>.<project>.localhost:8088/`),
   * when a router runs on this machine and the instance is running; else {}.
   */
  stableUrls: Record<string, string>;
  services: ServiceStatus[];
  /** The compose tool and engine the preflight chose for the compose services (null: none). */
  compose: ComposeTool | null;
  /** Processes of this instance still alive although its supervisor is not (run `factory stop`). */
  orphans: ProcessIdentity[];
  error: InstanceStateFile['error'];
}

export function statusFromState(
  loc: { worktreeId: string; root: string; stateDir: string; file: string },
  state: InstanceStateFile | undefined,
  env: NodeJS.ProcessEnv = process.env,
): InstanceStatus {
  if (!state) {
    return {
      worktreeId: loc.worktreeId,
      root: loc.root,
      stateDir: loc.stateDir,
      contractFile: loc.file,
      running: false,
      phase: 'not-started',
      healthy: false,
      supervisor: null,
      portBase: null,
      ports: {},
      urls: {},
      stableUrls: {},
      services: [],
      compose: null,
      orphans: [],
      error: null,
    };
  }
  // In another pid namespace (inside an agent's sandbox) the host's pids are invisible: judge the
  // supervisor by its heartbeat, and leave orphan hunting to a reader on the host.
  const foreignNs =
    state.supervisor.pidNamespace !== undefined && state.supervisor.pidNamespace !== currentPidNamespace();
  const alive = foreignNs
    ? state.phase !== 'stopped' && heartbeatFresh(instanceFiles(loc.stateDir).heartbeat)
    : processAlive(state.supervisor);
  const services = state.order.map((n) => state.services[n]).filter((s): s is ServiceStatus => s !== undefined);
  let orphans: ProcessIdentity[] = [];
  let phase: InstanceStatus['phase'] = state.phase;
  if (!alive && foreignNs && phase !== 'stopped' && phase !== 'failed') phase = 'supervisor-dead';
  if (!alive && !foreignNs) {
    const recorded = state.children.filter(processAlive).map(({ pid, startTime }) => ({ pid, startTime }));
    const marked =
      phase === 'stopped' && recorded.length === 0 ? [] : processesWithEnv(MARKER_INSTANCE, state.instanceKey);
    const seen = new Set<number>();
    orphans = [...recorded, ...marked].filter((p) => {
      if (seen.has(p.pid)) return false;
      seen.add(p.pid);
      return true;
    });
    if (phase !== 'stopped' && phase !== 'failed') phase = 'supervisor-dead';
    for (const s of services) {
      if (s.pid !== null && !processAlive({ pid: s.pid, startTime: s.pidStartTime ?? -1 })) s.pid = null;
    }
  }
  const healthy =
    alive &&
    services.length > 0 &&
    services.every((s) => s.state === 'completed' || (s.state === 'ready' && s.health !== 'unhealthy'));
  return {
    worktreeId: state.worktreeId,
    root: state.root,
    stateDir: state.stateDir,
    contractFile: state.contractFile,
    running: alive,
    phase,
    healthy,
    supervisor: {
      pid: state.supervisor.pid,
      alive,
      socket: state.supervisor.socket,
      foreground: state.supervisor.foreground,
    },
    portBase: state.portBase,
    ports: state.ports,
    urls: state.urls,
    stableUrls: alive ? stableUrlsOf(state, readRouter(env)) : {},
    services,
    compose: state.compose ?? null,
    orphans,
    error: state.error,
  };
}

export function readStateFile(stateDir: string): InstanceStateFile | undefined {
  const f = instanceFiles(stateDir).state;
  return existsSync(f) ? readJson<InstanceStateFile>(f) : undefined;
}

/** The instance's status, or undefined when it was never started here. Spawns nothing. */
export async function readInstanceStatus(opts: LocateOptions = {}): Promise<InstanceStatus | undefined> {
  const loc = locateInstance(opts);
  const state = readStateFile(loc.stateDir);
  return state ? statusFromState(loc, state) : undefined;
}
