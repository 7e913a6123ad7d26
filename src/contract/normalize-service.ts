/**
 * Stage 3, services: every written form of a service → `ServiceSpec`.
 *
 * Port ownership is the written `port:`/`ports:` here; a service that wrote neither gets the ports
 * its url or health check mention once every port is known (./normalize-ports.ts). Default
 * dependency conditions are filled in by ./compile.ts after all services are known.
 */
import { DEFAULTS } from './defaults.js';
import { SERVICE_BUILTIN_NAMES } from './interpolate.js';
import type { Normalizer } from './normalize.js';
import type { HealthcheckYaml, ServiceYaml } from './schema.js';
import type { DataPath } from './source.js';
import type { Dependency, DependencyCondition, HealthCheck, ServiceSpec } from './types.js';

/**
 * `awaited`: some service waits for this one with condition `completed` (as compose's
 * service_completed_successfully does). Waiting for completion is what makes a service a one-shot,
 * so it is one unless it says otherwise: `one_shot: false`, or a restart policy of `always` (a
 * process restarted after exit 0 never stays completed); ./rules/dependencies.ts reports those.
 */
export function normalizeService(n: Normalizer, name: string, s: ServiceYaml, awaited = false): ServiceSpec {
  const path: DataPath = ['services', name];
  n.origins.services[name] = path;
  const isCompose = s.type === 'compose' || s.type === 'docker-compose';
  const env = n.env(s.env, [...path, 'env'], `services.${name}`, SERVICE_BUILTIN_NAMES);
  const scope = [...SERVICE_BUILTIN_NAMES, ...Object.keys(env), ...(isCompose ? ['COMPOSE_FILE'] : [])];
  const restartsAlways = s.restart === 'always' || (typeof s.restart === 'object' && s.restart.policy === 'always');
  const oneShot = s.one_shot ?? (awaited && !restartsAlways);

  const dependsOn: Dependency[] = [];
  const depOrigins: { service: string; path: DataPath; explicit: boolean }[] = [];
  if (Array.isArray(s.depends_on)) {
    s.depends_on.forEach((dep, i) => {
      // 'started' is a placeholder; ./rules/conditions.ts fills in the default once all services are known.
      dependsOn.push({ service: dep, condition: 'started' });
      depOrigins.push({ service: dep, path: [...path, 'depends_on', i], explicit: false });
    });
  } else if (s.depends_on) {
    for (const [dep, c] of Object.entries(s.depends_on)) {
      const condition: DependencyCondition = typeof c === 'string' ? c : c.condition;
      dependsOn.push({ service: dep, condition });
      depOrigins.push({ service: dep, path: [...path, 'depends_on', dep], explicit: true });
    }
  }
  n.origins.dependsOn[name] = depOrigins;

  const url = s.url === undefined ? undefined : n.template(s.url, [...path, 'url'], scope);
  const healthcheck =
    s.healthcheck === undefined ? undefined : normalizeHealthcheck(n, s.healthcheck, [...path, 'healthcheck'], scope);

  const refs: { port: string; path: DataPath }[] = [];
  if (s.port !== undefined) refs.push({ port: s.port, path: [...path, 'port'] });
  (s.ports ?? []).forEach((p, i) => {
    refs.push({ port: p, path: [...path, 'ports', i] });
  });
  if (healthcheck?.kind === 'tcp' && isPortName(healthcheck.port))
    refs.push({ port: healthcheck.port, path: [...path, 'healthcheck', 'tcp'] });
  n.origins.portRefs[name] = refs;
  const owned = [...new Set(refs.filter((r) => !r.path.includes('healthcheck')).map((r) => r.port))];

  // The schema admits only signals of ./names.ts, all present on Linux and macOS.
  const signal =
    s.stop_signal === undefined
      ? DEFAULTS.stop.signal
      : ((s.stop_signal.startsWith('SIG') ? s.stop_signal : `SIG${s.stop_signal}`) as NodeJS.Signals);
  const restartDefaults = oneShot ? DEFAULTS.restart.oneShot : DEFAULTS.restart.longRunning;
  const r = s.restart;
  const restart =
    r === undefined
      ? { ...restartDefaults }
      : typeof r === 'string'
        ? {
            ...restartDefaults,
            policy: r,
            maxRestarts: r === 'no' ? 0 : restartDefaults.maxRestarts || DEFAULTS.restart.longRunning.maxRestarts,
          }
        : {
            policy: r.policy ?? restartDefaults.policy,
            maxRestarts: r.max_restarts ?? (restartDefaults.maxRestarts || DEFAULTS.restart.longRunning.maxRestarts),
            backoffMs: n.duration(r.backoff, restartDefaults.backoffMs),
          };

  const base = {
    name,
    cwd: s.cwd === undefined ? '.' : n.template(s.cwd, [...path, 'cwd'], scope),
    env,
    dependsOn,
    ports: owned,
    ...(healthcheck ? { healthcheck } : {}),
    ...(url !== undefined ? { url } : {}),
    restart,
    stop: { signal, graceMs: n.duration(s.stop_grace_period, DEFAULTS.stop.graceMs) },
    oneShot,
    source: n.source.location(path),
  };

  // The schema admits a command only on process services, compose keys only on compose services.
  if (isCompose) {
    return {
      ...base,
      kind: 'compose',
      ...(s.compose_file !== undefined ? { composeFile: s.compose_file } : {}),
      composeService: s.service ?? name,
    };
  }
  return { ...base, kind: 'process', command: n.command(s.command ?? ['true'], [...path, 'command'], scope) };
}

