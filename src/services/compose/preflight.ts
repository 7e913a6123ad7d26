/**
 * The compose preflight: before an instance with compose services starts (before any lease, file or
 * process), find a compose tool whose client runs, whose plugin exists and whose engine answers.
 * Candidates in order: `docker compose`, `docker-compose`, `podman compose`, `podman-compose`; the
 * first that passes all three is used for the whole instance. `FACTORY_COMPOSE` names one instead.
 *
 * It runs once and is never retried: a machine with the docker client but no compose plugin
 * used to fail each `up` with "unknown shorthand flag: 'p' in -p", three times by the restart
 * policy. Now `start` exits 3 with what each candidate lacked and the exact fix.
 */
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { probeDockerApi, probePodman, type EngineProbe } from './engine.js';
import { COMPOSE_COMMANDS, parseComposeVersion, type ComposeCommandName, type ComposeTool } from './tool.js';

const VERSION_TIMEOUT_MS = 20_000;

export const INSTALL_COMPOSE_HINT =
  'install a compose tool: `sudo apt-get install --no-install-recommends docker-compose` (Debian and Ubuntu; ' +
  "without --no-install-recommends apt also installs the docker.io engine), or Docker's compose plugin " +
  '(package docker-compose-plugin from download.docker.com); or set FACTORY_COMPOSE to the tool you have ' +
  `(${Object.keys(COMPOSE_COMMANDS).join(', ')})`;

export const START_ENGINE_HINT =
  'start the Docker engine (`sudo systemctl start docker`), or serve the Docker API with podman: ' +
  '`podman system service --time=0 unix:///run/podman/podman.sock &` then ' +
  '`export DOCKER_HOST=unix:///run/podman/podman.sock`';

export const PODMAN_HINT =
  'run `podman info` to see why podman cannot run; on machines without systemd it needs a CONTAINERS_CONF ' +
  'file with `[containers] default_ulimits = []` and `[engine] cgroup_manager = "cgroupfs"`';

type Candidate = { ok: true; tool: ComposeTool } | { ok: false; stage: 'client' | 'plugin' | 'engine'; why: string };

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

async function tryTool(name: ComposeCommandName, env: NodeJS.ProcessEnv): Promise<Candidate> {
  const [file, ...args] = COMPOSE_COMMANDS[name];
  const r = await (await import('execa')).execa(file as string, [...args, 'version'], {
    env,
    reject: false,
    timeout: VERSION_TIMEOUT_MS,
    stdin: 'ignore',
    all: true,
  });
  if ((r as { code?: string }).code === 'ENOENT')
    return { ok: false, stage: 'client', why: `${file} is not installed` };
  const out = `${r.all ?? ''}`;
  const parsed = r.exitCode === 0 ? parseComposeVersion(out) : undefined;
  if (!parsed) {
    const said = firstLine(`${r.stderr}`) || firstLine(out) || `exit code ${r.exitCode}`;
    if (name === 'docker compose')
      return { ok: false, stage: 'plugin', why: `the docker client has no compose plugin (${said})` };
    if (name === 'podman compose')
      return {
        ok: false,
        stage: 'plugin',
        why: `this podman has no "compose" command (podman ≥ 4.7 has one; ${said})`,
      };
    return { ok: false, stage: 'client', why: `\`${[file, ...args, 'version'].join(' ')}\` failed: ${said}` };
  }
  // podman compose runs its provider against podman's own socket, whatever DOCKER_HOST says.
  const viaPodman = name.startsWith('podman');
  const probe: EngineProbe = viaPodman ? await probePodman(env) : await probeDockerApi(env);
  if (!probe.ok)
    return {
      ok: false,
      stage: 'engine',
      why: `${name} ${parsed.version} found, but no engine answers at ${probe.endpoint} (${probe.reason})`,
    };
  return { ok: true, tool: { name, command: [...COMPOSE_COMMANDS[name]], ...parsed, engine: probe.engine } };
}

/** Pick the compose tool for `services` (the instance's compose services), or fail with exit 3. */
export async function composePreflight(services: string[], env: NodeJS.ProcessEnv): Promise<ComposeTool> {
  const forced = env.FACTORY_COMPOSE?.trim();
  if (forced !== undefined && forced !== '' && !(forced in COMPOSE_COMMANDS)) {
    throw new FactoryFailure('invalid-env', `FACTORY_COMPOSE="${forced}" is not a compose tool factory knows`, {
      exitCode: ExitCode.invalid,
      hint: `use one of: ${Object.keys(COMPOSE_COMMANDS).join(', ')} (or unset it to let factory choose)`,
    });
  }
  const names = forced ? [forced as ComposeCommandName] : (Object.keys(COMPOSE_COMMANDS) as ComposeCommandName[]);
  const failures: { name: ComposeCommandName; stage: string; why: string }[] = [];
  for (const name of names) {
    const c = await tryTool(name, env);
    if (c.ok) return c.tool;
    failures.push({ name, stage: c.stage, why: c.why });
  }
  const dockerDown = failures.some((f) => f.stage === 'engine' && !f.name.startsWith('podman'));
  const podmanDown = failures.some((f) => f.stage === 'engine' && f.name.startsWith('podman'));
  const lines = [
    `no usable compose tool for the compose service(s) ${services.join(', ')}${forced ? ` (FACTORY_COMPOSE=${forced})` : ''}:`,
    ...failures.map((f) => `  ${f.name}: ${f.why}`),
  ];
  throw new FactoryFailure('compose-unavailable', lines.join('\n'), {
    exitCode: ExitCode.unavailable,
    hint: dockerDown ? START_ENGINE_HINT : podmanDown ? PODMAN_HINT : INSTALL_COMPOSE_HINT,
    details: { candidates: failures },
  });
}
