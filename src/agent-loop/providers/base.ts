/**
 * The shape every agent provider shares: the options each takes besides its own, the fields each
 * fills the same way, the `--model` argument, and the argv size guard.
 */
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import type { AgentProvider } from '../types.js';

/** The options every provider takes besides its own. */
export interface AgentProviderOptions {
  /** Extra environment for the agent process (merged over the inherited one). */
  env?: Record<string, string>;
  /** Executable name or path, when not the CLI's usual name. */
  binary?: string;
}

/** The fields every provider fills the same way: its name, the executable, the model, the env. */
export function providerBase(
  name: string,
  defaultBinary: string,
  model: string | undefined,
  options: AgentProviderOptions,
): Pick<AgentProvider, 'name' | 'binary' | 'model' | 'env'> {
  return { name, binary: options.binary ?? defaultBinary, model, env: options.env ?? {} };
}

/** `[flag, model]` for this call's model (a per-call model wins over the provider's), else nothing. */
export function modelArgs(flag: string, callModel: string | undefined, model: string | undefined): string[] {
  const chosen = callModel ?? model;
  return chosen ? [flag, chosen] : [];
}

/**
 * Linux caps one argv element at 128 KiB (MAX_ARG_STRLEN). CLIs that take the prompt only as an
 * argument get a clear error here instead of a spawn E2BIG.
 */
const MAX_PROMPT_ARG_BYTES = 120 * 1024;
export function assertPromptFitsArgv(agent: string, prompt: string): void {
  const n = Buffer.byteLength(prompt, 'utf8');
  if (n > MAX_PROMPT_ARG_BYTES) {
    throw new FactoryFailure(
      'prompt-too-long',
      `the ${agent} CLI takes the prompt as one argument; this prompt is ${n} bytes (max ${MAX_PROMPT_ARG_BYTES})`,
      {
        exitCode: ExitCode.invalid,
        hint: 'shorten the prompt, or use an agent that reads it from stdin (claude-code, codex, pi, command)',
      },
    );
  }
}