function normalizeHealthcheck(
  n: Normalizer,
  h: HealthcheckYaml,
  path: DataPath,
  scope: readonly string[],
): HealthCheck | undefined {
  const d = DEFAULTS.check;
  if (typeof h === 'string') {
    return { kind: 'command', command: n.command(h, path, scope), ...timing(n, {}) };
  }
  // The schema admits exactly one kind, `status` only with http and `host` only with tcp.
  const t = timing(n, h);
  if (h.http !== undefined) {
    let status = d.status;
    if (typeof h.status === 'number') status = [h.status, h.status];
    else if (typeof h.status === 'string') {
      const [a, b] = h.status.split('-').map(Number) as [number, number | undefined];
      status = [a, b ?? a];
      if (status[0] > status[1])
        n.error(
          'invalid-value',
          `status range "${h.status}" is empty`,
          [...path, 'status'],
          'write it low-high, e.g. "200-399"',
        );
    }
    return { kind: 'http', url: n.template(h.http, [...path, 'http'], scope), status, ...t };
  }
  if (h.tcp !== undefined) {
    const port = tcpTarget(n, h.tcp, [...path, 'tcp'], scope);
    return { kind: 'tcp', port, ...(h.host ? { host: h.host } : {}), ...t };
  }
  if (h.command !== undefined)
    return { kind: 'command', command: n.command(h.command, [...path, 'command'], scope), ...t };
  const pattern = h.log as string;
  try {
    new RegExp(pattern);
  } catch (e) {
    n.error(
      'invalid-regex',
      `invalid log pattern: ${(e as Error).message}`,
      [...path, 'log'],
      'a JavaScript regular expression, matched against each output line',
    );
  }
  return { kind: 'log', pattern, ...t };
}

/**
 * A tcp check's port as written: a port name, a number, or a template (recorded, so its reference
 * is checked and, without a `ports:` list, declares its port). ./normalize-ports.ts turns a template
 * naming a port variable into that port's name.
 */
function tcpTarget(n: Normalizer, v: string | number, path: DataPath, scope: readonly string[]): string {
  if (typeof v === 'number') return String(v);
  if (v.includes('${')) return n.template(v, path, scope);
  if (/^\d+$/.test(v) && (Number(v) < 1 || Number(v) > 65_535))
    n.error('out-of-range', `tcp port ${v} is not a port number (1-65535)`, path);
  return v;
}

/** A tcp target that names a port (not digits, not a template). */
export function isPortName(v: string): boolean {
  return !/^\d+$/.test(v) && !v.includes('${');
}

function timing(
  n: Normalizer,
  h: {
    interval?: number | string;
    timeout?: number | string;
    start_period?: number | string;
    retries?: number;
    startup_timeout?: number | string;
  },
) {
  const d = DEFAULTS.check;
  const intervalMs = n.duration(h.interval, d.intervalMs);
  return {
    intervalMs,
    maxIntervalMs: Math.max(intervalMs, d.maxIntervalMs),
    timeoutMs: n.duration(h.timeout, d.timeoutMs),
    startPeriodMs: n.duration(h.start_period, d.startPeriodMs),
    retries: h.retries ?? d.retries,
    startupTimeoutMs: n.duration(h.startup_timeout, d.startupTimeoutMs),
  };
}
