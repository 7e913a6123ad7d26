/**
 * Flags every runtime command accepts (`as const satisfies`, so citty infers the parsed types).
 * Light on purpose: `status` imports it.
 */
import type { ArgsDef } from 'citty';
import type { LocateOptions } from '../../services/read.js';

/** `-f` of the contract commands (`check`, `config`). */
export const contractFileArg = {
  file: {
    type: 'string',
    alias: 'f',
    description: 'The contract file (default: factory.yaml here or in a parent directory)',
  },
} as const satisfies ArgsDef;

export const instanceArgs = {
  'worktree-id': {
    type: 'string',
    description: 'Instance id (default: FACTORY_WORKTREE_ID, else the git worktree directory name)',
  },
  file: { type: 'string', alias: 'f', description: 'Contract file (default: factory.yaml here or above)' },
  json: { type: 'boolean', description: 'Print one JSON document (schema in schema/)' },
} as const satisfies ArgsDef;

export function locateArgs(args: { 'worktree-id'?: string | undefined; file?: string | undefined }): LocateOptions {
  return {
    ...(args['worktree-id'] !== undefined ? { worktreeId: args['worktree-id'] } : {}),
    ...(args.file !== undefined ? { file: args.file } : {}),
  };
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A shell word: as is when plain, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * `factory <command>` for the same instance as these flags (the ones the user gave, so the command
 * works in the same shell and directory): the exact text of hints such as "start it with …".
 */
export function commandFor(
  command: string,
  args: { 'worktree-id'?: string | undefined; file?: string | undefined },
): string {
  const argv = ['factory', command];
  if (args['worktree-id'] !== undefined) argv.push('--worktree-id', args['worktree-id']);
  if (args.file !== undefined) argv.push('--file', args.file);
  return argv.map(shellWord).join(' ');
}
