/**
 * Flags shared by `factory job new` and `factory job run` (the same job, queued or run here), and
 * their mapping onto the library's JobSettings.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ArgsDef } from 'citty';
import type { JobSettings } from '../../jobs/index.js';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { repeated } from '../agent.js';
import { parseDuration } from '../agent-prd.js';

export const jobArgs = {
  request: { type: 'positional', required: false, description: 'What to change, in words (or --file)' },
  file: { type: 'string', description: 'Read the request from this file (Markdown)' },
  repo: { type: 'string', description: 'The repository (default: the one holding the current directory)' },
  base: { type: 'string', description: 'Branch the job starts from (default: the current branch)' },
  agent: {
    type: 'string',
    description: 'Agent for every role: claude-code (default), codex, opencode, cursor, copilot, pi, command',
  },
  model: { type: 'string', description: "The agent's model" },
  command: { type: 'string', description: 'With --agent command: the executable (its args after --)' },
  'planner-agent': { type: 'string', description: 'Agent for the planner' },
  'planner-model': { type: 'string', description: "The planner's model" },
  'reviewer-agent': { type: 'string', description: 'Agent for the reviewer (a second opinion: pick another)' },
  'reviewer-model': { type: 'string', description: "The reviewer's model" },
  sandbox: { type: 'string', description: 'none, bwrap (default), docker, podman' },
  'max-fix-rounds': {
    type: 'string',
    description: 'Rounds back to the builder for failing tests or feature (default 2)',
  },
  test: { type: 'string', description: 'A test suite to run (repeatable; default all)' },
  'approval-path': { type: 'string', description: 'A glob whose change needs `factory job approve` (repeatable)' },
  'time-budget': { type: 'string', description: 'The whole job, e.g. 2h (default 4h)' },
  'agent-idle-timeout': { type: 'string', description: 'An agent silent this long fails its attempt (default 10m)' },
  'preview-ttl': {
    type: 'string',
    description: 'How long the preview stays up once ready for review (default 24h; 0 = until closed)',
  },
  'port-range': {
    type: 'string',
    description: "Lowest port of the job instance's block (default: the runtime's range)",
  },
  publisher: {
    type: 'string',
    description: 'Where the review goes: local (a review page, default) or github (a pull request)',
  },
  remote: { type: 'string', description: 'With --publisher github: the git remote to push to (default origin)' },
  json: { type: 'boolean', description: 'Print one JSON document (schema/job.schema.json)' },
} as const satisfies ArgsDef;

type JobArgs = { [K in keyof typeof jobArgs]?: string | boolean | undefined };

const usage = (message: string, hint?: string) =>
  new FactoryFailure('usage', message, { exitCode: ExitCode.invalid, ...(hint ? { hint } : {}) });

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export async function requestOf(args: JobArgs): Promise<string> {
  const text = str(args.request);
  const file = str(args.file);
  if (text !== undefined && file !== undefined) throw usage('give the request as text or with --file, not both');
  if (file !== undefined) {
    try {
      return await readFile(resolve(file), 'utf8');
    } catch {
      throw usage(`cannot read the request file ${file}`, 'check the path');
    }
  }
  if (text === undefined)
    throw usage('no request given', 'factory job new "Show the number of projects in the page header"');
  return text;
}

export function settingsOf(args: JobArgs, rawArgs: string[]): JobSettings {
  const passthrough = rawArgs.includes('--') ? rawArgs.slice(rawArgs.indexOf('--') + 1) : [];
  const command = str(args.command);
  const rounds = str(args['max-fix-rounds']);
  if (rounds !== undefined && !/^\d+$/.test(rounds))
    throw usage(`--max-fix-rounds must be 0 or more (got "${rounds}")`);
  const ms = (flag: 'time-budget' | 'agent-idle-timeout' | 'preview-ttl') => {
    const v = str(args[flag]);
    return v === undefined ? undefined : parseDuration(v, flag);
  };
  const tests = repeated(rawArgs, 'test');
  const gates = repeated(rawArgs, 'approval-path');
  const s: JobSettings = {};
  const set = <K extends keyof JobSettings>(k: K, v: JobSettings[K] | undefined) => {
    if (v !== undefined) s[k] = v;
  };
  set('repo', str(args.repo));
  set('base', str(args.base));
  set('agent', str(args.agent));
  set('model', str(args.model));
  set('command', command ? [command, ...passthrough] : undefined);
  set('plannerAgent', str(args['planner-agent']));
  set('plannerModel', str(args['planner-model']));
  set('reviewerAgent', str(args['reviewer-agent']));
  set('reviewerModel', str(args['reviewer-model']));
  set('sandbox', str(args.sandbox));
  set('maxFixRounds', rounds === undefined ? undefined : Number(rounds));
  set('tests', tests.length ? tests : undefined);
  set('approvalPaths', gates.length ? gates : undefined);
  set('timeBudgetMs', ms('time-budget'));
  set('agentIdleMs', ms('agent-idle-timeout'));
  set('previewTtlMs', ms('preview-ttl'));
  const ports = str(args['port-range']);
  if (ports !== undefined && !/^\d+$/.test(ports)) throw usage(`--port-range must be a port number (got "${ports}")`);
  set('portRange', ports === undefined ? undefined : Number(ports));
  const publisher = str(args.publisher);
  set('publisher', publisher === 'local' || publisher === 'github' ? publisher : undefined);
  set('remote', str(args.remote));
  return s;
}
