/**
 * `factory agent run --json`: the published shape (schema/agent-run.schema.json) and the one
 * function that turns a `RunResult` into it, so output and schema cannot drift apart unnoticed
 * (test/agent-loop/cli.test.ts validates real output against the schema).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { RunResult } from './options.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const UsageSchema = Type.Object(
  {
    input: Type.Optional(Type.Integer({ minimum: 0, description: 'Prompt tokens not served from a cache' })),
    output: Type.Optional(Type.Integer({ minimum: 0 })),
    cacheRead: Type.Optional(
      Type.Integer({ minimum: 0, description: "Prompt tokens served from the provider's cache" }),
    ),
    cacheWrite: Type.Optional(Type.Integer({ minimum: 0, description: 'Prompt tokens written to the cache' })),
    costUsd: Type.Optional(Type.Number({ minimum: 0 })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description:
      'Token usage as the agent CLI reported it: a field is present only when reported as a well-formed number (unknown is absent, never 0)',
  },
);

const CommitSchema = Type.Object({ sha: Type.String(), subject: Type.String() }, { additionalProperties: false });

export const AgentRunOutputSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Literal(true),
    outcome: Type.Union([Type.Literal('completed'), Type.Literal('max-iterations'), Type.Literal('no-changes')]),
    name: Type.String({ description: 'Run name: worktree, temp branch, log and app instance id' }),
    agent: Type.String(),
    sandbox: Type.String(),
    branch: Type.String({ description: 'Source branch: where the agent committed' }),
    targetBranch: Type.String({ description: "The host's branch at start (merge-to-head merges into it)" }),
    worktreePath: Type.String(),
    worktreeKept: Type.Boolean(),
    iterations: Type.Array(
      Type.Object(
        {
          iteration: Type.Integer({ minimum: 1 }),
          reason: Type.Union(
            ['exited', 'completion-signal', 'hung-after-completion', 'idle-timeout', 'aborted', 'failed'].map((r) =>
              Type.Literal(r),
            ),
          ),
          exitCode: Type.Union([Type.Integer(), Type.Null()]),
          sessionId: Nullable(Type.String()),
          sessionFilePath: Nullable(Type.String()),
          usage: Type.Union([UsageSchema, Type.Null()]),
          durationMs: Type.Number({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ),
    completionSignal: Nullable(Type.String()),
    commits: Type.Array(CommitSchema, { description: 'base..branch, oldest first' }),
    uncommittedFiles: Type.Array(Type.String()),
    merge: Type.Object(
      {
        kind: Type.Union(
          ['no-changes', 'head', 'left-on-branch', 'merged', 'conflict', 'merge-failed'].map((k) => Type.Literal(k)),
        ),
        into: Nullable(Type.String()),
        branchDeleted: Type.Union([Type.Boolean(), Type.Null()]),
        conflictedFiles: Type.Array(Type.String()),
        recovery: Nullable(Type.String({ description: 'Commands that finish the merge by hand' })),
      },
      { additionalProperties: false },
    ),
    usage: Type.Union([UsageSchema, Type.Null()], {
      description: 'Summed over iterations, field by field; null when the CLI reported no usage at all',
    }),
    sessionId: Nullable(Type.String()),
    logPath: Nullable(Type.String()),
    warnings: Type.Array(Type.String()),
    app: Type.Union([
      Type.Object(
        { worktreeId: Type.String(), urls: Type.Record(Type.String(), Type.String()), kept: Type.Boolean() },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    output: Type.Unknown({
      description: 'Structured output (when --output-schema/--output-tag were given), else null',
    }),
    text: Type.String({ description: "The agent's last text (at most 64 KiB)" }),
  },
  { additionalProperties: false },
);
export type AgentRunOutput = Static<typeof AgentRunOutputSchema>;

export function toAgentRunJson(r: RunResult<unknown>): Omit<AgentRunOutput, 'schemaVersion'> {
  const m = r.merge;
  return {
    ok: true,
    outcome: r.outcome,
    name: r.name,
    agent: r.agent,
    sandbox: r.sandbox,
    branch: r.branch,
    targetBranch: r.targetBranch,
    worktreePath: r.worktreePath,
    worktreeKept: r.worktreeKept,
    iterations: r.iterations.map((i) => ({
      iteration: i.iteration,
      reason: i.reason,
      exitCode: i.exitCode,
      sessionId: i.sessionId ?? null,
      sessionFilePath: i.sessionFilePath ?? null,
      usage: i.usage ?? null,
      durationMs: i.durationMs,
    })),
    completionSignal: r.completionSignal ?? null,
    commits: r.commits.map((c) => ({ sha: c.sha, subject: c.subject })),
    uncommittedFiles: r.uncommittedFiles,
    merge: {
      kind: m.kind,
      into: 'into' in m ? m.into : null,
      branchDeleted: m.kind === 'merged' ? m.branchDeleted : null,
      conflictedFiles: m.kind === 'conflict' ? m.conflictedFiles : [],
      recovery: m.kind === 'conflict' || m.kind === 'merge-failed' ? m.recoveryText : null,
    },
    usage: r.usage ?? null,
    sessionId: r.sessionId ?? null,
    logPath: r.logPath ?? null,
    warnings: r.warnings,
    app: r.app ? { worktreeId: r.app.worktreeId, urls: r.app.urls, kept: r.app.kept } : null,
    output: r.output ?? null,
    text: r.text,
  };
}
