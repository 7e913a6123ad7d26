import { spawn } from 'node:child_process';

/** Run a command to completion, output discarded (compose stop/down). Resolves with its exit code (null: could not run). */
export function runQuiet(argv: string[], env: Record<string, string>): Promise<number | null> {
  const [file, ...args] = argv;
  if (!file) return Promise.resolve(null);
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: 'ignore' });
    child.once('error', () => resolve(null));
    child.once('close', (code) => resolve(code));
  });
}
