/**
 * What a path names, found with stat() (which never opens it, so a FIFO cannot block here). Reading
 * a contract from anything but a regular file goes wrong: a FIFO blocks the reader forever (and a
 * process stuck in that open ignores SIGTERM), a character device like /dev/zero never ends.
 */
import { statSync } from 'node:fs';
import { ExitCode, FactoryFailure } from './failure.js';

export type PathKind = 'file' | 'directory' | 'missing' | 'FIFO' | 'socket' | 'character device' | 'block device';

export function pathKind(path: string): PathKind {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    return 'missing';
  }
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  return 'block device';
}

/** Refuse `path` (shown as `shown`) unless it is a regular file: exit 2 with what it is instead. */
export function requireRegularFile(path: string, shown: string, kind: PathKind = pathKind(path)): void {
  if (kind === 'file' || kind === 'missing') return;
  throw new FactoryFailure('not-a-file', `${shown} is a ${kind}, not a file`, {
    exitCode: ExitCode.invalid,
    hint: 'pass the factory.yaml file, or the directory that holds it',
  });
}
