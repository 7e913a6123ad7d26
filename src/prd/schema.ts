/**
 * The `factory agent run --prd N --json` (and batch `factory agent run --json` with a backlog)
 * output shape, published as schema/agent-prd.schema.json. `toJsonResult` is the one place a
 * `WalkResult` becomes this shape, so the schema and the output cannot drift apart unnoticed (a
 * test validates real output against it).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { WalkResult } from './types.js';
import type { BatchResult } from './batch.js';

const Commit = Type.Object({ sha: Type.String(), subject: Type.String() }, { additionalProperties: false });

const TaskRef = Type.Object(
  {
    id: Type.String({ description: 'Task id; ledger commits end with "Refs #<id>".' }),
    title: Type.String(),
    kind: Type.Union([Type.Literal('afk'), Type.Literal('hitl')]),
    location: Type.String({ description: 'Task file (local) or issue URL (github).' }),
  },
  { additionalProperties: false },
);

const Review = Type.Object(
  {
    kind: Type.Union([Type.Literal('pull-request'), Type.Literal('review-request')]),
    location: Type.String({ description: 'Pull request URL, or the review-request file.' }),
    branch: Type.String(),
    openedAt: Type.String(),
  },
  { additionalProperties: false },
);

export const PrdWalkResultSchema = Type.Object(
  {
    prd: Type.Integer(),
    title: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union(
      [
        Type.Literal('nothing-to-do'),
        Type.Literal('paused'),
        Type.Literal('failed'),
        Type.Literal('interrupted'),
        Type.Literal('reviewed'),
      ],
      {
        description:
          'paused: at a HITL or blocked task; failed: a phase failed (recorded on the task); reviewed: the review was opened by this run.',
      },
    ),
    branch: Type.String(),
    worktree: Type.Union([Type.String(), Type.Null()], { description: 'Kept on pause and failure.' }),
    logFile: Type.Union([Type.String(), Type.Null()]),
    doneThisRun: Type.Array(Type.String(), {
      description: 'Task ids this run completed (or found done in the ledger and mirrored).',
    }),
    task: Type.Union([TaskRef, Type.Null()], { description: 'The task the walk stopped at (paused / failed).' }),
    reason: Type.Union([Type.String(), Type.Null()], {
      description: 'hitl | blocked for a pause; why there was nothing to do.',
    }),
    message: Type.Union([Type.String(), Type.Null()]),
    phase: Type.Union([Type.String(), Type.Null()], { description: 'The phase that failed or was interrupted.' }),
    error: Type.Union([Type.String(), Type.Null()]),
    resumeCommand: Type.Union([Type.String(), Type.Null()]),
    review: Type.Union([Review, Type.Null()]),
    commits: Type.Array(Commit, { description: 'The PRD branch commits, when a review was opened.' }),
  },
  { additionalProperties: false },
);

export const AgentPrdOutputSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean({ description: 'false when any PRD failed or the run was interrupted.' }),
    mode: Type.Union([Type.Literal('prd'), Type.Literal('batch')]),
    results: Type.Array(PrdWalkResultSchema),
    skipped: Type.Array(
      Type.Object(
        { prd: Type.Integer(), title: Type.String(), reason: Type.String() },
        { additionalProperties: false },
      ),
      { description: 'Batch mode: PRDs not walked (draft, closed, already reviewed).' },
    ),
  },
  { additionalProperties: false, description: 'Output of `factory agent run --prd N --json` and of batch mode.' },
);

export type PrdWalkJson = Static<typeof PrdWalkResultSchema>;

export function toJsonResult(r: WalkResult): PrdWalkJson {
  const task = r.status === 'paused' || r.status === 'failed' ? r.task : undefined;
  return {
    prd: r.prd,
    title: r.title ?? null,
    status: r.status,
    branch: r.branch,
    worktree: r.worktree ?? null,
    logFile: r.logFile ?? null,
    doneThisRun: r.doneThisRun,
    task: task ? { id: task.id, title: task.title, kind: task.kind, location: task.location } : null,
    reason: r.status === 'paused' || r.status === 'nothing-to-do' ? r.reason : null,
    message: r.status === 'paused' ? r.message : null,
    phase: r.status === 'failed' || r.status === 'interrupted' ? r.phase : null,
    error: r.status === 'failed' ? r.error : null,
    resumeCommand:
      r.status === 'paused' || r.status === 'failed' || r.status === 'interrupted' ? r.resumeCommand : null,
    review: r.status === 'reviewed' || (r.status === 'nothing-to-do' && r.review) ? (r.review ?? null) : null,
    commits: r.status === 'reviewed' ? r.commits : [],
  };
}

export function toJsonOutput(mode: 'prd' | 'batch', batch: BatchResult): Record<string, unknown> {
  return {
    ok: batch.results.every((r) => r.status !== 'failed' && r.status !== 'interrupted'),
    mode,
    results: batch.results.map(toJsonResult),
    skipped: batch.skipped,
  };
}
