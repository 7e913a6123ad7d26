/** The programs factory itself runs: Node, git, Chromium and ffmpeg (validation), PostgreSQL. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Contract } from '../../contract/index.js';
import { isFactoryFailure } from '../../lib/failure.js';
import { findChromium, findFfmpegTool } from '../../validation/index.js';
import { firstLine, probe } from '../probe.js';
import { broken, type Check, missing, ok } from '../types.js';

/** package.json's engines.node. */
export const MIN_NODE = [20, 19] as const;

export const node: Check = {
  id: 'node',
  need: () => ({ needed: true, why: 'factory runs on it' }),
  probe: async () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const enough = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
    return enough
      ? ok(`node ${process.versions.node} (${process.execPath})`)
      : broken(
          `node ${process.versions.node} is older than ${MIN_NODE.join('.')}`,
          "install Node 20.19 or later: nvm install 20 (or your distribution's nodejs 20 package)",
        );
  },
};

export const git: Check = {
  id: 'git',
  need: () => ({ needed: true, why: 'worktree ids, agent worktrees and commits' }),
  probe: async ({ env }) => {
    const r = await probe(['git', '--version'], env);
    if (r.notFound) return missing('git is not on PATH', 'apt-get install -y git');
    if (r.exitCode !== 0)
      return broken(`git --version failed: ${firstLine(r.stderr)}`, 'apt-get install --reinstall -y git');
    return ok(firstLine(r.stdout));
  },
};

const scenarios = (c: Contract | undefined) => c?.validation?.scenarios.length ?? 0;

export const chromium: Check = {
  id: 'chromium',
  need: ({ contract }) =>
    scenarios(contract) > 0
      ? { needed: true, why: `factory validate: the contract has ${scenarios(contract)} browser scenario(s)` }
      : { needed: false, why: 'factory validate (the contract has no browser scenarios)' },
  probe: async ({ env, chromiumCandidates }) => {
    let path: string;
    try {
      path = findChromium(env, ...(chromiumCandidates ? [chromiumCandidates] : []));
    } catch (e) {
      if (!isFactoryFailure(e)) throw e;
      const overridden = env.FACTORY_CHROMIUM !== undefined && env.FACTORY_CHROMIUM !== '';
      return overridden
        ? broken(e.message, 'unset FACTORY_CHROMIUM, or point it at a Chromium/Chrome binary')
        : missing(e.message, 'apt-get install -y chromium');
    }
    const r = await probe([path, '--headless', '--no-sandbox', '--version'], env);
    if (r.exitCode !== 0)
      return broken(
        `${path} --version failed: ${firstLine(r.stderr) || `exit ${r.exitCode}`}`,
        'apt-get install --reinstall -y chromium',
      );
    return ok(`${firstLine(r.stdout)} (${path})`);
  },
};

export const ffmpeg: Check = {
  id: 'ffmpeg',
  need: ({ contract }) =>
    scenarios(contract) > 0 && contract?.validation?.recordVideo
      ? { needed: true, why: 'factory validate records a video of each scenario' }
      : { needed: false, why: 'validation videos (the contract records none)' },
  probe: async ({ env }) => {
    let path: string;
    try {
      path = findFfmpegTool('ffmpeg', env);
      findFfmpegTool('ffprobe', env);
    } catch (e) {
      if (!isFactoryFailure(e)) throw e;
      return missing(e.message, 'apt-get install -y ffmpeg');
    }
    const r = await probe([path, '-hide_banner', '-version'], env);
    if (r.exitCode !== 0) return broken(`${path} -version failed`, 'apt-get install --reinstall -y ffmpeg');
    return ok(`${firstLine(r.stdout)} (${path})`);
  },
};

/** Debian keeps the server binaries off PATH: /usr/lib/postgresql/<version>/bin. */
function debianInitdb(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  for (const v of readdirSync(root).sort().reverse()) {
    const f = join(root, v, 'bin', 'initdb');
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** Words in a command that mean the contract runs PostgreSQL itself. */
const PG_WORDS = /\b(postgres|postgresql|pg_ctl|initdb|pg_isready|pg_ctlcluster)\b/i;

function usesPostgres(c: Contract | undefined): boolean {
  if (!c) return false;
  const texts: string[] = [];
  const add = (cmd: unknown) => texts.push(JSON.stringify(cmd ?? ''));
  for (const s of Object.values(c.services)) {
    add((s as { command?: unknown }).command);
    add(s.healthcheck);
  }
  for (const s of c.setup) add(s);
  for (const p of c.ports) texts.push(p.name);
  return texts.some((t) => PG_WORDS.test(t));
}

export const postgres: Check = {
  id: 'postgresql',
  need: ({ contract }) =>
    usesPostgres(contract)
      ? { needed: true, why: 'the contract runs PostgreSQL (a service, check or setup step names it)' }
      : { needed: false, why: 'a contract that runs PostgreSQL per instance' },
  probe: async ({ env }) => {
    for (const bin of ['initdb', 'pg_ctl']) {
      const r = await probe([bin, '--version'], env);
      if (r.exitCode === 0) return ok(firstLine(r.stdout));
    }
    const debian = debianInitdb();
    if (debian) return ok(`initdb at ${debian} (not on PATH)`);
    return missing('initdb / pg_ctl not found (PATH, /usr/lib/postgresql/*/bin)', 'apt-get install -y postgresql');
  },
};
