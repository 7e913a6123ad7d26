/**
 * `factory agent run`: run a coding agent in a sandbox on a git worktree until it signals
 * completion (library: `run()` in src/agent-loop/run.ts; every flag maps to one of its options).
 * With `--prd N`, or with no prompt and a backlog (--backlog, --backlog-dir, FACTORY_BACKLOG or a
 * prds/ folder here), it walks PRDs instead (agent-prd.ts).
 *
 * Exit codes: 0 the run ended (completed, max iterations, or no changes — see `outcome`);
 * 1 the agent failed, timed out idle, gave invalid structured output, or the merge conflicted
 * (the branch and worktree are kept, recovery commands printed); 2 bad flags, prompt or arguments;
 * 3 the agent CLI is missing or logged out, or the sandbox/app cannot run here; 130 interrupted
 * (Ctrl-C: the agent's process tree is stopped, the worktree kept).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand, type ArgDef } from 'citty';
import {
  type RunEvent,
  type LoggingOption,
  Output,
  type OutputDefinition,
  AGENT_NAMES,
  createAgentProvider,
  describeUsage,
  idleMessage,
  interactive,
  run,
  toAgentRunJson,
  type RunOptions,
} from '../agent-loop/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { colors, eprintln, printJson, println } from '../lib/output.js';
import { SANDBOX_PROVIDER_NAMES, sandboxProviderByName } from '../sandboxes/index.js';
import type { BranchStrategy, Mount, NetworkMode } from '../sandboxes/index.js';
import { parseDuration, prdArgs, runPrd, type PrdRunArgs } from './agent-prd.js';

const usage = (message: string, hint?: string) =>
  new FactoryFailure('usage', message, { exitCode: ExitCode.invalid, ...(hint ? { hint } : {}) });

const runArgs = {
  prompt: { type: 'string', description: 'The prompt (a template: {{KEY}} and !`cmd` are resolved)' },
  'prompt-file': { type: 'string', description: 'Prompt template file' },
  agent: { type: 'string', description: `Agent: ${AGENT_NAMES.join(', ')} (default claude-code)` },
  model: { type: 'string', description: "Model (default: the agent's own)" },
  command: {
    type: 'string',
    description: 'With --agent command: the executable (its args after --); gets the prompt on stdin',
  },
  sandbox: { type: 'string', description: `Sandbox: ${SANDBOX_PROVIDER_NAMES.join(', ')} (default bwrap)` },
  branch: {
    type: 'string',
    description: 'Commit on this branch (created from --base-branch or HEAD); default: the current branch in place',
  },
  'base-branch': { type: 'string', description: 'With --branch: where a new branch starts' },
  'merge-to-head': {
    type: 'boolean',
    description: 'Work on a temp branch and merge it into the current branch at the end',
  },
  'max-iterations': {
    type: 'string',
    description: 'Iterations before giving up without the completion signal (default 1)',
  },
  arg: { type: 'string', description: 'Prompt argument KEY=VALUE for {{KEY}} (repeatable)' },
  'completion-signal': {
    type: 'string',
    description: 'Text that ends the loop (repeatable; default <promise>COMPLETE</promise>)',
  },
  'idle-timeout': {
    type: 'string',
    description: 'Stop the agent after this long without output: 600, 90s, 10m (default 10m)',
  },
  'idle-notice': {
    type: 'string',
    description: 'While the agent prints nothing, say so after each interval: 60, 30s, 2m; 0 = never (default 1m)',
  },
  'completion-timeout': {
    type: 'string',
    description: 'After the completion signal, wait this long for the agent to exit (default 60s)',
  },
  name: { type: 'string', description: 'Run name: worktree, temp branch, log and app instance id' },
  resume: {
    type: 'string',
    description: 'Resume this agent session (claude-code, codex, opencode, cursor, copilot, pi)',
  },
  fork: { type: 'boolean', description: 'With --resume: continue in a new session, leaving the original untouched' },
  'output-tag': { type: 'string', description: 'Structured output: the XML tag the agent answers in' },
  'output-schema': {
    type: 'string',
    description: 'Structured output: JSON Schema file the answer must match (without it, the tag text is returned)',
  },
  env: {
    type: 'string',
    description:
      "Environment variable for the agent KEY=VALUE (repeatable; host secrets are not passed into bwrap otherwise, except the agent's own credential variables)",
  },
  copy: {
    type: 'string',
    description: 'Copy this repo path into a new worktree (repeatable; e.g. node_modules, .env)',
  },
  network: { type: 'string', description: 'Sandbox network: host (default; the app is reachable), loopback, none' },
  mount: {
    type: 'string',
    description: 'Extra host dir in the sandbox: HOST[:SANDBOX_PATH][:ro] (repeatable; e.g. the dir of an agent CLI)',
  },
  app: {
    type: 'boolean',
    default: true,
    description: 'Start the app when the repo has a factory.yaml (--no-app to skip)',
  },
  'keep-env': { type: 'boolean', description: 'Leave the app instance (and worktree) running after the run' },
  mcp: {
    type: 'boolean',
    description: 'Give the agent `factory mcp` for its instance as an MCP server (claude-code, codex, opencode)',
  },
  preflight: {
    type: 'boolean',
    default: true,
    description: 'Check the agent CLI is installed and logged in first (--no-preflight to skip)',
  },
  'log-file': { type: 'string', description: 'Write the run log here (default .factory/logs/agent/<name>.log)' },
  stream: { type: 'boolean', description: "Show the agent's output on the terminal (stderr) instead of a log file" },
  json: { type: 'boolean', description: 'Print one JSON result (schema/agent-run.schema.json)' },
} as const satisfies Record<string, ArgDef>;

/** Values of a repeatable flag (citty keeps only the last), read from the raw argv before `--`. */
export function repeated(rawArgs: string[], flag: string): string[] {
  const out: string[] = [];
  const end = rawArgs.indexOf('--');
  const argv = end < 0 ? rawArgs : rawArgs.slice(0, end);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === `--${flag}` && i + 1 < argv.length) out.push(argv[++i] as string);
    else if (a.startsWith(`--${flag}=`)) out.push(a.slice(flag.length + 3));
  }
  return out;
}

