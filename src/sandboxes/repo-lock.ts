import lockfile from 'proper-lockfile';

/**
 * Serializes git admin operations (worktree add/remove, merge, branch delete) on one repository,
 * across processes. Git takes a lock per ref and fails at once ("Unable to create …lock: File
 * exists") instead of waiting, so two parallel `factory agent run`s would otherwise fail at random.
 * The lock lives in `<repo>/.factory/`, never in `.git`.
 */
export async function withRepoLock<T>(factoryDir: string, fn: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(factoryDir, {
    lockfilePath: `${factoryDir}/git-admin.lock`,
    realpath: false,
    stale: 30_000,
    retries: { retries: 200, factor: 1.2, minTimeout: 10, maxTimeout: 250 },
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}
