/** Run one program for a check: argv, bounded in time, never through a shell. */
import { execa } from 'execa';

const PROBE_TIMEOUT_MS = 20_000;

export interface ProbeOutput {
  /** The program is not on PATH (or not executable). */
  notFound: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export async function probe(
  argv: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeOutput> {
  const [file, ...args] = argv;
  const r = await execa(file as string, args, {
    env,
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
    extendEnv: false,
  });
  const code = (r as { code?: string }).code;
  return {
    notFound: code === 'ENOENT' || code === 'EACCES',
    exitCode: r.exitCode ?? null,
    stdout: `${r.stdout ?? ''}`,
    stderr: `${r.stderr ?? ''}`,
  };
}

export const firstLine = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean) ?? '';
