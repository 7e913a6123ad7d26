/**
 * Stable preview hostnames: the names `factory router` (src/router/) answers for, and the router's
 * state file, so that `status`/`urls`/`start` can tell whether a router runs and print the stable
 * URLs. Light (node:fs/path only, plus ./proc and ./heartbeat): `status` imports it.
 *
 *   <service>.<worktree-id>.<project>.localhost:<router port>
 *
 * Each label is the name lowercased with every character outside [a-z0-9-] turned into `-` (a
 * worktree id may hold `.` and `_`, which a hostname label cannot); browsers resolve `*.localhost`
 * to loopback by themselves. `<machine state>/router.json` holds the router's pid, start time and
 * port; it is removed when the router stops and ignored when its process is gone (a reader in
 * another pid namespace — an agent's sandbox — judges by `router.heartbeat` instead).
 */
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJson, writeJsonAtomic } from './atomic.js';
import { heartbeatFresh, startHeartbeat } from './heartbeat.js';
import { machineStateDir } from './paths.js';
import { currentPidNamespace, identityOf, processAlive } from './proc.js';
import type { InstanceStateFile } from './state.js';

export const DEFAULT_ROUTER_PORT = 8088;

export interface RouterState {
  pid: number;
  startTime: number;
  port: number;
  /** Address it listens on (loopback). */
  host: string;
  pidNamespace?: string;
  startedAt: string;
}

export function routerFiles(env: NodeJS.ProcessEnv = process.env) {
  const dir = machineStateDir(env);
  return { state: join(dir, 'router.json'), heartbeat: join(dir, 'router.heartbeat') };
}

/** The running router, or undefined when none runs (no file, or its process is gone). */
export function readRouter(env: NodeJS.ProcessEnv = process.env): RouterState | undefined {
  const files = routerFiles(env);
  const st = readJson<RouterState>(files.state);
  if (!st || typeof st.port !== 'number') return undefined;
  const foreign = st.pidNamespace !== undefined && st.pidNamespace !== currentPidNamespace();
  const alive = foreign ? heartbeatFresh(files.heartbeat) : processAlive(st);
  return alive ? st : undefined;
}

/**
 * Publish this process as the machine's router on `port` (router.json + heartbeat); the returned
 * function withdraws it. The caller checked `readRouter` first.
 */
export function registerRouter(
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): { state: RouterState; unregister: () => void } {
  const files = routerFiles(env);
  const self = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 };
  const ns = currentPidNamespace();
  const state: RouterState = {
    ...self,
    port,
    host: '127.0.0.1',
    ...(ns ? { pidNamespace: ns } : {}),
    startedAt: new Date().toISOString(),
  };
  writeJsonAtomic(files.state, state);
  const stopHeartbeat = startHeartbeat(files.heartbeat);
  return {
    state,
    unregister: () => {
      stopHeartbeat();
      // Only our own file: a router started after a crash of ours may have replaced it.
      const now = readJson<RouterState>(files.state);
      if (now?.pid === state.pid && now.startTime === state.startTime) rmSync(files.state, { force: true });
      rmSync(files.heartbeat, { force: true });
    },
  };
}

/** One hostname label from a name: lowercase, [a-z0-9-], no leading/trailing `-`, at most 63. */
export function hostLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'x';
}

/** The instance's project name: the contract's `name`, else (older state files) its root's name. */
export function projectOf(state: Pick<InstanceStateFile, 'project' | 'root'>): string {
  return state.project ?? basename(state.root);
}

export function stableHost(service: string, worktreeId: string, project: string): string {
  return `${hostLabel(service)}.${hostLabel(worktreeId)}.${hostLabel(project)}.localhost`;
}

/**
 * A service URL moved onto its stable hostname: same path and query, the router's port, `http`
 * or `ws` (the router speaks plain HTTP and WebSocket on loopback).
 */
export function stableUrl(url: string, host: string, port: number): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const scheme = u.protocol === 'ws:' || u.protocol === 'wss:' ? 'ws' : u.protocol.startsWith('http') ? 'http' : '';
  if (!scheme) return undefined;
  return `${scheme}://${host}${port === 80 ? '' : `:${port}`}${u.pathname}${u.search}${u.hash}`;
}

/** Service name → stable URL, for every service with a URL, when a router runs; else {}. */
export function stableUrlsOf(
  state: Pick<InstanceStateFile, 'project' | 'root' | 'worktreeId' | 'urls'>,
  router: RouterState | undefined,
): Record<string, string> {
  if (!router) return {};
  const project = projectOf(state);
  const out: Record<string, string> = {};
  for (const [service, url] of Object.entries(state.urls)) {
    const s = stableUrl(url, stableHost(service, state.worktreeId, project), router.port);
    if (s) out[service] = s;
  }
  return out;
}
