/**
 * What `factory init` reads from a compose file: each service, the container ports it publishes
 * (which factory replaces by leased ports per instance, docs/runtime.md), and whether the file
 * gives it a health check (which factory runs when the contract has none).
 */
import { parseDocument } from 'yaml';

export interface ComposeServiceInfo {
  name: string;
  /** Container ports it publishes, in file order ("5432:5432" → 5432, "8080:80" → 80). */
  containerPorts: number[];
  /** The compose file has a `healthcheck` with a `test` (and not `disable: true`). */
  healthcheck: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Container ports of a `ports:` list, as compose reads them (the runtime's derive.ts does the same). */
function containerPorts(ports: unknown): number[] {
  if (!Array.isArray(ports)) return [];
  return ports.flatMap((p) => {
    const n = isObj(p) ? Number(p.target) : Number((String(p).split('/')[0] ?? '').split(':').pop()?.split('-')[0]);
    return Number.isInteger(n) && n > 0 && n < 65_536 ? [n] : [];
  });
}

export function composeServices(text: string): ComposeServiceInfo[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return [];
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return []; // aliases beyond the limit
  }
  if (!isObj(data) || !isObj(data.services)) return [];
  return Object.entries(data.services).map(([name, s]) => {
    const svc = isObj(s) ? s : {};
    const hc = isObj(svc.healthcheck) ? svc.healthcheck : undefined;
    return {
      name,
      containerPorts: containerPorts(svc.ports),
      healthcheck: hc !== undefined && hc.test !== undefined && hc.disable !== true,
    };
  });
}
