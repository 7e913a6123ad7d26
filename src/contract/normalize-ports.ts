/**
 * Stage 3, ports: the contract's named ports and which service owns which.
 *
 * Declared ports come from the `ports:` list or map. A contract without a `ports:` key (the seed's
 * sample, a compose user's first file) declares its ports by using them: each `${NAME_PORT}`
 * reference that nothing in the contract defines (no env key of that name) declares the port
 * `name`, with offsets in order of first use in the file (ADR 0007). Once `ports:` is written it
 * is the whole list, and an undeclared reference is an error again.
 *
 * Ownership: `port:`/`ports:` when written; otherwise the ports whose `<NAME>_PORT` the service's
 * `url` or health check mentions (a service's own URL and health probe name its own port).
 */
import type { TemplateUse } from './draft.js';
import { BUILTIN_NAMES, portEnvVar } from './interpolate.js';
import type { Normalizer } from './normalize.js';
import type { FactoryYaml } from './schema.js';
import type { DataPath } from './source.js';
import { parseTemplate, shellReferences, templateNames } from './template.js';
import type { HealthCheck, PortSpec, ServiceSpec } from './types.js';

/** `${API_PORT}` → `api`; `${RESTATE_ADMIN_PORT}` → `restate_admin`. */
const PORT_VARIABLE = /^([A-Z0-9][A-Z0-9_]*)_PORT$/;

export function declaredPorts(n: Normalizer, y: FactoryYaml): PortSpec[] {
  const out: PortSpec[] = [];
  const add = (name: string, offset: number, path: DataPath) => {
    n.origins.portDecls.push({ name, offset, path });
    if (n.origins.ports[name] !== undefined) return;
    n.origins.ports[name] = path;
    out.push({ name, envVar: portEnvVar(name), offset, source: n.source.location(path) });
  };
  if (Array.isArray(y.ports)) {
    y.ports.forEach((name, i) => {
      add(name, i, ['ports', i]);
    });
  } else if (y.ports) {
    Object.entries(y.ports).forEach(([name, spec], i) => {
      add(name, spec?.offset ?? i, ['ports', name]);
    });
  }
  return out;
}

/**
 * The ports a contract without `ports:` declares through its references, in order of first use.
 * `defined`: names the contract gives a value itself (env keys), which are not ports.
 */
export function portsFromReferences(
  n: Normalizer,
  templates: readonly TemplateUse[],
  defined: Set<string>,
): PortSpec[] {
  const uses: { name: string; line: number; column: number; path: DataPath }[] = [];
  for (const t of templates) {
    const refs = t.shell
      ? shellReferences(t.value)
      : parseTemplate(t.value).parts.flatMap((p) => (p.kind === 'ref' ? [p] : []));
    for (const r of refs) {
      const m = PORT_VARIABLE.exec(r.name);
      if (
        !m ||
        defined.has(r.name) ||
        t.scope.includes(r.name) ||
        (BUILTIN_NAMES as readonly string[]).includes(r.name)
      )
        continue;
      const span = n.source.spanInString(t.path, r.offset, r.length);
      uses.push({ name: (m[1] as string).toLowerCase(), line: span.line, column: span.column, path: t.path });
    }
  }
  uses.sort((a, b) => a.line - b.line || a.column - b.column);
  const out: PortSpec[] = [];
  for (const u of uses) {
    if (out.some((p) => p.name === u.name)) continue;
    n.origins.ports[u.name] = u.path;
    out.push({
      name: u.name,
      envVar: portEnvVar(u.name),
      offset: out.length,
      source: { file: n.source.absFile, line: u.line, column: u.column },
      inferred: true,
    });
  }
  return out;
}

/**
 * Services that wrote no `port:`/`ports:` own the ports their url or health check mention; a tcp
 * check written as a port variable (`tcp: ${WEB_PORT}`) names that port.
 */
export function assignOwnedPorts(n: Normalizer, services: Record<string, ServiceSpec>, ports: PortSpec[]): void {
  for (const s of Object.values(services)) {
    if (s.healthcheck?.kind === 'tcp') {
      const hc = s.healthcheck;
      const named = ports.find((p) => hc.port === `\${${p.envVar}}`);
      if (named) hc.port = named.name;
    }
    if (s.ports.length > 0) continue;
    s.ports = mentionedPorts(ports, s.url, s.healthcheck);
    if (s.ports.length > 0) n.origins.inferredPorts.add(s.name);
  }
}

/** Ports whose variables the url or health check mention, in contract order. */
function mentionedPorts(ports: PortSpec[], url: string | undefined, hc: HealthCheck | undefined): string[] {
  const names = new Set<string>();
  if (url) for (const v of templateNames(url)) names.add(v);
  if (hc?.kind === 'http') for (const v of templateNames(hc.url)) names.add(v);
  if (hc?.kind === 'command') {
    const line = hc.command.kind === 'shell' ? hc.command.line : hc.command.argv.join(' ');
    for (const r of shellReferences(line)) names.add(r.name);
  }
  return ports.filter((p) => names.has(p.envVar)).map((p) => p.name);
}
