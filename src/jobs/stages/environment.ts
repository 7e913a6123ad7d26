/**
 * sandbox_created → dev_environment_starting → dev_environment_ready. The environment keeper: the
 * contract's setup steps for the job's instance (worktree id = job id; fingerprinted, so a resumed
 * job skips what already ran), then the instance itself, until every service is ready. It stays up
 * as the job's preview — for the builder, the tests, the recorder and the reviewer — until the job
 * is closed, fails, is cancelled or its preview TTL runs out. startInstance attaches to a running
 * supervisor, so a re-run after a crash never starts a second one.
 */
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { startInstance } from '../../services/index.js';
import { instanceDir } from '../../services/index.js';
import { runSetup } from '../../setup/index.js';
import { loadJobContract } from '../contract-facts.js';
import type { Stage, StageContext } from '../context.js';

export const environmentStage: Stage = {
  name: 'environment',
  role: 'environment_keeper',
  async run(ctx) {
    if (ctx.job.state === 'sandbox_created') {
      await ctx.transition({
        from: 'sandbox_created',
        to: 'dev_environment_starting',
        message: 'setting up the instance',
      });
    }
    const { job } = ctx;
    const wt = job.data.worktree;
    if (!wt) throw new Error('environment stage without a worktree');
    const contract = await loadJobContract(wt.path, ctx.runtime.env);
    if (!contract) {
      await ctx.transition({
        from: 'dev_environment_starting',
        to: 'dev_environment_ready',
        message: 'no factory.yaml in the repository: nothing to start, test or record',
      });
      return;
    }
    const log: string[] = [];
    const setup = await runSetup({
      contract,
      instance: { worktreeId: job.id, stateDir: instanceDir(contract.root, job.id) },
      signal: ctx.signal,
      processEnv: ctx.runtime.env,
      onEvent: (e) => {
        if (e.type === 'step-end') log.push(`setup ${e.result.name}: ${e.result.status} (${e.result.reason})`);
        if (e.type === 'step-output') log.push(e.chunk.trimEnd());
      },
    });
    await ctx.evidence.write('environment.log', `${log.join('\n')}\n`);
    if (!setup.ok) {
      const failed = setup.steps.find((s) => s.status === 'failed');
      throw new FactoryFailure('setup-failed', `setup step ${failed?.name ?? '?'} failed: ${failed?.reason ?? ''}`, {
        exitCode: ExitCode.failed,
        details: { logTail: failed?.tail ?? '', log: 'environment.log' },
      });
    }
    await ctx.progress(`setup: ${setup.steps.map((s) => `${s.name} ${s.status}`).join(', ') || 'no steps'}`, [
      { label: 'environment log', path: 'environment.log' },
    ]);
    const status = await startInstance({
      cwd: wt.path,
      worktreeId: job.id,
      env: ctx.runtime.env,
      signal: ctx.signal,
      timeoutMs: job.config.timeouts.stageMs.environment,
      // A job does not care which ports it gets: a block a foreign process sits on is skipped.
      movePorts: true,
      ...(job.config.portRange !== undefined ? { portRange: job.config.portRange } : {}),
    });
    const urls = { ...status.urls };
    await ctx.transition(
      {
        from: 'dev_environment_starting',
        to: 'dev_environment_ready',
        message: `instance ${job.id} ready: ${
          Object.entries(urls)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') || 'no URLs'
        }`,
        artifacts: [{ label: 'environment log', path: 'environment.log' }],
      },
      { data: { ...ctx.job.data, environment: { worktreeId: job.id, urls, readyAt: new Date().toISOString() } } },
    );
  },
};

/**
 * The stages after the environment call this first: a job resumed after its instance was stopped
 * (a retry of a failed job, a machine restart) gets it back; a running one is only attached to.
 */
export async function ensureInstance(ctx: StageContext): Promise<void> {
  const { job } = ctx;
  const wt = job.data.worktree;
  if (!wt || !job.data.environment) return;
  const status = await startInstance({
    cwd: wt.path,
    worktreeId: job.id,
    env: ctx.runtime.env,
    signal: ctx.signal,
    movePorts: true,
    ...(job.config.portRange !== undefined ? { portRange: job.config.portRange } : {}),
  });
  if (
    job.data.previewStoppedAt !== undefined ||
    JSON.stringify(status.urls) !== JSON.stringify(job.data.environment.urls)
  ) {
    const { previewStoppedAt: _stopped, ...data } = ctx.job.data;
    await ctx.update({ ...data, environment: { ...job.data.environment, urls: { ...status.urls } } });
  }
}
