/**
 * The running app: when the worktree has a factory.yaml, the run starts that worktree's instance
 * (worktree id = run name) before the first iteration, hands its URLs and `FACTORY_*` variables to
 * the agent (environment and `{{FACTORY_URLS}}`/`{{FACTORY_ENV}}` in the prompt), puts a `factory`
 * executable on the agent's PATH (so it can call `factory status|test|validate|logs` inside the
 * sandbox), and stops the instance at the end unless told to keep it.
 *
 * The runtime lives in src/services (its library API: startInstance / getInstanceEnv /
 * stopInstance); this file only adapts it to the loop.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTRACT_FILE } from '../contract/load.js';
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';

/** Prompt arguments the running app provides. */
export const APP_PROMPT_ARGS = ['FACTORY_URLS', 'FACTORY_ENV', 'FACTORY_WORKTREE_ID'] as const;

export interface RunningApp {
  worktreeId: string;
  urls: Record<string, string>;
  /** `FACTORY_*` and port variables for the agent. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export function hasContract(dir: string): boolean {
  return existsSync(join(dir, CONTRACT_FILE));
}

/** Values for the app's prompt arguments. */
export function appPromptValues(app: RunningApp): Record<string, string> {
  const urls = Object.entries(app.urls).map(([name, url]) => `- ${name}: ${url}`);
  const env = Object.entries(app.env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return {
    FACTORY_URLS: urls.length ? urls.join('\n') : '(the app declares no URLs)',
    FACTORY_ENV: env.join('\n'),
    FACTORY_WORKTREE_ID: app.worktreeId,
  };
}

interface ServicesApi {
  startInstance(o: { cwd: string; worktreeId: string; signal?: AbortSignal }): Promise<unknown>;
  getInstanceEnv(o: { cwd: string; worktreeId: string }): Promise<Record<string, string>> | Record<string, string>;
  stopInstance(o: { cwd: string; worktreeId: string }): Promise<unknown>;
}

async function loadServices(): Promise<ServicesApi> {
  // Resolved at run time: src/services is a sibling area and may be absent from a partial build.
  const specifier = '../services/api.js';
  try {
    return (await import(specifier)) as ServicesApi;
  } catch (e) {
    throw new FactoryFailure('app-runtime-missing', `this build has no runtime to start the app (${(e as Error).message})`, {
      exitCode: ExitCode.unavailable,
      hint: 'run with --no-app to skip starting the app',
    });
  }
}

function urlsFrom(value: unknown): Record<string, string> {
  const urls: Record<string, string> = {};
  const state = value as { urls?: unknown } | undefined;
  const list = state?.urls;
  if (Array.isArray(list)) {
    for (const u of list) {
      const o = u as { name?: unknown; url?: unknown };
      if (typeof o.name === 'string' && typeof o.url === 'string') urls[o.name] = o.url;
    }
  } else if (list && typeof list === 'object') {
    for (const [k, v] of Object.entries(list)) if (typeof v === 'string') urls[k] = v;
  }
  return urls;
}

export async function startApp(worktreePath: string, worktreeId: string, signal?: AbortSignal): Promise<RunningApp> {
  const api = await loadServices();
  const started = await api.startInstance({ cwd: worktreePath, worktreeId, ...(signal ? { signal } : {}) });
  try {
    const env = await api.getInstanceEnv({ cwd: worktreePath, worktreeId });
    let urls = urlsFrom(started);
    if (Object.keys(urls).length === 0) {
      for (const [k, v] of Object.entries(env)) if (/^FACTORY_URL_/.test(k)) urls[k.slice('FACTORY_URL_'.length).toLowerCase()] = v;
    }
    return {
      worktreeId,
      urls,
      env,
      stop: async () => {
        await api.stopInstance({ cwd: worktreePath, worktreeId });
      },
    };
  } catch (e) {
    await api.stopInstance({ cwd: worktreePath, worktreeId }).catch(() => {});
    throw isFactoryFailure(e) ? e : new FactoryFailure('app-start-failed', `the app did not start: ${(e as Error).message}`);
  }
}

/**
 * A `factory` executable for the agent's PATH, in the sandbox's state dir (visible read-only inside
 * bwrap): it runs this same build with the same node.
 */
export function writeFactoryShim(stateDir: string): string {
  const dir = join(stateDir, 'bin');
  mkdirSync(dir, { recursive: true });
  const bin = fileURLToPath(new URL('../../bin/factory.js', import.meta.url));
  const path = join(dir, 'factory');
  writeFileSync(path, `#!/bin/sh\nexec '${process.execPath.replaceAll("'", `'\\''`)}' '${bin.replaceAll("'", `'\\''`)}' "$@"\n`);
  chmodSync(path, 0o755);
  return dir;
}
