/**
 * Running the contract's tests in the PRD's worktree after each task.
 *
 * This is the walker's own small runner for test suites that need no services: it loads the
 * worktree's `factory.yaml`, runs each suite's commands in order (shell lines through `sh -c`,
 * argv as is) with the suite's cwd and timeout, and writes each suite's output to a log file.
 * `factory test` (src/test-suites/) was not available when this was written; suites that need
 * services are reported as failed with that reason rather than silently skipped. A repository
 * without a `factory.yaml` has no tests to run: the result says so and counts as passing.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { findContractFile, loadContract } from '../../contract/load.js';
import type { Command, TestSuite } from '../../contract/types.js';
import type { SuiteResult, TestRunner, TestRunResult } from './runner.js';

function runCommand(command: Command, cwd: string, env: NodeJS.ProcessEnv, log: NodeJS.WritableStream, signal: AbortSignal, timeoutMs: number): Promise<number | string> {
  const argv = command.kind === 'shell' ? ['sh', '-c', command.line] : command.argv;
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) return resolve('empty command');
    // Own process group, so a timeout or abort kills what the suite started too.
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    let why: string | undefined;
    const timer = setTimeout(() => {
      why = `timed out after ${timeoutMs} ms`;
      kill();
    }, timeoutMs);
    const onAbort = () => {
      why = 'interrupted';
      kill();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(e.message);
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(why ?? (code ?? `killed by ${sig}`));
    });
  });
}

async function runSuite(suite: TestSuite, root: string, logDir: string, label: string, signal: AbortSignal): Promise<SuiteResult> {
  const logFile = join(logDir, `tests-${label}-${suite.name}.log`);
  if (suite.needs.length > 0) {
    return { suite: suite.name, ok: false, summary: `needs services (${suite.needs.join(', ')}); run it with "factory test ${suite.name}"`, logFile: undefined };
  }
  const log = createWriteStream(logFile);
  // Plain values only: `${…}` templates need an instance (ports), which this runner does not start.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(suite.env)) if (!v.includes('${')) env[k] = v;
  const cwd = join(root, suite.cwd);
  let summary = `${suite.commands.length} command${suite.commands.length === 1 ? '' : 's'} passed`;
  let ok = true;
  for (const [i, command] of suite.commands.entries()) {
    log.write(`$ ${command.kind === 'shell' ? command.line : command.argv.join(' ')}\n`);
    const result = await runCommand(command, cwd, env, log, signal, suite.timeoutMs);
    if (result !== 0) {
      ok = false;
      summary = `command ${i + 1} ${typeof result === 'number' ? `exited ${result}` : result}`;
      break;
    }
  }
  await new Promise((resolve) => log.end(resolve));
  return { suite: suite.name, ok, summary, logFile };
}

export const contractTestRunner: TestRunner = {
  async run({ worktree, signal, logDir, label }): Promise<TestRunResult> {
    if (!findContractFile(worktree.path)) return { ok: true, suites: [], skipped: 'no factory.yaml in the worktree' };
    const contract = await loadContract({ cwd: worktree.path });
    const suites = Object.values(contract.tests);
    if (suites.length === 0) return { ok: true, suites: [], skipped: 'the contract declares no test suites' };
    const results: SuiteResult[] = [];
    for (const suite of suites) results.push(await runSuite(suite, contract.root, logDir, label, signal));
    return { ok: results.every((r) => r.ok), suites: results };
  },
};
