/**
 * The git side of the github publisher: the job's branch goes to the remote as it is — never
 * forced, never onto the base or a protected branch — with git's own credentials (a credential
 * helper, `gh auth setup-git`, an SSH key). A push that fails changes nothing on either side, so
 * `factory job retry` simply pushes again. Commands are argv arrays; git's messages pass the
 * redaction step before they are shown (a remote URL may carry credentials).
 */
import { execa } from 'execa';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** git in `cwd`, never prompting for a password (a missing credential fails instead of hanging). */
export async function runGit(
  cwd: string,
  args: string[],
  o: { env?: Record<string, string>; input?: string; signal?: AbortSignal } = {},
): Promise<GitResult> {
  const r = await execa('git', args, {
    cwd,
    reject: false,
    env: { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never', ...o.env },
    ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' }),
    ...(o.signal ? { cancelSignal: o.signal } : {}),
    stripFinalNewline: true,
  });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export async function gitOk(cwd: string, args: string[], o: Parameters<typeof runGit>[2] = {}): Promise<string> {
  const r = await runGit(cwd, args, o);
  if (r.exitCode !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function remoteUrl(repo: string, remote: string): Promise<string> {
  const r = await runGit(repo, ['remote', 'get-url', remote]);
  if (r.exitCode !== 0) {
    throw new FactoryFailure('no-remote', `the repository has no remote "${remote}"`, {
      exitCode: ExitCode.unavailable,
      hint: `add it (git remote add ${remote} https://github.com/OWNER/REPO.git) or name another with --remote`,
    });
  }
  return r.stdout.trim();
}

export interface PushTarget {
  repo: string;
  remote: string;
  branch: string;
  /** Branches the job's branch may never be pushed as: the job's base and the repository's default. */
  forbidden: string[];
  /** GitHub says the branch is protected. */
  protectedBranch: boolean;
  redact: (text: string) => string;
  signal?: AbortSignal;
}

/** Pushes `refs/heads/<branch>` to the same name on the remote, fast-forward only. */
export async function pushBranch(t: PushTarget): Promise<void> {
  if (t.forbidden.includes(t.branch) || t.protectedBranch) {
    throw new FactoryFailure(
      'push-refused',
      `refusing to push ${t.branch}: it is ${t.protectedBranch ? 'a protected branch' : "the job's base or the repository's default branch"}`,
      { exitCode: ExitCode.unavailable, hint: 'a job publishes only its own factory/<id> branch' },
    );
  }
  const ref = `refs/heads/${t.branch}`;
  const r = await runGit(t.repo, ['push', '--porcelain', '--no-verify', t.remote, `${ref}:${ref}`], {
    ...(t.signal ? { signal: t.signal } : {}),
  });
  if (r.exitCode !== 0) {
    const said = t.redact(`${r.stderr}\n${r.stdout}`.trim()).split('\n').slice(-6).join('\n');
    const rejected = /\[rejected\]|non-fast-forward|fetch first/.test(said);
    throw new FactoryFailure(
      rejected ? 'push-rejected' : 'push-failed',
      `git push ${t.remote} ${t.branch} failed: ${said}`,
      {
        exitCode: ExitCode.unavailable,
        hint: rejected
          ? `the remote's ${t.branch} has commits the job's branch lacks; the factory never forces: look at both, then factory job retry`
          : 'check the remote and git credentials (gh auth setup-git, or an SSH key), then: factory job retry',
      },
    );
  }
}
