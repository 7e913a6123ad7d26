/**
 * The `local` publisher: the review request is `review.html` in the job folder, rewritten on every
 * publish (so a re-run updates the same page). Everything on it passes the one redaction step first.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REVIEW_PAGE_FILE } from '../evidence/manifest.js';
import { createRedactor, type Redactor } from '../redact.js';
import type { Publisher, PublishInput, ReviewRequest } from '../types.js';
import { renderReviewPage } from './page.js';

/** A patch larger than this is not inlined (the page links the file instead). */
export const MAX_INLINE_PATCH_BYTES = 2 * 1024 * 1024;

export interface LocalPublisherOptions {
  /** The redaction step; default: the secrets of this process's environment and the token patterns. */
  redactor?: Redactor;
}

/** A manifest path inside the job folder, or null when it would leave it. */
export function insideJobDir(evidenceDir: string, rel: string): string | null {
  const root = resolve(evidenceDir);
  const full = resolve(root, rel);
  return full.startsWith(root + sep) ? full : null;
}

function readPatch(evidenceDir: string, rel: string | undefined): string | null {
  if (!rel) return null;
  const path = insideJobDir(evidenceDir, rel);
  if (!path) return null;
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    if (st.size > MAX_INLINE_PATCH_BYTES) return `# the patch is ${st.size} bytes; open ${rel} to read it\n`;
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function localPublisher(options: LocalPublisherOptions = {}): Publisher {
  const redact = options.redactor ?? createRedactor({ env: process.env });
  return {
    name: 'local',
    async publish({ manifest, evidenceDir }: PublishInput): Promise<ReviewRequest> {
      const patch = readPatch(evidenceDir, manifest.diff?.patch);
      const html = renderReviewPage({
        manifest: redact.deep(manifest),
        patch: patch === null ? null : redact(patch),
      });
      const path = join(evidenceDir, REVIEW_PAGE_FILE);
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, html);
      renameSync(tmp, path);
      return { publisher: 'local', url: pathToFileURL(path).href, path };
    },
  };
}
