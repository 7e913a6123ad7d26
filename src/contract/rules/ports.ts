/**
 * Port rules: every port an instance uses is declared once, fits the leased block, and every
 * service that publishes a URL owns a port.
 */
import type { Diagnostic } from '../../lib/failure.js';
import type { Draft, Rule } from '../draft.js';
import { suggest } from '../../lib/suggest.js';
import { portEnvVar } from '../interpolate.js';
import { templateNames } from '../template.js';

/**
 * How to declare one more port, as text that can be written as it is: the whole list when the
 * ports are a plain list (offsets in order), else the map entry.
 */
export function declarePortHint(contract: Draft['contract'], name: string): string {
  const plain = contract.ports.every((p, i) => p.offset === i);
  return plain
    ? `ports: [${[...contract.ports.map((p) => p.name), name].join(', ')}]`
    : `"${name}: { offset: ${Math.max(-1, ...contract.ports.map((p) => p.offset)) + 1} }" under ports`;
}

export const duplicatePorts: Rule = {
  name: 'duplicate-ports',
  check({ origins, source }) {
    const out: Diagnostic[] = [];
    const byName = new Map<string, number>();
    const byOffset = new Map<number, string>();
    for (const d of origins.portDecls) {
      if (byName.has(d.name)) {
        out.push(source.diagnostic({ code: 'duplicate-port', message: `port "${d.name}" is declared twice` }, d.path));
        continue;
      }
      byName.set(d.name, d.offset);
      const other = byOffset.get(d.offset);
      if (other !== undefined) {
        out.push(
          source.diagnostic(
            {
              code: 'duplicate-port',
              message: `ports "${other}" and "${d.name}" have the same offset ${d.offset}`,
              hint: 'give each port its own offset in the block',
            },
            typeof d.path[d.path.length - 1] === 'string' ? [...d.path, 'offset'] : d.path,
          ),
        );
      } else byOffset.set(d.offset, d.name);
    }
    return out;
  },
};

/** The schema's limit on isolation.port_range_size. */
const MAX_PORT_BLOCK = 1000;

export const portBlockTooSmall: Rule = {
  name: 'port-block-too-small',
  check({ contract, source }) {
    const size = contract.isolation.portBlockSize;
    const needed = Math.max(0, ...contract.ports.map((p) => p.offset + 1));
    if (needed <= size) return [];
    const hint =
      needed <= MAX_PORT_BLOCK
        ? `set isolation.port_range_size to at least ${needed}`
        : `give the ports offsets below ${MAX_PORT_BLOCK}: an instance leases at most ${MAX_PORT_BLOCK} ports`;
    const message =
      needed === contract.ports.length
        ? `isolation.port_range_size is ${size}, but ${contract.ports.length} ports are declared`
        : `isolation.port_range_size is ${size}, but port offsets go up to ${needed - 1}`;
    return [source.diagnostic({ code: 'port-block-too-small', message, hint }, ['isolation', 'port_range_size'])];
  },
};

export const unknownPorts: Rule = {
  name: 'unknown-ports',
  check({ contract, origins, source, pruned }) {
    if (pruned.touches(['ports'])) return [];
    const known = contract.ports.map((p) => p.name);
    const out: Diagnostic[] = [];
    for (const [service, refs] of Object.entries(origins.portRefs)) {
      for (const r of refs) {
        if (known.includes(r.port)) continue;
        const best = suggest(r.port, known);
        out.push(
          source.diagnostic(
            {
              code: 'unknown-port',
              message: `service "${service}" uses port "${r.port}", which is not declared in ports`,
              hint: best !== undefined ? `did you mean "${best}"?` : `declare it: ${declarePortHint(contract, r.port)}`,
            },
            r.path,
          ),
        );
      }
    }
    return out;
  },
};

/** A fix for a url without a port that can be written as it is. */
function urlHint(contract: Draft['contract'], portsWritten: boolean, service: string): string {
  const first = contract.ports[0];
  if (!portsWritten) return `name its port in the url, e.g. "url: http://127.0.0.1:\${${portEnvVar(service)}}"`;
  if (first)
    return `add the port it listens on, e.g. "port: ${first.name}" (declared: ${contract.ports.map((p) => p.name).join(', ')})`;
  return `declare its port, e.g. "ports: [${service}]", and add "port: ${service}" to the service`;
}

export const urlWithoutPort: Rule = {
  name: 'url-without-port',
  check({ contract, origins, source, pruned }) {
    const out: Diagnostic[] = [];
    for (const s of Object.values(contract.services)) {
      if (s.url === undefined || s.ports.length > 0) continue;
      const path = origins.services[s.name] ?? ['services', s.name];
      // The port it would own may be in what the schema took out.
      if (pruned.touches(['ports']) || ['port', 'ports', 'healthcheck'].some((k) => pruned.has([...path, k]))) continue;
      // A url naming an undeclared port variable is reported once, as that undefined variable.
      const declared = new Set(contract.ports.map((p) => p.envVar));
      if (templateNames(s.url).some((v) => v.endsWith('_PORT') && !declared.has(v))) continue;
      out.push(
        source.diagnostic(
          {
            code: 'url-without-port',
            message: `service "${s.name}" has a url but no port`,
            hint: urlHint(contract, origins.portsWritten, s.name),
          },
          [...path, 'url'],
        ),
      );
    }
    return out;
  },
};
