/**
 * A health check with every template resolved for one instance (what the supervisor runs).
 * Built from the contract's `HealthCheck` by ../plan.ts; the timing fields are the contract's own.
 */
import type { CheckTiming } from '../../contract/index.js';

export type ResolvedCheck =
  | ({ kind: 'http'; url: string; status: [number, number] } & CheckTiming)
  | ({ kind: 'tcp'; port: number /** empty = every loopback family */; hosts: string[] } & CheckTiming)
  | ({ kind: 'command'; file: string; args: string[]; cwd: string; env: Record<string, string> } & CheckTiming)
  | ({ kind: 'log'; pattern: string } & CheckTiming);

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** "http http://127.0.0.1:20001/health" — how a check is named in progress lines and errors. */
export function describeCheck(c: ResolvedCheck): string {
  switch (c.kind) {
    case 'http':
      return `http ${c.url}`;
    case 'tcp':
      return `tcp ${c.hosts.length ? c.hosts.join(',') : 'loopback'}:${c.port}`;
    case 'command':
      return `command ${[c.file, ...c.args].join(' ')}`;
    case 'log':
      return `log /${c.pattern}/`;
  }
}
