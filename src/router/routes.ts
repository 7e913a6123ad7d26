/**
 * The router's table: every instance on this machine (the port-lease registry, then each lease's
 * state.json) with a route per service that has a URL or exactly one port of its own:
 *
 *   <service>.<worktree-id>.<project>.localhost  →  http://127.0.0.1:<that port>
 *
 * Built from files only, so it follows instances as they start and stop without the router being
 * told: `Routes` re-reads the files when a host is not in its table, when a proxied request fails,
 * and otherwise at most every REFRESH_MS.
 */
import { projectOf, readLeases, readStateFile, stableHost, stableUrl, statusFromState } from '../services/index.js';

/** Longest a table is trusted before the files are read again. */
export const REFRESH_MS = 1_000;

export interface Route {
  host: string;
  service: string;
  /** Where requests go: the service's own origin. */
  target: string;
  /** The service URL's path, for links on the listing page. */
  path: string;
  instance: InstanceEntry;
}

export interface InstanceEntry {
  project: string;
  worktreeId: string;
  root: string;
  /** The supervisor is alive. */
  running: boolean;
  phase: string;
}

function targetOf(url: string | null, ports: Record<string, number>): { target: string; path: string } | undefined {
  if (url) {
    try {
      const u = new URL(url);
      const scheme = u.protocol === 'https:' || u.protocol === 'wss:' ? 'https' : 'http';
      if (u.port) return { target: `${scheme}://${u.hostname}:${u.port}`, path: `${u.pathname}${u.search}` };
    } catch {
      // not a URL: fall back to the port
    }
  }
  const own = Object.values(ports);
  return own.length === 1 ? { target: `http://127.0.0.1:${own[0]}`, path: '/' } : undefined;
}

/** Every routable service of every instance in the lease registry. */
export function readRoutes(env: NodeJS.ProcessEnv = process.env): Route[] {
  const routes: Route[] = [];
  for (const lease of readLeases(env)) {
    const state = readStateFile(lease.stateDir);
    if (!state) continue;
    const st = statusFromState(
      { worktreeId: state.worktreeId, root: state.root, stateDir: state.stateDir, file: state.contractFile },
      state,
      env,
    );
    const instance: InstanceEntry = {
      project: projectOf(state),
      worktreeId: state.worktreeId,
      root: state.root,
      running: st.running,
      phase: st.phase,
    };
    for (const name of state.order) {
      const svc = state.services[name];
      const t = svc && targetOf(svc.url, svc.ports);
      if (!t) continue;
      routes.push({ host: stableHost(name, state.worktreeId, instance.project), service: name, ...t, instance });
    }
  }
  return routes;
}

/** The table with its refresh rule (see the module comment). */
export class Routes {
  private table = new Map<string, Route[]>();
  private readAt = 0;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  refresh(): void {
    const table = new Map<string, Route[]>();
    for (const r of readRoutes(this.env)) table.set(r.host, [...(table.get(r.host) ?? []), r]);
    this.table = table;
    this.readAt = Date.now();
  }

  all(): Route[] {
    if (Date.now() - this.readAt > REFRESH_MS) this.refresh();
    return [...this.table.values()].flat();
  }

  /**
   * The routes for a Host header (several when two instances' names differ only in characters a
   * hostname cannot hold): re-read when unknown or stale.
   */
  lookup(hostHeader: string | undefined): Route[] {
    const host = normalizeHost(hostHeader);
    if (Date.now() - this.readAt > REFRESH_MS || !this.table.has(host)) this.refresh();
    return this.table.get(host) ?? [];
  }
}

/** `Web.A.Shop.localhost:8088` → `web.a.shop.localhost`. */
export function normalizeHost(hostHeader: string | undefined): string {
  const h = (hostHeader ?? '').trim().toLowerCase();
  const bare = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : (h.split(':')[0] ?? '');
  return bare.replace(/\.$/, '');
}

/** The stable URL of a route through a router on `port`. */
export function routeUrl(r: Route, port: number): string {
  return stableUrl(`http://${r.host}${r.path}`, r.host, port) ?? `http://${r.host}:${port}/`;
}
