import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/sandboxes/run-process.js';
import { TailBuffer } from '../../src/sandboxes/tail-buffer.js';
import { survivorsAfter, uniqueSleepSeconds } from './helpers.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const run = (argv: string[], options: Parameters<typeof runProcess>[1] = {}) =>
  runProcess({ argv, cwd: '/', env }, options).done;

describe('TailBuffer', () => {
  it('keeps only the last N bytes and counts what it dropped', () => {
    const buf = new TailBuffer(10);
    buf.push(Buffer.from('0123456789'));
    buf.push(Buffer.from('abc'));
    expect(buf.toString()).toBe('3456789abc');
    expect(buf.dropped).toBe(3);
    buf.push(Buffer.from('x'.repeat(25)));
    expect(buf.toString()).toBe('x'.repeat(10));
    expect(buf.dropped).toBe(28);
    expect(buf.byteLength).toBe(10);
  });

  it('does not start the tail with half a UTF-8 character', () => {
    const buf = new TailBuffer(5);
    buf.push(Buffer.from('ééé')); // 6 bytes: the first byte kept is a continuation byte
    expect(buf.toString()).toBe('éé');
  });
});

describe('runProcess', () => {
  it('returns exit code, stdout, stderr and feeds stdin', async () => {
    const result = await run(['sh', '-c', 'cat; echo err >&2; exit 3'], { stdin: 'hello' });
    expect(result).toMatchObject({
      exitCode: 3,
      stdout: 'hello',
      stderr: 'err\n',
      timedOut: false,
      aborted: false,
      idle: false,
    });
  });

  it('streams chunks to callbacks', async () => {
    const chunks: string[] = [];
    await run(['sh', '-c', 'printf a; printf b'], { onStdout: (c) => chunks.push(c) });
    expect(chunks.join('')).toBe('ab');
  });

  it('rejects with a FactoryFailure when the executable does not exist', async () => {
    await expect(run(['definitely-not-a-command-xyz'])).rejects.toMatchObject({ code: 'sandbox-spawn-failed' });
  });

  it('keeps output of any size bounded in memory while streaming all of it', async () => {
    let streamed = 0;
    // 64 MiB through a 64 KiB tail.
    const result = await run(['sh', '-c', 'head -c 67108864 /dev/zero | tr "\\0" x'], {
      maxBufferBytes: 65_536,
      onStdout: (chunk) => {
        streamed += chunk.length;
      },
    });
    expect(result.exitCode).toBe(0);
    expect(streamed).toBe(67_108_864);
    expect(result.stdout.length).toBe(65_536);
    expect(result.stdoutDroppedBytes).toBe(67_108_864 - 65_536);
  });

  it('a timeout kills the whole tree, grandchildren and setsid escapees included', async () => {
    const n = uniqueSleepSeconds();
    const script = `sleep ${n} & setsid sleep ${n} & sh -c "sleep ${n}" & echo up; wait`;
    const result = await run(['sh', '-c', script], { timeoutMs: 500, killGraceMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).toBe('up\n');
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('an abort signal kills the tree and marks the result aborted', async () => {
    const n = uniqueSleepSeconds();
    const controller = new AbortController();
    const proc = runProcess(
      { argv: ['sh', '-c', `sleep ${n} & sh -c "sleep ${n}" & echo up; wait; echo never`], cwd: '/', env },
      // Abort once the tree is up: "up" is printed after both children were started.
      { signal: controller.signal, onStdout: (chunk) => chunk.includes('up') && controller.abort() },
    );
    const result = await proc.done;
    expect(result.aborted).toBe(true);
    expect(result.stdout).toBe('up\n');
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('an already-aborted signal never lets the command finish', async () => {
    const result = await run(['sh', '-c', 'sleep 5; echo done'], { signal: AbortSignal.abort() });
    expect(result.aborted).toBe(true);
    expect(result.stdout).toBe('');
  });

  it('the idle timeout fires on silence and is reset by output', async () => {
    const chatty = await run(['sh', '-c', 'for i in 1 2 3 4 5 6; do echo $i; sleep 0.1; done'], {
      idleTimeoutMs: 2_000,
    });
    expect(chatty).toMatchObject({ exitCode: 0, idle: false });
    const n = uniqueSleepSeconds();
    const silent = await run(['sh', '-c', `echo start; sleep ${n}`], { idleTimeoutMs: 300, killGraceMs: 100 });
    expect(silent.idle).toBe(true);
    expect(silent.stdout).toBe('start\n');
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('a command that exits leaves no background child of its group behind', async () => {
    const n = uniqueSleepSeconds();
    const result = await run(['sh', '-c', `sleep ${n} > /dev/null 2>&1 & echo started`]);
    expect(result.exitCode).toBe(0);
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('a background child holding stdout open does not hang the exec', async () => {
    const n = uniqueSleepSeconds();
    const result = await run(['sh', '-c', `setsid sleep ${n} & echo out`]);
    expect(result.stdout).toBe('out\n');
    // setsid'd and orphaned after the parent exited: documented limit of the `none` provider;
    // clean it up ourselves so the test leaves nothing behind.
    const { pidsWithMarker } = await import('./helpers.js');
    for (const pid of pidsWithMarker(`sleep\0${n}`)) process.kill(pid, 'SIGKILL');
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });
});
