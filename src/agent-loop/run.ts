/**
 * `run()`: one agent, iterating in a sandbox on a worktree, until the completion signal or
 * `maxIterations`. Order (each step fails before the next creates anything):
 *
 *   options → prompt + arguments → agent preflight → sandbox provider available
 *     → worktree (copyToWorktree, host.onWorktreeReady) → run log → app instance (factory.yaml)
 *     → sandbox (ready hooks) → iterations [expand `!`cmd`` in the sandbox → agent → watch]
 *     → structured output → commits, branch strategy (merge / leave) → worktree removed if clean
 *     → app stopped (unless keepEnv)
 *
 * Any failure or abort closes the sandbox (killing every agent process), stops the app and KEEPS
 * the worktree; the thrown FactoryFailure says where it is, with the branch, session id and log.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { findContractFile } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { bwrap, collectCommits, createSandbox, dirtyFiles, git, syncIn, syncOut } from '../sandboxes/index.js';
import { removesWorktree, runWorktree } from './run-worktree.js';
import type { FinishResult, Sandbox, SandboxProvider, Worktree } from '../sandboxes/index.js';
import {
  APP_PROMPT_ARGS,
  appPromptValues,
  factoryMcpServer,
  startApp,
  writeFactoryShim,
  type RunningApp,
} from './app.js';
import { safeCall, type RunEvent } from './events.js';
import { iterationFailure, withRunFacts, type RunFacts } from './failures.js';
import { runIteration, type IterationOutcome } from './iteration.js';
import { DEFAULT_IDLE_NOTICE_SECONDS } from './idle-notice.js';
import { openRunLog } from './log.js';
import {
  checkOptions,
  completionSignals,
  DEFAULT_COMPLETION_TIMEOUT_SECONDS,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  type IterationResult,
  type RunOptions,
  type RunResult,
} from './options.js';
import { extractOutput } from './output.js';
import { loadPrompt, makeShellRunner } from './prompt-source.js';
import { argumentValues, BUILT_IN_ARGS, checkArguments, renderTemplate } from './prompt.js';
import { captureSession, transferSession } from './sessions.js';
import type { AgentEvent, Usage } from './types.js';
import { addUsage } from './usage.js';
import type { LifecycleEvent } from './events.js';

const RESULT_TEXT_CHARS = 64 * 1024;

function isSandbox(value: SandboxProvider | Sandbox): value is Sandbox {
  return typeof (value as Sandbox).spawn === 'function';
}

async function branchTip(worktree: Worktree): Promise<string> {
  return git(worktree.repoRoot, ['rev-parse', `refs/heads/${worktree.branch}`]);
}

/** Other sandbox homes of this repo, where a session from an earlier run may live. */
function sandboxHomes(repoRoot: string): string[] {
  const dir = join(repoRoot, '.factory', 'sandboxes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((n) => join(dir, n, 'home'));
}

export async function run<T = undefined>(options: RunOptions<T>): Promise<RunResult<T>> {
  checkOptions(options);
  const { agent, signal } = options;
  const cwd = resolve(options.cwd ?? process.cwd());
  // A ready Sandbox (from createSandbox / createWorktreeSandbox) is used as it is and not closed.
  const given = options.sandbox && isSandbox(options.sandbox) ? options.sandbox : undefined;
  const provider: SandboxProvider | undefined = given
    ? undefined
    : ((options.sandbox as SandboxProvider | undefined) ?? bwrap());
  const sandboxName = given?.provider ?? (provider as SandboxProvider).name;
  if (given && !options.worktree)
    throw new FactoryFailure('usage', 'a ready sandbox needs the worktree it was made on: pass `worktree` too', {
      exitCode: ExitCode.invalid,
    });
  const maxIterations = options.maxIterations ?? 1;
  const signals = completionSignals(options);
  const idleSeconds = options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
  const graceSeconds = options.completionTimeoutSeconds ?? DEFAULT_COMPLETION_TIMEOUT_SECONDS;
  const warnings: string[] = [];

  // Prompt and arguments: every mistake here is reported before anything exists.
  const prompt = await loadPrompt(options);
  const userArgs = argumentValues(options.promptArgs);
  const appWanted = options.app !== false && findContractFile(cwd) !== undefined;
  if (options.mcp && findContractFile(cwd) === undefined)
    throw new FactoryFailure('usage', `--mcp needs a factory.yaml in ${cwd} or above: its tools act on the app`, {
      exitCode: ExitCode.invalid,
      hint: 'run "factory init" to write one, or drop --mcp',
    });
  if (prompt.parsed) {
    const available = [...BUILT_IN_ARGS, ...(appWanted ? APP_PROMPT_ARGS : [])];
    for (const w of checkArguments(prompt.parsed, userArgs, available, prompt.origin).warnings)
      warnings.push(w.message);
  }
  if (options.output && !prompt.text.includes(`<${options.output.tag}>`)) {
    throw new FactoryFailure(
      'usage',
      `structured output: the prompt must show the agent the <${options.output.tag}> tag to answer in`,
      { exitCode: ExitCode.invalid },
    );
  }
  const hostEnv: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (options.preflight !== false) await agent.preflight({ env: hostEnv, ...(signal ? { signal } : {}) });
  const availability = provider ? await provider.available() : ({ ok: true } as const);
  if (!availability.ok) {
    throw new FactoryFailure(
      'sandbox-unavailable',
      `sandbox provider ${sandboxName} cannot run here: ${availability.reason}`,
      { exitCode: ExitCode.unavailable, hint: 'pick another with --sandbox (none, bwrap, docker, podman)' },
    );
  }
  if (sandboxName === 'none' && (options.skipPermissions ?? true)) {
    warnings.push(
      `the agent runs WITHOUT a sandbox and with its permission prompts skipped: it can do anything you can (use --sandbox bwrap for unattended runs)`,
    );
  }
  if (signal?.aborted) throw withRunFacts(undefined, { name: options.name ?? '', iterations: 0 }, true);

  // A worktree the caller made (createWorktree) stays theirs: nothing merges or removes it.
  const { worktree, owned: ownsWorktree } = await runWorktree(options, cwd, signal);
  const name = worktree.name;
  // Commits of THIS run: from the branch tip at start (a reused worktree may hold earlier ones).
  const startCommit = ownsWorktree ? worktree.baseCommit : await branchTip(worktree);
  const log = openRunLog(
    options.logging ?? { type: 'file', path: join(worktree.repoRoot, '.factory', 'logs', 'agent', `${name}.log`) },
    name,
  );
  const facts: RunFacts = {
    name,
    worktreePath: worktree.path,
    branch: worktree.branch,
    iterations: 0,
    ...(log.path ? { logPath: log.path } : {}),
  };
  let iteration = 0;
  const emit = (e: AgentEvent | LifecycleEvent): void => {
    const stamped = { ...e, iteration, timestamp: new Date().toISOString() } as RunEvent;
    log.event(stamped);
    safeCall(options.onEvent, stamped);
  };
  emit({
    type: 'run-start',
    name,
    agent: agent.name,
    sandbox: sandboxName,
    branch: worktree.branch,
    worktreePath: worktree.path,
    ...(log.path ? { logPath: log.path } : {}),
  });
  for (const w of warnings) emit({ type: 'warning', message: w });

  let app: RunningApp | undefined;
  let sandbox: Sandbox | undefined;
  const iterations: IterationResult[] = [];
  let usage: Usage | undefined;
  let last: IterationOutcome | undefined;
  let sessionId: string | undefined;
  try {
    if (appWanted && findContractFile(worktree.path) !== undefined) {
      emit({ type: 'status', message: `starting the app (worktree id ${name})` });
      app = await startApp(worktree.path, name, signal);
      emit({
        type: 'status',
        message: `app up: ${
          Object.entries(app.urls)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'no URLs'
        }`,
      });
    }
    const shimDir = writeFactoryShim(worktree.stateDir);
    const credentials = Object.fromEntries(
      agent.credentialEnv.filter((k) => (process.env[k] ?? '') !== '').map((k) => [k, process.env[k] as string]),
    );
    const env: Record<string, string> = {
      ...credentials,
      ...(app?.env ?? {}),
      ...(options.env ?? {}),
      PATH: `${shimDir}:${options.env?.PATH ?? process.env.PATH ?? '/usr/bin:/bin'}`,
      FACTORY_AGENT_RUN: name,
    };
    sandbox =
      given ??
      (await createSandbox({
        provider: provider as SandboxProvider,
        worktree,
        env,
        ...(options.network ? { network: options.network } : {}),
        ...(options.mounts ? { mounts: options.mounts } : {}),
        ...(options.hooks ? { hooks: options.hooks } : {}),
        ...(signal ? { signal } : {}),
      }));
    // An isolated sandbox (own filesystem) gets the branch as a git clone; its commits come back
    // through syncOut before they are collected.
    const agentCwd = sandbox.kind === 'isolated' ? posix.join(sandbox.workdir, 'repo') : undefined;
    if (agentCwd && !given) await syncIn(sandbox, worktree, agentCwd);
    if (options.resumeSession) {
      transferSession(
        agent.name,
        options.resumeSession,
        sandbox.hostHome,
        agentCwd ?? sandbox.workdir,
        [process.env.HOME ?? '', ...sandboxHomes(worktree.repoRoot)].filter(Boolean),
      );
    }
    const captureTo =
      options.captureSessions !== false && process.env.HOME
        ? { home: process.env.HOME, cwd: worktree.repoRoot }
        : undefined;
    const values = {
      ...userArgs,
      SOURCE_BRANCH: worktree.branch,
      TARGET_BRANCH: worktree.targetBranch,
      ...(app ? appPromptValues(app) : {}),
    };
    const runShell = makeShellRunner(sandbox, signal, env, agentCwd);

    for (iteration = 1; iteration <= maxIterations; iteration++) {
      if (signal?.aborted) throw new FactoryFailure('aborted', 'aborted', { exitCode: ExitCode.interrupted });
      emit({ type: 'iteration-start', maxIterations });
      const text = prompt.parsed ? await renderTemplate(prompt.parsed, values, runShell) : prompt.text;
      const resume = iteration === 1 ? options.resumeSession : undefined;
      const invocation = agent.buildArgv({
        prompt: text,
        skipPermissions: options.skipPermissions ?? true,
        ...(options.model ? { model: options.model } : {}),
        ...(resume ? { resume, fork: options.forkSession ?? false } : {}),
        ...(options.mcp ? { mcpServers: [factoryMcpServer(name)] } : {}),
      });
      last = await runIteration({
        sandbox,
        provider: agent,
        invocation,
        env: { ...env, FACTORY_ITERATION: String(iteration) },
        ...(agentCwd ? { cwd: agentCwd } : {}),
        completionSignals: signals,
        idleTimeoutMs: idleSeconds * 1000,
        idleNoticeMs: (options.idleNoticeSeconds ?? DEFAULT_IDLE_NOTICE_SECONDS) * 1000,
        completionTimeoutMs: graceSeconds * 1000,
        ...(signal ? { signal } : {}),
        emit,
        onStderr: (chunk) => log.stderr(chunk),
      });
      sessionId = last.sessionId ?? sessionId;
      if (sessionId) facts.sessionId = sessionId;
      facts.iterations = iteration;
      const captured = last.sessionId
        ? captureSession(agent.name, last.sessionId, sandbox.hostHome, captureTo)
        : undefined;
      const sessionFilePath = captured?.path;
      if (captured?.warning) {
        warnings.push(captured.warning);
        emit({ type: 'warning', message: captured.warning });
      }
      iterations.push({
        iteration,
        reason: last.reason,
        exitCode: last.exitCode,
        durationMs: last.durationMs,
        ...(last.sessionId ? { sessionId: last.sessionId } : {}),
        ...(sessionFilePath ? { sessionFilePath } : {}),
        ...(last.usage ? { usage: last.usage } : {}),
      });
      usage = addUsage(usage, last.usage);
      emit({
        type: 'iteration-end',
        reason: last.reason,
        exitCode: last.exitCode,
        ...(last.usage ? { usage: last.usage } : {}),
      });
      const failure = iterationFailure(last, agent.name, idleSeconds);
      if (failure) throw failure;
      if (last.reason === 'hung-after-completion') {
        const w = `the agent printed the completion signal but did not exit within ${graceSeconds} s; it was stopped`;
        warnings.push(w);
        emit({ type: 'warning', message: w });
      }
      if (last.completionSignal !== undefined) break;
    }
    iteration = Math.min(iteration, maxIterations);
    if (agentCwd) await syncOut(sandbox, worktree, agentCwd);
    if (!given) await sandbox.close();
    sandbox = undefined;
    const output =
      options.output && last
        ? extractOutput(options.output, last.text, { sessionId, worktreePath: worktree.path, branch: worktree.branch })
        : undefined;

    const commits = await collectCommits({ ...worktree, baseCommit: startCommit });
    const uncommittedFiles = worktree.strategy.type === 'head' ? [] : await dirtyFiles(worktree.path);
    // The app goes before the branch strategy finishes: merge-to-head removes a merged worktree, and
    // an instance whose checkout is gone can no longer be found (its supervisor would be left running).
    if (app && !options.keepEnv) {
      await app.stop();
      app = undefined;
    }
    const merge: FinishResult = ownsWorktree
      ? await worktree.finish()
      : commits.length
        ? { kind: 'left-on-branch', branch: worktree.branch, commits }
        : { kind: 'no-changes', branch: worktree.branch };
    if (removesWorktree(ownsWorktree, options.keepEnv, merge, worktree.path)) {
      if (app) {
        await app.stop();
        app = undefined;
      }
      await worktree.remove();
    }
    if (app && !options.keepEnv) {
      await app.stop();
      app = undefined;
    }
    if (merge.kind === 'conflict' || merge.kind === 'merge-failed')
      emit({ type: 'warning', message: merge.recoveryText });
    const completionSignal = last?.completionSignal;
    const result: RunResult<T> = {
      outcome:
        commits.length === 0 && uncommittedFiles.length === 0
          ? 'no-changes'
          : completionSignal !== undefined
            ? 'completed'
            : 'max-iterations',
      name,
      agent: agent.name,
      sandbox: sandboxName,
      branch: worktree.branch,
      targetBranch: worktree.targetBranch,
      worktreePath: worktree.path,
      worktreeKept: existsSync(worktree.path),
      iterations,
      commits,
      uncommittedFiles,
      merge,
      ...(usage ? { usage } : {}),
      text: (last?.resultText ?? last?.text ?? '').slice(-RESULT_TEXT_CHARS),
      warnings,
      ...(completionSignal !== undefined ? { completionSignal } : {}),
      ...(sessionId ? { sessionId } : {}),
      ...(log.path ? { logPath: log.path } : {}),
      ...(output !== undefined ? { output } : {}),
    };
    const appInfo = app ?? undefined;
    if (options.keepEnv && appInfo)
      result.app = { worktreeId: appInfo.worktreeId, urls: appInfo.urls, env: appInfo.env, kept: true };
    if (sessionId && agent.supportsResume) {
      const sid = sessionId;
      const follow =
        (fork: boolean) =>
        (p: string, overrides: Partial<RunOptions<undefined>> = {}) =>
          run<undefined>({
            ...(options as RunOptions<unknown> as RunOptions<undefined>),
            output: undefined,
            prompt: undefined,
            promptFile: undefined,
            promptArgs: undefined,
            promptTemplate: undefined,
            maxIterations: 1,
            ...overrides,
            ...(overrides.prompt || overrides.promptTemplate || overrides.promptFile ? {} : { prompt: p }),
            resumeSession: sid,
            forkSession: fork,
          });
      result.resume = follow(false);
      if (agent.supportsFork) result.fork = follow(true);
    }
    return result;
  } catch (error) {
    if (!given) await sandbox?.close().catch(() => {});
    if (app && !options.keepEnv) await app.stop().catch(() => {});
    throw withRunFacts(error, facts, signal?.aborted === true);
  } finally {
    log.close();
  }
}
