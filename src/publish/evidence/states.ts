/**
 * The words a job's evidence speaks: its states, the roles that move it, the stages that run.
 * They live here, below src/jobs, because publishers and review pages render them and may not
 * import the pipeline (src/jobs uses src/publish, never the other way round). The state machine
 * itself — which state may follow which — is src/jobs/states.ts.
 */
import { Type } from '@sinclair/typebox';

/** Every state a job can be in, in pipeline order, then the four ends. */
export const JOB_STATES = [
  'received',
  'planned',
  'worktree_created',
  'sandbox_created',
  'dev_environment_starting',
  'dev_environment_ready',
  'implementation_in_progress',
  'tests_running',
  'browser_validation_running',
  'video_recorded',
  'awaiting_approval',
  'pr_opened',
  'review_running',
  'ready_for_human_review',
  'merged',
  'closed',
  'failed',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States no transition leaves (except `job retry` for failed/cancelled, see src/jobs/states.ts). */
export const TERMINAL_STATES = ['merged', 'closed', 'failed', 'cancelled'] as const satisfies readonly JobState[];
export type TerminalState = (typeof TERMINAL_STATES)[number];

/**
 * Who is responsible for a transition. The seed's roles, plus `human` (approve, cancel, close, retry
 * from the CLI or a channel) and `worker` (claims, lease expiry, time budget).
 */
export const ROLES = [
  'planner',
  'environment_keeper',
  'builder',
  'tester',
  'recorder',
  'publisher',
  'reviewer',
  'notifier',
  'human',
  'worker',
] as const;
export type Role = (typeof ROLES)[number];

/** The stages, one file each under src/jobs/stages/, in the order they run. */
export const STAGES = [
  'plan',
  'worktree',
  'sandbox',
  'environment',
  'build',
  'test',
  'record',
  'publish',
  'review',
] as const;
export type StageName = (typeof STAGES)[number];

/** The roles that are agent runs and so can be given an agent and a model. */
export const AGENT_ROLES = ['planner', 'builder', 'reviewer'] as const satisfies readonly Role[];
export type AgentRole = (typeof AGENT_ROLES)[number];

/** A JSON Schema `enum` whose static type is the list's union. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
export const JobStateSchema = StringEnum(JOB_STATES);
export const RoleSchema = StringEnum(ROLES);
export const StageNameSchema = StringEnum(STAGES);
export const AgentRoleSchema = StringEnum(AGENT_ROLES);
