/**
 * What a validation run produces. One `ValidationReport` is written as `manifest.json` beside the
 * evidence, printed by `factory validate --json`, and rendered into `report.html`; the three never
 * disagree because they are the same value. Paths inside a report are relative to the run
 * directory (`artifactsDir`) so the folder can be moved, zipped or served as is.
 */
import type { ScenarioStep } from '../contract/index.js';

export type StepAction = ScenarioStep['action'] | 'script' | 'script-step';

/** What a failing step was asked to do, and what the browser showed instead. */
export interface StepFailure {
  /** `[scenario "create-item"] step 3 (click "button#create")` — the sentence a human reads first. */
  summary: string;
  expected: string;
  actual: string;
  /** The raw error message from the browser layer, for the curious. */
  message: string;
  /** Run-relative path of the screenshot taken at the moment of failure, if one could be taken. */
  screenshot?: string;
}

export interface StepResult {
  /** 1-based, in the order the scenario lists its steps. */
  index: number;
  action: StepAction;
  /** The selector, URL, text or key the step acts on, as the user would recognise it. */
  target: string;
  name?: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Milliseconds since the scenario's recording started: where to seek in its video. */
  startMs: number;
  durationMs: number;
  /** Run-relative path of the screenshot a `screenshot` step (or a script's `screenshot()`) took. */
  screenshot?: string;
  failure?: StepFailure;
}

export interface ConsoleEntry {
  /** `error` for console.error, `pageerror` for an uncaught exception, `warning` for console.warn. */
  type: 'error' | 'pageerror' | 'warning';
  text: string;
  location?: string;
  atMs: number;
}

export interface FailedRequest {
  method: string;
  url: string;
  /** HTTP status for a response ≥ 400; absent when the request never got a response. */
  status?: number;
  /** `net::ERR_CONNECTION_REFUSED`, or `HTTP 500 Internal Server Error`. */
  failure: string;
  atMs: number;
}

export interface VideoArtifact {
  webm: string;
  mp4?: string;
  /** The last frame as a PNG, shown by the report before playing. */
  poster?: string;
  durationMs: number;
  frames: number;
  width: number;
  height: number;
}

export interface ScenarioResult {
  name: string;
  description?: string;
  /** `passed`: every step passed. `failed`: a step failed or the scenario timed out. */
  status: 'passed' | 'failed';
  startUrl: string;
  /** The declarative steps, or one `script` step plus the `script-step`s the script recorded. */
  script?: string;
  durationMs: number;
  steps: StepResult[];
  /** The first failing step's failure, repeated here so readers need not search the steps. */
  failure?: StepFailure & { stepIndex: number };
  video?: VideoArtifact;
  /** Why there is no video although one was asked for (ffmpeg failed, the page never painted). */
  videoError?: string;
  trace?: string;
  screenshots: string[];
  consoleErrors: ConsoleEntry[];
  failedRequests: FailedRequest[];
}

export interface ArtifactFile {
  path: string;
  kind: 'video' | 'poster' | 'screenshot' | 'trace' | 'report';
  bytes: number;
}

export interface ValidationReport {
  runId: string;
  worktreeId: string;
  ok: boolean;
  /** The `--feature` text that picked the scenarios, or null when scenarios were picked otherwise. */
  feature: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Absolute path of the run directory, `<root>/.factory/artifacts/<runId>`. */
  runDir: string;
  /** Run-relative. */
  report: string;
  manifest: string;
  browser: { executablePath: string; version: string };
  urls: Record<string, string>;
  scenarios: ScenarioResult[];
  files: ArtifactFile[];
}

/** Progress for renderers (human on stderr, nothing in --json). Wireit-style: produce, render elsewhere. */
export type ValidationEvent =
  | { type: 'run-start'; runId: string; runDir: string; scenarios: string[] }
  | { type: 'scenario-start'; scenario: string; startUrl: string }
  | { type: 'step-end'; scenario: string; step: StepResult }
  | { type: 'scenario-end'; scenario: ScenarioResult }
  | { type: 'run-end'; report: ValidationReport };
