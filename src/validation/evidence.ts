/**
 * Everything a scenario leaves behind besides its step results: video, trace, screenshots, console
 * errors and failed requests. Recording starts before the first navigation and stops after the last
 * step, so the video shows the whole scenario and step offsets (`offset()`) index into it.
 */
import { join, relative, sep } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { firstLine } from './steps.js';
import type { ConsoleEntry, FailedRequest, ScenarioResult, VideoArtifact } from './types.js';
import { convertToMp4, extractLastFrame, probeVideo, VideoEncoder, videoSize } from './video.js';

const SCREENSHOT_TIMEOUT_MS = 5_000;

export interface EvidenceOptions {
  page: Page;
  context: BrowserContext;
  /** The scenario's folder. */
  dir: string;
  /** Paths in results are relative to this. */
  runDir: string;
  video?: { ffmpeg: string; ffprobe: string; mp4: boolean } | undefined;
  viewport: { width: number; height: number };
}

type Artifacts = Pick<ScenarioResult, 'video' | 'trace' | 'screenshots' | 'consoleErrors' | 'failedRequests'>;

export class EvidenceRecorder {
  private startedAt = Date.now();
  private encoder: VideoEncoder | undefined;
  private videoError: string | undefined;
  private readonly screenshots: string[] = [];
  private readonly consoleErrors: ConsoleEntry[] = [];
  private readonly failedRequests: FailedRequest[] = [];
  private shots = 0;

  constructor(private readonly o: EvidenceOptions) {}

  /** Milliseconds from the start of recording (= position in the video). */
  offset(time: number): number {
    return Math.max(0, time - this.startedAt);
  }

  private rel(path: string): string {
    return relative(this.o.runDir, path).split(sep).join('/');
  }

  async start(title: string): Promise<void> {
    const { page, context } = this.o;
    this.startedAt = Date.now();
    page.on('console', (msg) => {
      const type = msg.type();
      if (type !== 'error' && type !== 'warning') return;
      // Chromium echoes every HTTP error as a console error; failedRequests already has those.
      if (msg.text().startsWith('Failed to load resource:')) return;
      const loc = msg.location();
      this.consoleErrors.push({
        type,
        text: msg.text(),
        ...(loc.url ? { location: `${loc.url}:${loc.lineNumber + 1}:${loc.columnNumber + 1}` } : {}),
        atMs: this.offset(Date.now()),
      });
    });
    page.on('pageerror', (error) => {
      this.consoleErrors.push({ type: 'pageerror', text: error.stack ?? error.message, atMs: this.offset(Date.now()) });
    });
    page.on('requestfailed', (request) => {
      this.failedRequests.push({
        method: request.method(),
        url: request.url(),
        failure: request.failure()?.errorText ?? 'failed',
        atMs: this.offset(Date.now()),
      });
    });
    page.on('response', (response) => {
      // A missing favicon is the browser's request, not the app's failure.
      if (response.status() < 400 || new URL(response.url()).pathname === '/favicon.ico') return;
      this.failedRequests.push({
        method: response.request().method(),
        url: response.url(),
        status: response.status(),
        failure: `HTTP ${response.status()} ${response.statusText()}`.trim(),
        atMs: this.offset(Date.now()),
      });
    });
    if (this.o.video) {
      // The screencast must start before tracing: the first screencast client fixes the frame size.
      const encoder = new VideoEncoder(this.o.video.ffmpeg, join(this.o.dir, 'video.webm'), this.startedAt);
      this.encoder = encoder;
      await page.screencast.start({
        size: videoSize(this.o.viewport),
        quality: 85,
        onFrame: (frame) => encoder.writeFrame(frame.data, frame.timestamp),
      });
    }
    await context.tracing.start({ screenshots: true, snapshots: true, sources: false, title });
  }

  async screenshot(name: string, fullPage: boolean): Promise<string> {
    this.shots++;
    const file = join(
      this.o.dir,
      'screenshots',
      `${String(this.shots).padStart(2, '0')}-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`,
    );
    await this.o.page.screenshot({ path: file, fullPage, timeout: SCREENSHOT_TIMEOUT_MS });
    const rel = this.rel(file);
    this.screenshots.push(rel);
    return rel;
  }

  /** Best effort: a page that crashed or closed has nothing to show, and that must not hide the failure. */
  async failureScreenshot(): Promise<string | undefined> {
    if (this.o.page.isClosed()) return undefined;
    const file = join(this.o.dir, 'failure.png');
    try {
      await this.o.page.screenshot({ path: file, timeout: SCREENSHOT_TIMEOUT_MS });
    } catch {
      return undefined;
    }
    const rel = this.rel(file);
    this.screenshots.push(rel);
    return rel;
  }

  /** Tear down after an unexpected error: kill the encoder and close the context; keep no promises. */
  async abort(): Promise<void> {
    await this.encoder?.abort();
    await this.o.context.close().catch(() => {});
  }

  /** Stop recording, write the trace, close the context, then measure (and convert) the video. */
  async stop(): Promise<Artifacts & { videoError?: string }> {
    const { page, context } = this.o;
    const tracePath = join(this.o.dir, 'trace.zip');
    let trace: string | undefined;
    try {
      if (this.encoder && !page.isClosed()) await page.screencast.stop();
      await context.tracing.stop({ path: tracePath });
      trace = this.rel(tracePath);
    } catch (error) {
      this.videoError ??= `recording stopped early: ${firstLine(error)}`;
    }
    await context.close().catch(() => {});
    let video: VideoArtifact | undefined;
    if (this.encoder && this.o.video) {
      try {
        await this.encoder.finish();
        const webm = this.encoder.outFile;
        const probe = await probeVideo(this.o.video.ffprobe, webm);
        video = {
          webm: this.rel(webm),
          durationMs: probe.durationMs,
          frames: probe.frames,
          width: probe.width,
          height: probe.height,
        };
        const poster = join(this.o.dir, 'poster.png');
        await extractLastFrame(this.o.video.ffmpeg, webm, poster);
        video.poster = this.rel(poster);
        if (this.o.video.mp4) {
          const mp4 = webm.replace(/\.webm$/, '.mp4');
          await convertToMp4(this.o.video.ffmpeg, webm, mp4);
          video.mp4 = this.rel(mp4);
        }
      } catch (error) {
        await this.encoder.abort();
        this.videoError = firstLine(error);
      }
    }
    return {
      ...(video ? { video } : {}),
      ...(trace ? { trace } : {}),
      screenshots: this.screenshots,
      consoleErrors: this.consoleErrors,
      failedRequests: this.failedRequests,
      ...(this.videoError ? { videoError: this.videoError } : {}),
    };
  }
}
