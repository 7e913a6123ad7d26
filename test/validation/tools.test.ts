/** Finding Chromium and ffmpeg on this machine, and the errors that name the install command. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium, findFfmpegTool } from '../../src/validation/tools.js';
import { failureOf } from '../helpers/failure.js';

describe('tools', () => {
  it('finds the system Chromium and ffmpeg, and honours FACTORY_CHROMIUM', () => {
    expect(findChromium({ PATH: process.env.PATH })).toBe('/usr/bin/chromium');
    expect(findChromium({ FACTORY_CHROMIUM: '/usr/bin/chromium' }, [])).toBe('/usr/bin/chromium');
    expect(findFfmpegTool('ffmpeg', { PATH: process.env.PATH })).toBe('/usr/bin/ffmpeg');
  });

  it('names the install command when Chromium is not there', () => {
    expect(failureOf(() => findChromium({ PATH: '/nonexistent' }, ['/nonexistent/chromium']))).toEqual({
      code: 'browser-missing',
      message: 'Chromium is not installed (looked in /nonexistent/chromium, PATH)',
      hint: 'install it with: apt-get install -y chromium   (or set FACTORY_CHROMIUM to a Chromium/Chrome binary)',
      exitCode: 3,
    });
    const dir = mkdtempSync(join(tmpdir(), 'factory-tools-'));
    try {
      const notExecutable = join(dir, 'chromium');
      writeFileSync(notExecutable, '', { mode: 0o644 });
      expect(failureOf(() => findChromium({ FACTORY_CHROMIUM: notExecutable }))).toMatchObject({
        code: 'browser-missing',
        message: `FACTORY_CHROMIUM points at ${notExecutable}, which is not an executable file`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the install command when ffmpeg is not there', () => {
    expect(failureOf(() => findFfmpegTool('ffprobe', { PATH: '/nonexistent' }))).toEqual({
      code: 'ffmpeg-missing',
      message: 'ffprobe is not installed; it records the validation video',
      hint: 'install it with: apt-get install -y ffmpeg   (or set validation.browser.record_video: false)',
      exitCode: 3,
    });
  });
});
