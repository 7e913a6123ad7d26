/**
 * A publisher turns a job's evidence into a review request a person looks at: here the local
 * review page (`local`, src/publish/local/), later a GitHub pull request with the evidence in its
 * body (`github`). Publishers render what the manifest holds; they never gather evidence (ADR 14).
 *
 * `publish` is idempotent: the job calls it when the change is ready for review (`pr_opened`) and
 * again after the reviewer's verdict and every later state change (cancel, close), and a second call
 * updates the same request instead of opening another — which is also what makes a publish stage
 * that was interrupted by a crash safe to run again.
 */
import type { JobManifest } from './evidence/manifest.js';

export interface PublishInput {
  manifest: JobManifest;
  /** Absolute path of the job folder (`<repo>/.factory/jobs/<id>/`); manifest paths are relative to it. */
  evidenceDir: string;
  signal?: AbortSignal;
}

/** Where the review happens. */
export interface ReviewRequest {
  /** The publisher's name (`local`, `github`). */
  publisher: string;
  /** What a person opens: a `file://` URL of the review page, or the pull request's URL. */
  url: string;
  /** Absolute path of the page, for local publishers. */
  path?: string;
}

/** What became of a review request: still open, merged, or closed without merging. */
export type ReviewState = 'open' | 'merged' | 'closed';

export interface Publisher {
  readonly name: string;
  /** Opens the review request, or updates the one this job already has. */
  publish(input: PublishInput): Promise<ReviewRequest>;
  /**
   * Reads the review request's state where it lives (`factory job sync`); absent for publishers
   * whose requests only change through the factory (the local page).
   */
  reviewState?(input: Pick<PublishInput, 'manifest' | 'signal'>): Promise<ReviewState>;
}
