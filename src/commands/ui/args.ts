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
