/** Shared pieces of the validation tests: scenario builders and media checks with the real ffmpeg. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Scenario, ScenarioStep } from '../../src/contract/types.js';

export function scenario(name: string, steps: ScenarioStep[], extra: Partial<Scenario> = {}): Scenario {
  return { name, startUrl: '${WEB_URL}', needs: [], steps, timeoutMs: 30_000, ...extra };
}

export const BROWSER = { recordVideo: true, mp4: false, viewport: { width: 1280, height: 720 } };

/** Width and height from a PNG's IHDR chunk; throws if the file is not a PNG. */
export function pngSize(file: string): { width: number; height: number } {
  const buf = readFileSync(file);
  if (buf.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error(`${file} is not a PNG`);
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

const SMALL = ['-vf', 'scale=160:90,format=gray', '-f', 'rawvideo', 'pipe:1'];

/** A 160×90 grayscale thumbnail of an image, or of a video frame `fromEndS` seconds before its end. */
export function grayThumb(file: string, fromEndS?: number): Buffer {
  const input = fromEndS === undefined ? ['-i', file] : ['-sseof', `-${fromEndS}`, '-i', file];
  return execFileSync('ffmpeg', ['-loglevel', 'error', ...input, '-frames:v', '1', ...SMALL], { maxBuffer: 1 << 20 });
}

export function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

export function stddev(a: Buffer): number {
  let mean = 0;
  for (const v of a) mean += v;
  mean /= a.length;
  let sq = 0;
  for (const v of a) sq += (v - mean) ** 2;
  return Math.sqrt(sq / a.length);
}
