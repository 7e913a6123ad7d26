/**
 * Which publisher a job's review request goes through: the one its settings chose when it was
 * created (`--publisher github`, the contract's `jobs.publisher`), else the worker's own (the local
 * review page unless `factory worker --publisher github`). Choosing per job means a job created for
 * GitHub is published there whichever worker, retry or `job close` touches it.
 */
import { githubPublisher, localPublisher, type Publisher } from '../publish/index.js';
import type { Runtime } from './context.js';
import type { Job } from './types.js';

export function publisherFor(runtime: Pick<Runtime, 'publisher' | 'env'>, job: Job): Publisher {
  const choice = job.config.publish;
  if (!choice || choice.publisher === runtime.publisher.name) {
    // The worker's own, unless the job names settings the worker's github publisher does not have.
    if (!choice || choice.publisher === 'local' || (!choice.remote && !choice.repo && !choice.apiUrl && !choice.labels))
      return runtime.publisher;
  }
  if (choice.publisher === 'local') return localPublisher();
  return githubPublisher({
    env: runtime.env,
    ...(choice.remote ? { remote: choice.remote } : {}),
    ...(choice.repo ? { repo: choice.repo } : {}),
    ...(choice.apiUrl ? { apiUrl: choice.apiUrl } : {}),
    ...(choice.labels ? { labels: choice.labels } : {}),
  });
}
