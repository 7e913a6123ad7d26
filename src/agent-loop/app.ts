/**
 * The running app: when the worktree has a factory.yaml, the run starts that worktree's instance
 * (worktree id = run name) before the first iteration, hands its URLs and `FACTORY_*` variables to
 * the agent (environment and `{{FACTORY_URLS}}`/`{{FACTORY_ENV}}` in the prompt), puts a `factory`
 * executable on the agent's PATH (so it can call `factory status|test|validate|logs` inside the
 * sandbox), and stops the instance at the end unless told to keep it.
 *
 * The runtime lives in src/services (startInstance / getInstanceEnv / stopInstance); this file only
 * adapts it to the loop.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FactoryFailure, isFactoryFailure } from '../lib/failure.js';
import { packageRoot } from '../lib/package-root.js';
import { getInstanceEnv, resolveInstance, startInstance, stopInstance } from '../services/index.js';
import type { McpServerSpec } from './types.js';

/** Prompt arguments the running app provides. */
export const APP_PROMPT_ARGS = ['FACTORY_URLS', 'FACTORY_ENV', 'FACTORY_WORKTREE_ID'] as const;

export interface RunningApp {
  worktreeId: string;
  urls: Record<string, string>;
  /** `FACTORY_*` and port variables for the agent. */
  env: Record<string, string>;
  stop(): Promise<void>;
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

export async function startApp(worktreePath: string, worktreeId: string, signal?: AbortSignal): Promise<RunningApp> {
  // Compiled once for the run: startInstance and getInstanceEnv both take the resolved instance.
  const at = { cwd: worktreePath, worktreeId };
  const where = { instance: await resolveInstance(at) };
  // Stopped by its contract file's path, not found upwards from cwd: were the worktree gone, a
  // lookup would find the main checkout's factory.yaml and act on another instance.
  const exact = { file: where.instance.contract.file, worktreeId };
  const status = await startInstance({ ...where, ...(signal ? { signal } : {}) });
  try {
    const env = await getInstanceEnv(where);
    return {
      worktreeId,
      urls: { ...status.urls },
      env,
      stop: async () => {
        await stopInstance(exact);
      },
    };
  } catch (e) {
    await stopInstance(exact).catch(() => {});
    throw isFactoryFailure(e)
      ? e
      : new FactoryFailure('app-start-failed', `the app did not start: ${(e as Error).message}`);
  }
}

/**
 * `factory mcp` for the run's instance, as the agent's MCP server: the `factory` on the agent's PATH
 * (the shim below), started by the agent CLI in its own cwd — the worktree — inside the sandbox.
 */
export function factoryMcpServer(worktreeId: string): McpServerSpec {
  return { name: 'factory', command: 'factory', args: ['mcp', '--worktree-id', worktreeId] };
}

/**
 * A `factory` executable for the agent's PATH, in the sandbox's state dir (visible read-only inside
 * bwrap): it runs this same build with the same node.
 */
export function writeFactoryShim(stateDir: string): string {
  const dir = join(stateDir, 'bin');
  mkdirSync(dir, { recursive: true });
  const bin = join(packageRoot(), 'bin', 'factory.js');
  const path = join(dir, 'factory');
  writeFileSync(
    path,
    `#!/bin/sh\nexec '${process.execPath.replaceAll("'", `'\\''`)}' '${bin.replaceAll("'", `'\\''`)}' "$@"\n`,
  );
  chmodSync(path, 0o755);
  return dir;
}
