/**
 * The GitHub token, in the order a person expects: GITHUB_TOKEN, GH_TOKEN, then whatever `gh` is
 * logged in with (`gh auth token`). Never printed, never put in an argv.
 */
import { execFile } from 'node:child_process';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export async function resolveGitHubToken(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (fromEnv) return fromEnv;
  const fromGh = await new Promise<string | undefined>((resolve) => {
    execFile('gh', ['auth', 'token'], { timeout: 10_000, env }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim() || undefined),
    );
  });
  if (fromGh) return fromGh;
  throw new FactoryFailure(
    'github-token-missing',
    'no GitHub token: GITHUB_TOKEN and GH_TOKEN are unset and "gh auth token" gave none',
    {
      exitCode: ExitCode.unavailable,
      hint: 'export GITHUB_TOKEN=… or run "gh auth login"',
    },
  );
}
