import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TempDir {
  dir: string;
  /** Writes `text` to `dir/name` (parent folders made) and returns the absolute path. */
  write(name: string, text: string): string;
  [Symbol.dispose](): void;
}

/** A temp directory removed by the returned disposer (`using t = tempDir()`). */
export function tempDir(prefix = 'factory-test-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    [Symbol.dispose]() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
