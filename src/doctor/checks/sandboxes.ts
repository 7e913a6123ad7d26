/**
 * Isolation and containers: bubblewrap and whether it really drops capabilities here (as root it
 * keeps them all unless told; MACHINE-NOTES), the engine behind a docker/podman sandbox, and the
 * compose tool a contract with compose services needs (the runtime's own preflight).
 */
import { isFactoryFailure } from '../../lib/failure.js';
import { composePreflight } from '../../services/index.js';
import { firstLine, probe } from '../probe.js';
import { broken, type Check, missing, ok } from '../types.js';

/** CapEff of a process in the sandbox: all zero when every capability was dropped. */
const NO_CAPS = /^CapEff:\s*0+$/m;

export const bubblewrap: Check = {
  id: 'bwrap',
  need: ({ sandbox }) =>
    sandbox === 'bwrap'
      ? { needed: true, why: 'the agent loop runs agents in bwrap (its default sandbox)' }
      : { needed: false, why: `the bwrap sandbox (you chose --sandbox ${sandbox})` },
  probe: async ({ env }) => {
    const version = await probe(['bwrap', '--version'], env);
    if (version.notFound) return missing('bwrap is not on PATH', 'apt-get install -y bubblewrap');
    const inside = await probe(
      [
        'bwrap',
        '--ro-bind',
        '/',
        '/',
        '--dev',
        '/dev',
        '--proc',
        '/proc',
        '--unshare-pid',
        '--cap-drop',
        'ALL',
        '--die-with-parent',
        '--',
        'cat',
        '/proc/self/status',
      ],
      env,
    );
    if (inside.exitCode !== 0)
      return broken(
        `bwrap cannot create a sandbox here: ${firstLine(inside.stderr) || `exit ${inside.exitCode}`}`,
        'sysctl -w kernel.unprivileged_userns_clone=1   (or run factory as root)',
      );
    if (!NO_CAPS.test(inside.stdout))
      return broken(
        `bwrap ran but the sandboxed process kept capabilities (${/^CapEff:.*$/m.exec(inside.stdout)?.[0] ?? 'CapEff unknown'})`,
        'apt-get install -y bubblewrap   (a bwrap that honours --cap-drop ALL, 0.4 or later)',
      );
    return ok(`${firstLine(version.stdout)}; a sandbox drops every capability`);
  },
};

function engine(name: 'docker' | 'podman'): Check {
  return {
    id: name,
    need: ({ sandbox }) =>
      sandbox === name
        ? { needed: true, why: `the agent loop runs agents in ${name} containers (--sandbox ${name})` }
        : { needed: false, why: `the ${name} sandbox` },
    probe: async ({ env }) => {
      const r = await probe([name, 'info', '--format', '{{json .}}'], env);
      if (r.notFound)
        return missing(
          `${name} is not on PATH`,
          name === 'podman' ? 'apt-get install -y podman runc' : 'apt-get install -y docker.io',
        );
      if (r.exitCode !== 0)
        return broken(
          `${name} info failed: ${firstLine(r.stderr.split('\n').slice(-2).join('\n')) || `exit ${r.exitCode}`}`,
          name === 'podman'
            ? 'podman info   (shows why; without systemd it needs CONTAINERS_CONF with [containers] default_ulimits = [])'
            : 'systemctl start docker   (or serve the Docker API with podman: podman system service --time=0 unix:///run/podman/podman.sock & export DOCKER_HOST=unix:///run/podman/podman.sock)',
        );
      return ok(`${name} engine answers`);
    },
  };
}

export const docker = engine('docker');
export const podman = engine('podman');

export const compose: Check = {
  id: 'compose',
  need: ({ contract }) => {
    const services = contract ? Object.values(contract.services).filter((s) => s.kind === 'compose') : [];
    return services.length
      ? { needed: true, why: `the contract has compose service(s): ${services.map((s) => s.name).join(', ')}` }
      : { needed: false, why: 'compose services (the contract has none)' };
  },
  probe: async ({ env, contract }) => {
    const services = contract ? Object.values(contract.services).filter((s) => s.kind === 'compose') : [];
    try {
      const tool = await composePreflight(
        services.map((s) => s.name),
        env,
      );
      return ok(`${tool.name} ${tool.version}, engine answers`);
    } catch (e) {
      if (!isFactoryFailure(e)) throw e;
      const stages = ((e.details?.candidates ?? []) as { stage: string }[]).map((c) => c.stage);
      const anyClient = stages.some((s) => s !== 'client');
      return anyClient ? broken(e.message, e.hint ?? '') : missing(e.message, e.hint ?? '');
    }
  },
};
