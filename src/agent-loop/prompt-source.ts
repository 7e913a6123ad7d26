/**
 * Where a run's prompt comes from (literal string, template string, template file) and how its
 * shell expressions run: `sh -c` inside the sandbox, cwd = the worktree, bounded in time and output.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { Sandbox } from '../sandboxes/index.js';
import type { RunOptions } from './options.js';
import { parseTemplate, type ParsedTemplate, type ShellRunner } from './prompt.js';

export const SHELL_EXPRESSION_TIMEOUT_MS = 120_000;

export interface PromptSource {
  /** The raw text (template or literal). */
  text: string;
  /** Present for templates; absent for a literal prompt. */
  parsed?: ParsedTemplate;
  /** Named in messages: the file path, or "the prompt". */
  origin: string;
}

export async function loadPrompt(
  o: Pick<RunOptions<unknown>, 'prompt' | 'promptFile' | 'promptTemplate'>,
): Promise<PromptSource> {
  if (o.prompt !== undefined) return { text: o.prompt, origin: 'the prompt' };
  if (o.promptTemplate !== undefined)
    return { text: o.promptTemplate, parsed: parseTemplate(o.promptTemplate), origin: 'the prompt' };
  const path = resolve(o.promptFile as string);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new FactoryFailure(
      'prompt-file-unreadable',
      `cannot read the prompt file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { exitCode: ExitCode.invalid },
    );
  }
  return { text, parsed: parseTemplate(text), origin: o.promptFile as string };
}

export function makeShellRunner(
  sandbox: Sandbox,
  signal?: AbortSignal,
  baseEnv: Record<string, string> = {},
  cwd?: string,
): ShellRunner {
  return async (command, env) => {
    const r = await sandbox.exec(['sh', '-c', command], {
      env: { ...baseEnv, ...env },
      ...(cwd ? { cwd } : {}),
      timeoutMs: SHELL_EXPRESSION_TIMEOUT_MS,
      maxBufferBytes: 1024 * 1024,
      ...(signal ? { signal } : {}),
    });
    if (r.aborted) throw new FactoryFailure('aborted', 'aborted', { exitCode: ExitCode.interrupted });
    if (r.exitCode !== 0) {
      const why = r.timedOut
        ? `timed out after ${SHELL_EXPRESSION_TIMEOUT_MS / 1000} s`
        : `exited with ${String(r.exitCode ?? r.signal)}`;
      throw new FactoryFailure(
        'prompt-expansion-failed',
        `the prompt's shell expression !\`${command}\` ${why}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`,
        {
          exitCode: ExitCode.failed,
          hint: 'expressions run inside the sandbox, in the worktree; fix the command or the prompt',
        },
      );
    }
    if (r.stdoutDroppedBytes > 0)
      throw new FactoryFailure(
        'prompt-expansion-failed',
        `the prompt's shell expression !\`${command}\` printed more than 1 MiB`,
        { exitCode: ExitCode.failed },
      );
    return r.stdout;
  };
}
