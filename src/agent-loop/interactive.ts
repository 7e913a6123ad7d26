/**
 * `interactive()`: the agent's own TUI attached to this terminal (stdio inherited), in the same
 * worktree / sandbox / running-app setup as `run()`. One session, no completion signal, no idle
 * timeout — a human is at the keyboard. Defaults differ from `run()` the way Sandcastle's do: no
 * sandbox and no "skip permissions" flag unless asked (you approve the agent's actions yourself).
 *
 * A `{{KEY}}` without a value is asked for on the terminal when stdin is one; otherwise it is the
 * same error as in `run()`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { findContractFile } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { collectCommits, createSandbox, git, noSandbox } from '../sandboxes/index.js';
import { removesWorktree, runWorktree } from './run-worktree.js';
import type { CommitInfo, FinishResult, Sandbox, SandboxProvider } from '../sandboxes/index.js';
import { APP_PROMPT_ARGS, appPromptValues, startApp, writeFactoryShim, type RunningApp } from './app.js';
import { withRunFacts } from './failures.js';
import type { RunOptions } from './options.js';
import { loadPrompt, makeShellRunner } from './prompt-source.js';
import { argumentValues, BUILT_IN_ARGS, checkArguments, renderTemplate } from './prompt.js';

export type InteractiveOptions = Omit<
  RunOptions<undefined>,
  | 'maxIterations'
  | 'completionSignal'
  | 'idleTimeoutSeconds'
  | 'completionTimeoutSeconds'
  | 'output'
  | 'logging'
  | 'onEvent'
  | 'sandbox'
> & {
  /** Default: no sandbox (you are at the keyboard and approve the agent's actions). */
  sandbox?: SandboxProvider;
};

export interface InteractiveResult {
  exitCode: number | null;
  name: string;
  branch: string;
  worktreePath: string;
  worktreeKept: boolean;
  commits: CommitInfo[];
  merge: FinishResult;
}

/** Ask for the values of missing keys on a terminal; undefined when there is no terminal. */
async function askMissing(keys: string[]): Promise<Record<string, string> | undefined> {
  if (keys.length === 0) return {};
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const values: Record<string, string> = {};
    for (const k of keys) values[k] = await rl.question(`value for {{${k}}}: `);
    return values;
  } finally {
    rl.close();
  }
}

export async function interactive(options: InteractiveOptions): Promise<InteractiveResult> {
  const { agent, signal } = options;
  const cwd = resolve(options.cwd ?? process.cwd());
  const provider = options.sandbox ?? noSandbox();
  const hasPrompt =
    options.prompt !== undefined || options.promptFile !== undefined || options.promptTemplate !== undefined;
  const prompt = hasPrompt ? await loadPrompt(options) : undefined;
  const userArgs = argumentValues(options.promptArgs);
  const appWanted = options.app !== false && findContractFile(cwd) !== undefined;
  if (prompt?.parsed) {
    const available: string[] = [...BUILT_IN_ARGS, ...(appWanted ? APP_PROMPT_ARGS : [])];
    const missing = prompt.parsed.keys.filter((k) => !available.includes(k) && !(k in userArgs));
    const asked = await askMissing(missing);
    if (asked) Object.assign(userArgs, asked);
    checkArguments(prompt.parsed, userArgs, available, prompt.origin);
  }
  if (options.resumeSession !== undefined && !agent.supportsResume)
    throw new FactoryFailure('usage', `the ${agent.name} agent cannot resume sessions`, { exitCode: ExitCode.invalid });
  if (options.preflight !== false)
    await agent.preflight({ env: { ...process.env, ...options.env }, ...(signal ? { signal } : {}) });
  const availability = await provider.available();
  if (!availability.ok)
    throw new FactoryFailure(
      'sandbox-unavailable',
      `sandbox provider ${provider.name} cannot run here: ${availability.reason}`,
      { exitCode: ExitCode.unavailable },
    );

  // A worktree the caller made (createWorktree) stays theirs: nothing merges or removes it.
  const { worktree, owned: ownsWorktree } = await runWorktree(options, cwd, signal);
  const startCommit = ownsWorktree
    ? worktree.baseCommit
    : await git(worktree.repoRoot, ['rev-parse', `refs/heads/${worktree.branch}`]);
  let app: RunningApp | undefined;
  let sandbox: Sandbox | undefined;
  try {
    if (appWanted && findContractFile(worktree.path) !== undefined)
      app = await startApp(worktree.path, worktree.name, signal);
    const shimDir = writeFactoryShim(worktree.stateDir);
    const credentials = Object.fromEntries(
      agent.credentialEnv.filter((k) => (process.env[k] ?? '') !== '').map((k) => [k, process.env[k] as string]),
    );
    sandbox = await createSandbox({
      provider,
      worktree,
      env: {
        ...credentials,
        ...(app?.env ?? {}),
        ...(options.env ?? {}),
        PATH: `${shimDir}:${options.env?.PATH ?? process.env.PATH ?? '/usr/bin:/bin'}`,
        FACTORY_AGENT_RUN: worktree.name,
      },
      ...(options.network ? { network: options.network } : {}),
      ...(options.mounts ? { mounts: options.mounts } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      ...(signal ? { signal } : {}),
    });
    const values = {
      ...userArgs,
      SOURCE_BRANCH: worktree.branch,
      TARGET_BRANCH: worktree.targetBranch,
      ...(app ? appPromptValues(app) : {}),
    };
    const text = prompt
      ? prompt.parsed
        ? await renderTemplate(prompt.parsed, values, makeShellRunner(sandbox, signal))
        : prompt.text
      : undefined;
    const argv = agent.buildInteractiveArgv({
      skipPermissions: options.skipPermissions ?? provider.name !== 'none',
      ...(text !== undefined ? { prompt: text } : {}),
      ...(options.model ? { model: options.model } : {}),
      ...(options.resumeSession ? { resume: options.resumeSession, fork: options.forkSession ?? false } : {}),
    });
    const r = await sandbox.exec(argv, { interactive: true, ...(signal ? { signal } : {}) });
    if (r.aborted || signal?.aborted)
      throw new FactoryFailure('aborted', 'aborted', { exitCode: ExitCode.interrupted });
    await sandbox.close();
    sandbox = undefined;
    const commits = await collectCommits({ ...worktree, baseCommit: startCommit });
    const merge: FinishResult = ownsWorktree
      ? await worktree.finish()
      : commits.length
        ? { kind: 'left-on-branch', branch: worktree.branch, commits }
        : { kind: 'no-changes', branch: worktree.branch };
    if (app && !options.keepEnv) {
      await app.stop();
      app = undefined;
    }
    if (removesWorktree(ownsWorktree, options.keepEnv, merge, worktree.path)) await worktree.remove();
    return {
      exitCode: r.exitCode,
      name: worktree.name,
      branch: worktree.branch,
      worktreePath: worktree.path,
      worktreeKept: existsSync(worktree.path),
      commits,
      merge,
    };
  } catch (error) {
    await sandbox?.close().catch(() => {});
    if (app && !options.keepEnv) await app.stop().catch(() => {});
    throw withRunFacts(
      error,
      { name: worktree.name, worktreePath: worktree.path, branch: worktree.branch, iterations: 0 },
      signal?.aborted === true,
    );
  }
}