/** `HOST[:SANDBOX_PATH][:ro]`; the sandbox path defaults to the same absolute path. */
export function parseMount(spec: string): Mount {
  const parts = spec.split(':');
  const readonly = parts.length > 1 && parts[parts.length - 1] === 'ro';
  if (readonly) parts.pop();
  if (parts.length > 2 || !parts[0]) throw usage(`--mount must be HOST[:SANDBOX_PATH][:ro] (got "${spec}")`);
  const hostPath = resolve(parts[0]);
  return { hostPath, sandboxPath: parts[1] ?? hostPath, readonly };
}

/** Repeated `--env KEY=VALUE`. */
function parseEnv(rawArgs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of repeated(rawArgs, 'env')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw usage(`--env must be KEY=VALUE (got "${kv}")`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseDuration(value, flag) / 1000;
}

function branchStrategy(a: { branch?: string; 'base-branch'?: string; 'merge-to-head'?: boolean }): BranchStrategy {
  if (a.branch && a['merge-to-head']) throw usage('--branch and --merge-to-head exclude each other');
  if (a['base-branch'] && !a.branch) throw usage('--base-branch needs --branch');
  if (a.branch)
    return { type: 'branch', branch: a.branch, ...(a['base-branch'] ? { baseBranch: a['base-branch'] } : {}) };
  return a['merge-to-head'] ? { type: 'merge-to-head' } : { type: 'head' };
}

function outputDefinition(
  tag: string | undefined,
  schemaFile: string | undefined,
): OutputDefinition<unknown> | undefined {
  if (!tag && !schemaFile) return undefined;
  if (!tag) throw usage('--output-schema needs --output-tag (the tag the agent answers in)');
  if (!schemaFile) return Output.string({ tag });
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(resolve(schemaFile), 'utf8'));
  } catch (e) {
    throw usage(`cannot read the JSON Schema ${schemaFile}: ${(e as Error).message}`);
  }
  if (typeof schema !== 'object' || schema === null) throw usage(`${schemaFile} is not a JSON Schema object`);
  return Output.json<unknown>({ tag, schema });
}

