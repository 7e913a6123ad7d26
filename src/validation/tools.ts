/**
 * The external programs validation needs — Chromium, ffmpeg, ffprobe — found on this machine, never
 * downloaded (`npx playwright install` is blocked here, and a second browser copy per checkout is
 * waste). A missing program is an expected failure with the exact command that installs it.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

/** Where Debian and Ubuntu put Chromium, and where Google's packages put Chrome. */
const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
];

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `FACTORY_CHROMIUM` wins (and must exist); otherwise the first known system location, then PATH. */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = CHROMIUM_CANDIDATES,
): string {
  const override = env.FACTORY_CHROMIUM;
  if (override) {
    if (isExecutable(override)) return override;
    throw new FactoryFailure(
      'browser-missing',
      `FACTORY_CHROMIUM points at ${override}, which is not an executable file`,
      {
        exitCode: ExitCode.unavailable,
        hint: 'unset FACTORY_CHROMIUM to use the system Chromium, or point it at a Chromium/Chrome binary',
      },
    );
  }
  const found = candidates.find(isExecutable) ?? onPath('chromium', env);
  if (found) return found;
  throw new FactoryFailure(
    'browser-missing',
    `Chromium is not installed (looked in ${[...candidates, 'PATH'].join(', ')})`,
    {
      exitCode: ExitCode.unavailable,
      hint: 'install it with: apt-get install -y chromium   (or set FACTORY_CHROMIUM to a Chromium/Chrome binary)',
      details: { install: 'apt-get install -y chromium' },
    },
  );
}

/** ffmpeg encodes the video; ffprobe measures it. Both come from Debian's `ffmpeg` package. */
export function findFfmpegTool(name: 'ffmpeg' | 'ffprobe', env: NodeJS.ProcessEnv = process.env): string {
  const override = name === 'ffmpeg' ? env.FACTORY_FFMPEG : env.FACTORY_FFPROBE;
  if (override) {
    if (isExecutable(override)) return override;
    throw new FactoryFailure(
      'ffmpeg-missing',
      `${name === 'ffmpeg' ? 'FACTORY_FFMPEG' : 'FACTORY_FFPROBE'} points at ${override}, which is not an executable file`,
      {
        exitCode: ExitCode.unavailable,
      },
    );
  }
  const found = onPath(name, env);
  if (found) return found;
  throw new FactoryFailure('ffmpeg-missing', `${name} is not installed; it records the validation video`, {
    exitCode: ExitCode.unavailable,
    hint: 'install it with: apt-get install -y ffmpeg   (or set validation.browser.record_video: false)',
    details: { install: 'apt-get install -y ffmpeg' },
  });
}

/**
 * Flags for headless Chromium on a machine without network or GPU. Without the background-networking
 * flags Chromium floods a closed network with refused connections (../shared/MACHINE-NOTES.md);
 * `--no-sandbox` because we run as root, where Chromium's own sandbox refuses to start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
] as const;
