/**
 * Is a container engine answering the compose tool? Asked once by the preflight.
 *
 * Docker-API tools (compose v2, docker-compose) read DOCKER_HOST (default
 * unix:///var/run/docker.sock): `GET /version` on that socket or plain-TCP address answers with the
 * engine's name ("Docker Engine - Community", "Podman Engine") and version — no docker CLI needed,
 * since a standalone docker-compose works without one. A TLS or ssh DOCKER_HOST is not probed
 * (null): the compose tool itself reports what is wrong there. podman tools run `podman info`.
 */
import { request } from 'node:http';

export interface EngineAnswer {
  name: string;
  version: string;
  endpoint: string;
}

export type EngineProbe = { ok: true; engine: EngineAnswer | null } | { ok: false; endpoint: string; reason: string };

/** podman answers `/version` by asking its runtime and conmon for theirs: seconds on a loaded machine. */
const PROBE_TIMEOUT_MS = 30_000;

function dockerEndpoint(env: NodeJS.ProcessEnv): { socketPath: string } | { host: string; port: number } | null {
  const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (tcp && !env.DOCKER_TLS_VERIFY && !env.DOCKER_CERT_PATH) return { host: tcp[1] as string, port: Number(tcp[2]) };
  return null;
}

interface VersionBody {
  Version?: string;
  Components?: { Name?: string; Version?: string }[];
}

export function probeDockerApi(env: NodeJS.ProcessEnv): Promise<EngineProbe> {
  const endpointName = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  const target = dockerEndpoint(env);
  if (!target) return Promise.resolve({ ok: true, engine: null });
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/version', timeout: PROBE_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        try {
          const v = JSON.parse(body) as VersionBody;
          const name = v.Components?.[0]?.Name ?? 'Docker Engine';
          resolve({ ok: true, engine: { name, version: v.Version ?? 'unknown', endpoint: endpointName } });
        } catch {
          resolve({
            ok: false,
            endpoint: endpointName,
            reason: `it answered HTTP ${res.statusCode} without a version`,
          });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ ok: false, endpoint: endpointName, reason: e.code ? `${e.code}: ${e.message}` : e.message }),
    );
    req.end();
  });
}

export async function probePodman(env: NodeJS.ProcessEnv): Promise<EngineProbe> {
  const r = await (await import('execa')).execa('podman', ['info', '--format', '{{.Version.Version}}'], {
    env,
    reject: false,
    timeout: 30_000,
    stdin: 'ignore',
  });
  if (r.exitCode === 0) return { ok: true, engine: { name: 'podman', version: r.stdout.trim(), endpoint: 'podman' } };
  const last = `${r.stderr}`.trim().split('\n').pop() ?? '';
  return { ok: false, endpoint: 'podman', reason: last || `podman info exited with ${r.exitCode}` };
}
