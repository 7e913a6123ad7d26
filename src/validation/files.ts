/** The file list in manifest.json: every artifact of the run with its kind and size. */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ArtifactFile } from './types.js';

function kindOf(path: string): ArtifactFile['kind'] {
  if (/\.(webm|mp4)$/.test(path)) return 'video';
  if (/(^|\/)poster\.png$/.test(path)) return 'poster';
  if (/\.png$/.test(path)) return 'screenshot';
  if (/\.zip$/.test(path)) return 'trace';
  return 'report';
}

/** Files under `runDir`, sorted, except those named in `except` (the manifest does not list itself). */
export async function listFiles(runDir: string, except: string[] = []): Promise<ArtifactFile[]> {
  const out: ArtifactFile[] = [];
  const entries = await readdir(runDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    const path = relative(runDir, abs).split(sep).join('/');
    if (except.includes(path)) continue;
    out.push({ path, kind: kindOf(path), bytes: (await stat(abs)).size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
