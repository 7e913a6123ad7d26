/**
 * Why a service that exited could not bind its port: after it failed (and its leftovers were
 * swept), any of its leased ports that still cannot be bound is held by someone else — a process
 * that took the port after factory leased it, or some connection's local port. Restarting cannot
 * help while that lasts, so the supervisor fails the service with this reason instead of running
 * its restart loop into a bare exit code.
 */
import { portFree } from './ports.js';
import { commandLineOf, listenersOf } from './proc.js';

export interface TakenPort {
  name: string;
  port: number;
  /** Who listens on it; empty: no listener (a connection's local port, or another namespace). */
  holders: { pid: number; command: string | null }[];
}

/** The service's ports that cannot be bound now, with their listeners. */
export async function takenPorts(ports: Record<string, number>): Promise<TakenPort[]> {
  const out: TakenPort[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (await portFree(port)) continue;
    const holders = listenersOf(port).map((pid) => ({ pid, command: commandLineOf(pid) ?? null }));
    out.push({ name, port, holders });
  }
  return out;
}

export function describeTaken(taken: TakenPort[]): string {
  return taken
    .map((t) => {
      const who = t.holders.length
        ? t.holders.map((h) => `pid ${h.pid}${h.command ? ` (${h.command})` : ''}`).join(', ')
        : "no listener: some connection's local port, or a process in another namespace";
      return `port ${t.port} (${t.name}) was taken after factory leased it: ${who}`;
    })
    .join('; ');
}