/** Human rendering of the run's progress on stderr (the agent's own output goes to the log). */
function renderProgress(e: RunEvent, streaming: boolean): void {
  if (e.type === 'run-start') {
    eprintln(
      `${colors.cyan('→')} ${e.agent} in ${e.sandbox} on ${colors.bold(e.branch)} ${colors.dim(e.worktreePath)}`,
    );
    if (e.logPath) eprintln(`  ${colors.dim('log:')} tail -f ${e.logPath}`);
  } else if (!streaming && e.type === 'iteration-start')
    eprintln(`${colors.cyan('→')} iteration ${e.iteration}/${e.maxIterations}`);
  else if (!streaming && e.type === 'warning') eprintln(`${colors.yellow('warning')} ${e.message}`);
  else if (!streaming && e.type === 'status') eprintln(colors.dim(e.message));
  else if (!streaming && e.type === 'idle') eprintln(colors.yellow(idleMessage(e.idleSeconds, e.idleTimeoutSeconds)));
}

export const agentRun = defineCommand({
  meta: { name: 'run', description: 'Run a coding agent in a sandbox on a git worktree until it signals completion.' },
  args: { ...runArgs, ...prdArgs },
  async run({ args, rawArgs }) {
    const noPrompt = args.prompt === undefined && args['prompt-file'] === undefined;
    const backlogHere =
      args.backlog !== undefined ||
      args['backlog-dir'] !== undefined ||
      process.env.FACTORY_BACKLOG !== undefined ||
      existsSync(resolve('prds'));
    if (args.prd !== undefined || (noPrompt && backlogHere)) {
      return runPrd(args as PrdRunArgs);
    }
    if (args.prompt === undefined && args['prompt-file'] === undefined)
      throw usage('give --prompt "…" or --prompt-file path.md (or --prd N to walk a PRD)');
    if (args.prompt !== undefined && args['prompt-file'] !== undefined)
      throw usage('--prompt and --prompt-file exclude each other');
    const agentName = args.agent ?? 'claude-code';
    const agent = agentFromArgs(agentName, args, rawArgs);
    const promptArgs = promptArgsFrom(rawArgs);
    const maxIterations = args['max-iterations'] === undefined ? undefined : Number(args['max-iterations']);
    if (maxIterations !== undefined && (!Number.isInteger(maxIterations) || maxIterations < 1))
      throw usage(`--max-iterations must be a positive integer (got "${args['max-iterations']}")`);
    if (args.network !== undefined && !['host', 'loopback', 'none'].includes(args.network))
      throw usage(`--network must be host, loopback or none (got "${args.network}")`);
    const streaming = args.stream === true;
    const logging: LoggingOption | undefined = streaming
      ? { type: 'terminal' }
      : args['log-file']
        ? { type: 'file', path: resolve(args['log-file']) }
        : undefined;
    const signals = repeated(rawArgs, 'completion-signal');
    const copies = repeated(rawArgs, 'copy');
    const mounts = repeated(rawArgs, 'mount').map(parseMount);
    const env = parseEnv(rawArgs);
    const output = outputDefinition(args['output-tag'], args['output-schema']);
    const idle = seconds(args['idle-timeout'], 'idle-timeout');
    const grace = seconds(args['completion-timeout'], 'completion-timeout');
    const notice = seconds(args['idle-notice'], 'idle-notice');

    const abort = new AbortController();
    let interrupts = 0;
    const onSignal = (): void => {
      if (interrupts++ === 0) eprintln(colors.yellow('stopping the agent… (the worktree is kept)'));
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const options: RunOptions<unknown> = {
      agent,
      sandbox: sandboxProviderByName(args.sandbox ?? 'bwrap'),
      cwd: process.cwd(),
      ...(args.prompt !== undefined ? { promptTemplate: args.prompt } : { promptFile: args['prompt-file'] as string }),
      promptArgs,
      branchStrategy: branchStrategy(args),
      ...(args.name ? { name: args.name } : {}),
      ...(maxIterations ? { maxIterations } : {}),
      ...(signals.length ? { completionSignal: signals } : {}),
      ...(idle ? { idleTimeoutSeconds: idle } : {}),
      ...(grace ? { completionTimeoutSeconds: grace } : {}),
      ...(notice !== undefined ? { idleNoticeSeconds: notice } : {}),
      ...(output ? { output } : {}),
      ...(args.resume ? { resumeSession: args.resume, forkSession: args.fork === true } : {}),
      ...(logging ? { logging } : {}),
      ...(copies.length ? { copyToWorktree: copies } : {}),
      ...(args.network ? { network: args.network as NetworkMode } : {}),
      ...(mounts.length ? { mounts } : {}),
      ...(Object.keys(env).length ? { env } : {}),
      app: args.app === false ? false : 'auto',
      keepEnv: args['keep-env'] === true,
      ...(args.mcp ? { mcp: true } : {}),
      preflight: args.preflight !== false,
      signal: abort.signal,
      onEvent: (e) => {
        if (!args.json) renderProgress(e, streaming);
      },
    };
    try {
      const result = await run(options);
      const conflict = result.merge.kind === 'conflict' || result.merge.kind === 'merge-failed';
      if (args.json) {
        printJson(toAgentRunJson(result));
      } else {
        const m = result.merge;
        const where =
          m.kind === 'merged'
            ? `merged into ${m.into}`
            : m.kind === 'left-on-branch'
              ? `on ${m.branch}`
              : m.kind === 'head'
                ? `on ${result.branch}`
                : m.kind === 'no-changes'
                  ? 'no commits'
                  : `NOT merged (${m.kind})`;
        const tokens = describeUsage(result.usage) ? `, ${describeUsage(result.usage)}` : '';
        println(
          `${result.outcome === 'no-changes' ? colors.yellow('no changes') : colors.green(result.outcome)}: ${result.iterations.length} iteration(s), ${result.commits.length} commit(s) ${where}${tokens}`,
        );
        for (const c of result.commits) println(`  ${colors.dim(c.sha.slice(0, 10))} ${c.subject}`);
        if (result.uncommittedFiles.length)
          println(
            `${colors.yellow('uncommitted')} ${result.uncommittedFiles.length} file(s) left in ${result.worktreePath}`,
          );
        if (conflict) eprintln(m.kind === 'conflict' || m.kind === 'merge-failed' ? m.recoveryText : '');
        if (result.sessionId) println(colors.dim(`session ${result.sessionId}`));
        if (result.output !== undefined) println(JSON.stringify(result.output, null, 2));
        if (result.app)
          println(
            `app kept running: ${Object.values(result.app.urls).join(' ')} (factory stop --worktree-id ${result.app.worktreeId})`,
          );
      }
      return conflict ? ExitCode.failed : ExitCode.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});

/** The agent provider `--agent`, `--model` and `--command … -- <its args>` name. */
function agentFromArgs(name: string, args: { model?: string; command?: string }, rawArgs: string[]) {
  return createAgentProvider(name, {
    ...(args.model ? { model: args.model } : {}),
    ...(args.command ? { command: args.command } : {}),
    commandArgs: rawArgs.includes('--') ? rawArgs.slice(rawArgs.indexOf('--') + 1) : [],
  });
}

/** `--arg KEY=VALUE`, repeated, as the prompt's arguments. */
function promptArgsFrom(rawArgs: string[]): Record<string, string> {
  const promptArgs: Record<string, string> = {};
  for (const kv of repeated(rawArgs, 'arg')) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw usage(`--arg must be KEY=VALUE (got "${kv}")`);
    promptArgs[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return promptArgs;
}

/** The run flags an interactive session also takes, in the order `--help` lists them. */
function runFlags<K extends keyof typeof runArgs>(...names: K[]): Pick<typeof runArgs, K> {
  return Object.fromEntries(names.map((n) => [n, runArgs[n]])) as Pick<typeof runArgs, K>;
}

const interactiveArgs = {
  ...runFlags('prompt', 'prompt-file', 'agent', 'model', 'command'),
  sandbox: {
    type: 'string',
    description: `Sandbox: ${SANDBOX_PROVIDER_NAMES.join(', ')} (default none: you approve the agent's actions)`,
  },
  ...runFlags(
    'branch',
    'base-branch',
    'merge-to-head',
    'arg',
    'name',
    'resume',
    'fork',
    'env',
    'copy',
    'network',
    'mount',
    'app',
    'keep-env',
    'preflight',
  ),
} as const satisfies Record<string, ArgDef>;

/**
 * `factory agent interactive`: the agent's own TUI on this terminal, in the same worktree / sandbox /
 * app setup. Exit code: the agent's own (0 when it exits cleanly), 2/3 as for `run`, 130 interrupted.
 */
export const agentInteractive = defineCommand({
  meta: {
    name: 'interactive',
    description: "Open the agent's own interactive session in a worktree and sandbox (default: no sandbox).",
  },
  args: interactiveArgs,
  async run({ args, rawArgs }) {
    if (args.prompt !== undefined && args['prompt-file'] !== undefined)
      throw usage('--prompt and --prompt-file exclude each other');
    const agent = agentFromArgs(args.agent ?? 'claude-code', args, rawArgs);
    const promptArgs = promptArgsFrom(rawArgs);
    const mounts = repeated(rawArgs, 'mount').map(parseMount);
    const copies = repeated(rawArgs, 'copy');
    // The agent owns the terminal: Ctrl-C goes to it (same process group); we only stop on SIGTERM.
    const abort = new AbortController();
    const onTerm = (): void => abort.abort();
    const ignoreInt = (): void => {};
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', ignoreInt);
    try {
      const r = await interactive({
        agent,
        sandbox: sandboxProviderByName(args.sandbox ?? 'none'),
        cwd: process.cwd(),
        ...(args.prompt !== undefined
          ? { promptTemplate: args.prompt }
          : args['prompt-file'] !== undefined
            ? { promptFile: args['prompt-file'] }
            : {}),
        promptArgs,
        branchStrategy: branchStrategy(args),
        ...(args.name ? { name: args.name } : {}),
        ...(args.resume ? { resumeSession: args.resume, forkSession: args.fork === true } : {}),
        ...(copies.length ? { copyToWorktree: copies } : {}),
        ...(mounts.length ? { mounts } : {}),
        ...(Object.keys(parseEnv(rawArgs)).length ? { env: parseEnv(rawArgs) } : {}),
        ...(args.network ? { network: args.network as NetworkMode } : {}),
        app: args.app === false ? false : 'auto',
        keepEnv: args['keep-env'] === true,
        preflight: args.preflight !== false,
        signal: abort.signal,
      });
      eprintln(
        `${colors.cyan('→')} session ended (exit ${String(r.exitCode)}): ${r.commits.length} commit(s), ${r.merge.kind}${r.worktreeKept ? `; worktree kept: ${r.worktreePath}` : ''}`,
      );
      if (r.merge.kind === 'conflict' || r.merge.kind === 'merge-failed') eprintln(r.merge.recoveryText);
      return r.exitCode === 0 ? ExitCode.ok : ExitCode.failed;
    } finally {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', ignoreInt);
    }
  },
});

export default defineCommand({
  meta: { name: 'agent', description: 'Run coding agents in sandboxes on git worktrees.' },
  subCommands: { run: agentRun, interactive: agentInteractive },
});
