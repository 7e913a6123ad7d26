/**
 * The scenario video: Playwright's public screencast API hands us JPEG frames as the page repaints,
 * and we feed them to the system ffmpeg at a constant frame rate (see docs/adr/0030). Chromium sends
 * a frame only when something changes, so the encoder repeats the last frame to fill the gaps: a page
 * that sits still for two seconds is two seconds of video, and the step offsets in the report line
 * up with the video's clock.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';

export const VIDEO_FPS = 25;

/** How often a still picture is re-sent to ffmpeg while no new frame arrives. */
const HOLD_INTERVAL_MS = 500;

/** Longest side of the recorded video; larger viewports are scaled down to keep encoding real-time. */
const MAX_VIDEO_SIDE = 1280;

export function videoSize(viewport: { width: number; height: number }): { width: number; height: number } {
  const scale = Math.min(1, MAX_VIDEO_SIDE / Math.max(viewport.width, viewport.height));
  // VP9 with yuv420p needs even dimensions.
  return { width: Math.floor(viewport.width * scale) & ~1, height: Math.floor(viewport.height * scale) & ~1 };
}

/**
 * Writes frames into `ffmpeg -f image2pipe` at `VIDEO_FPS`.
 *
 *   recording --finish()--> finishing --ffmpeg exits 0--> done
 *       \                        \--ffmpeg fails--> failed (finish() rejects with its stderr)
 *        \--abort()--> aborted (ffmpeg killed, partial file left for inspection)
 */
export class VideoEncoder {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private readonly exited: Promise<{ code: number | null; stderr: string }>;
  private readonly startedAt: number;
  private lastFrame: Buffer | undefined;
  private written = 0;
  private drain: Promise<void> | undefined;
  private state: 'recording' | 'finishing' | 'done' | 'aborted' = 'recording';
  /** Holds the last picture while the page is still, so a long wait is encoded as it happens. */
  private readonly holdTimer: NodeJS.Timeout;

  constructor(
    ffmpeg: string,
    readonly outFile: string,
    startedAt = Date.now(),
  ) {
    this.startedAt = startedAt;
    // prettier-ignore
    const args = [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'image2pipe',
      '-framerate',
      String(VIDEO_FPS),
      '-c:v',
      'mjpeg',
      '-i',
      'pipe:0',
      '-an',
      '-c:v',
      'libvpx-vp9',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-row-mt',
      '1',
      '-b:v',
      '0',
      '-crf',
      '36',
      '-pix_fmt',
      'yuv420p',
      outFile,
    ];
    this.child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    // EPIPE when ffmpeg dies early surfaces through `exited`, not as an unhandled stream error.
    this.child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => resolve({ code: -1, stderr: stderr + String(e) }));
      this.child.on('close', (code) => resolve({ code, stderr }));
    });
    this.holdTimer = setInterval(() => {
      if (this.state === 'recording' && this.lastFrame && !this.child.stdin.writableNeedDrain)
        this.padTo(this.indexAt(Date.now()), this.lastFrame);
    }, HOLD_INTERVAL_MS);
    this.holdTimer.unref();
  }

  /** Frame index for a wall-clock time: where in the video that moment lands. */
  private indexAt(timeMs: number): number {
    return Math.max(0, Math.floor(((timeMs - this.startedAt) * VIDEO_FPS) / 1000));
  }

  /** Write `frame` as the picture from `timestampMs` on. Resolves when ffmpeg has room for more. */
  writeFrame(frame: Buffer, timestampMs: number): Promise<void> | undefined {
    if (this.state !== 'recording') return undefined;
    // The first frame also stands for the moments before it, so video time = time since start.
    const fill = this.lastFrame ?? frame;
    const ok = this.padTo(this.indexAt(timestampMs), fill);
    this.lastFrame = frame;
    return ok ? undefined : this.drained();
  }

  /**
   * One promise for the next 'drain', however many frames wait for it: the screencast does not wait
   * for our promise when another client (the trace's screenshots) acks the frame, so under load
   * frames keep coming while ffmpeg is behind, and one listener per frame made validate print
   * MaxListenersExceededWarning. Settles when ffmpeg exits too, so nothing waits for a drain that
   * cannot come.
   */
  private drained(): Promise<void> {
    if (!this.drain) {
      const stop = new AbortController();
      this.drain = Promise.race([once(this.child.stdin, 'drain', { signal: stop.signal }), this.exited])
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          stop.abort();
          this.drain = undefined;
        });
    }
    return this.drain;
  }

  private padTo(index: number, frame: Buffer): boolean {
    let ok = true;
    while (this.written < index) {
      ok = this.child.stdin.write(frame);
      this.written++;
    }
    return ok;
  }

  /** Hold the last picture until now, close the stream and wait for ffmpeg to write the file. */
  async finish(): Promise<void> {
    if (this.state !== 'recording') return;
    this.state = 'finishing';
    clearInterval(this.holdTimer);
    if (this.lastFrame) this.padTo(this.indexAt(Date.now()) + 1, this.lastFrame);
    this.child.stdin.end();
    const { code, stderr } = await this.exited;
    if (code !== 0) throw new Error(`ffmpeg could not encode ${this.outFile} (exit ${code}): ${stderr.trim()}`);
    if (!this.lastFrame) throw new Error('the page never painted a frame, so there is no video');
    this.state = 'done';
  }

  /** Stop without a usable file (the run is being torn down). */
  async abort(): Promise<void> {
    if (this.state === 'done' || this.state === 'aborted') return;
    this.state = 'aborted';
    clearInterval(this.holdTimer);
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

export interface VideoProbe {
  durationMs: number;
  frames: number;
  width: number;
  height: number;
  codec: string;
}

/** Measure a video with ffprobe (decodes it, so a truncated file is caught here, not by a reviewer). */
export async function probeVideo(ffprobe: string, file: string): Promise<VideoProbe> {
  // prettier-ignore
  const { stdout } = await execa(ffprobe, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames,width,height,codec_name:format=duration',
    '-of',
    'json',
    file,
  ]);
  const parsed = JSON.parse(stdout) as {
    streams?: { nb_read_frames?: string; width?: number; height?: number; codec_name?: string }[];
    format?: { duration?: string };
  };
  const stream = parsed.streams?.[0];
  return {
    durationMs: Math.round(Number(parsed.format?.duration ?? 0) * 1000),
    frames: Number(stream?.nb_read_frames ?? 0),
    width: stream?.width ?? 0,
    height: stream?.height ?? 0,
    codec: stream?.codec_name ?? 'unknown',
  };
}

/** H.264 in MP4 for players (and PR hosts) that do not play WebM. */
export async function convertToMp4(ffmpeg: string, webm: string, mp4: string): Promise<void> {
  // prettier-ignore
  await execa(ffmpeg, [
    '-loglevel',
    'error',
    '-y',
    '-i',
    webm,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    mp4,
  ]);
}

/** The video's last picture as a PNG: the report shows it before the reviewer presses play. */
export async function extractLastFrame(ffmpeg: string, video: string, png: string): Promise<void> {
  await execa(ffmpeg, [
    '-loglevel',
    'error',
    '-y',
    '-sseof',
    '-0.2',
    '-i',
    video,
    '-frames:v',
    '1',
    '-update',
    '1',
    png,
  ]);
}
