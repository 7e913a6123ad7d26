/**
 * What a stage gets: the job as last read, its folder, a signal (cancel, stage timeout, worker
 * shutdown) and the only three ways to change anything — `transition` (a legal state change with
 * the stage's results, one transaction), `update` (results without a state change) and `progress`
 * (an event for subscribers). All three go through the store on behalf of the worker holding the
 * lease, so a worker that lost its lease cannot write.
 */
import type { Publisher } from '../publish/index.js';
import type { EvidenceDir } from './evidence.js';
import type { Transition } from './states.js';
import type { JobStore } from './store/types.js';
import type { ArtifactLink, Job, JobData, Role, StageName } from './types.js';

/** The process-wide things stages use. */
export interface Runtime {
  store: JobStore;
  workerId: string;
  publisher: Publisher;
  /** The environment agents, setup and services start from. */
  env: NodeJS.ProcessEnv;
  /**
   * Runs before every transition a stage records: a worker on another machine pushes the job's
   * branch here (./remote.ts), so the store never holds a state whose commits only it has.
   */
  beforeRecord?: (job: Job) => Promise<void>;
}

export interface StageContext {
  readonly runtime: Runtime;
  readonly stage: StageName;
  readonly role: Role;
  /** 1-based attempt of this stage in this round. */
  readonly attempt: number;
  /** Why the previous attempt failed (retries put it in the agent's prompt). */
  readonly previousFailure: string | undefined;
  readonly signal: AbortSignal;
  readonly evidence: EvidenceDir;
  /** The job as of the last write through this context. */
  job: Job;
  transition(
    t: Transition & { message: string; artifacts?: ArtifactLink[]; role?: Role },
    patch?: { data?: JobData; round?: number; runnable?: boolean },
  ): Promise<Job>;
  update(data: JobData): Promise<Job>;
  progress(message: string, artifacts?: ArtifactLink[]): Promise<void>;
}

export interface Stage {
  readonly name: StageName;
  readonly role: Role;
  run(ctx: StageContext): Promise<void>;
}
