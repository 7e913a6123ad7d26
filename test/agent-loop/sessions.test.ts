import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordedCwd, rewriteSessionCwd } from '../../src/agent-loop/session-rewrite.js';
import { locateSessionFile, placeSession, transferSession } from '../../src/agent-loop/sessions.js';

let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

function file(path: string, text: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('agent session files', () => {
  it('finds claude, codex and pi sessions by id under a HOME', () => {
    root = mkdtempSync(join(tmpdir(), 'factory-sessions-'));
    const home = join(root, 'home');
    const c = file(join(home, '.claude/projects/-w-repo/11111111-aaaa.jsonl'), '{}');
    const x = file(join(home, '.codex/sessions/2026/11/23/rollout-2026-11-23T10-00-00-0199a213-81c0.jsonl'), '{}');
    const p = file(join(home, '.pi/agent/sessions/--w-repo--/2026-11-23T10-00-00_0d1f8e56.jsonl'), '{}');
    expect(locateSessionFile('claude-code', home, '11111111-aaaa')).toBe(c);
    expect(locateSessionFile('codex', home, '0199a213-81c0')).toBe(x);
    expect(locateSessionFile('pi', home, '0d1f8e56')).toBe(p);
    expect(locateSessionFile('claude-code', home, 'nope')).toBeUndefined();
    expect(locateSessionFile('claude-code', home, '../etc')).toBeUndefined();
    expect(locateSessionFile('copilot', home, '11111111-aaaa')).toBeUndefined();
  });

  it('copies a session into a fresh sandbox HOME where the CLI will look for the new cwd', () => {
    root = mkdtempSync(join(tmpdir(), 'factory-sessions-'));
    const mine = join(root, 'me');
    const sandbox = join(root, 'sandbox-home');
    file(join(mine, '.claude/projects/-old-repo/abc-123.jsonl'), '{"cwd":"/old/repo"}\n');
    file(join(mine, '.codex/sessions/2026/11/23/rollout-x-def-456.jsonl'), '{"x":1}\n');
    const claude = transferSession('claude-code', 'abc-123', sandbox, '/new/wt.x', [mine]);
    expect(claude).toBe(join(sandbox, '.claude/projects/-new-wt-x/abc-123.jsonl'));
    expect(readFileSync(claude as string, 'utf8')).toBe('{"cwd":"/new/wt.x"}\n');
    const codex = transferSession('codex', 'def-456', sandbox, '/new/wt', [mine]);
    expect(codex).toBe(join(sandbox, '.codex/sessions/2026/11/23/rollout-x-def-456.jsonl'));
    expect(transferSession('claude-code', 'missing', sandbox, '/new/wt', [mine])).toBeUndefined();
  });
});

describe('the working directory recorded in session files', () => {
  it('claude: every entry with the old cwd; other values, other keys and broken lines stay as they were', () => {
    const jsonl = [
      '{"type":"user","cwd":"/w/a","message":{"content":"cd /w/a"}}',
      '{"type":"assistant","cwd":"/w/a/sub","message":{}}',
      '{"type":"summary","leafUuid":"x"}',
      '{"type":"user","cwd":"/w/a"', // a line the CLI was still writing
      '',
    ].join('\n');
    expect(recordedCwd('claude-code', jsonl)).toBe('/w/a');
    expect(rewriteSessionCwd('claude-code', jsonl, '/w/a', '/repo')).toBe(
      [
        '{"type":"user","cwd":"/repo","message":{"content":"cd /w/a"}}',
        '{"type":"assistant","cwd":"/w/a/sub","message":{}}',
        '{"type":"summary","leafUuid":"x"}',
        '{"type":"user","cwd":"/w/a"',
        '',
      ].join('\n'),
    );
  });

  it('pi: only the session header; codex: only session_meta.payload.cwd', () => {
    const pi = '{"type":"session","id":"s","cwd":"/w/a"}\n{"type":"message","cwd":"/w/a"}\n';
    expect(recordedCwd('pi', pi)).toBe('/w/a');
    expect(rewriteSessionCwd('pi', pi, '/w/a', '/w/b')).toBe(
      '{"type":"session","id":"s","cwd":"/w/b"}\n{"type":"message","cwd":"/w/a"}\n',
    );
    const codex =
      '{"type":"session_meta","payload":{"id":"x","cwd":"/w/a"}}\n{"type":"turn_context","payload":{"cwd":"/w/a"}}\n';
    expect(recordedCwd('codex', codex)).toBe('/w/a');
    expect(rewriteSessionCwd('codex', codex, '/w/a', '/w/b')).toBe(
      '{"type":"session_meta","payload":{"id":"x","cwd":"/w/b"}}\n{"type":"turn_context","payload":{"cwd":"/w/a"}}\n',
    );
    expect(recordedCwd('copilot', pi)).toBeUndefined();
  });

  it('placeSession: the newest copy wins, lands where the CLI looks, with claude subagent transcripts', () => {
    root = mkdtempSync(join(tmpdir(), 'factory-sessions-'));
    const sandbox = join(root, 'sandbox');
    const me = join(root, 'me');
    const proj = join(sandbox, '.claude/projects/-w-a');
    file(join(proj, 's-1.jsonl'), '{"type":"user","cwd":"/w/a"}\n{"type":"assistant","cwd":"/w/a"}\n');
    file(join(proj, 's-1/subagents/agent-x.jsonl'), '{"type":"user","cwd":"/w/a","isSidechain":true}\n');
    const stale = file(join(me, '.claude/projects/-repo/s-1.jsonl'), '{"type":"user","cwd":"/repo"}\n');
    utimesSync(stale, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const placed = placeSession('claude-code', 's-1', { home: me, cwd: '/repo' }, [sandbox]);
    expect(placed).toBe(stale);
    expect(readFileSync(stale, 'utf8')).toBe('{"type":"user","cwd":"/repo"}\n{"type":"assistant","cwd":"/repo"}\n');
    expect(readFileSync(join(me, '.claude/projects/-repo/s-1/subagents/agent-x.jsonl'), 'utf8')).toBe(
      '{"type":"user","cwd":"/repo","isSidechain":true}\n',
    );
    // pi: into the folder of the new directory (the only one pi looks in)
    file(
      join(sandbox, '.pi/agent/sessions/--w-a--/2026-01-01_p-1.jsonl'),
      '{"type":"session","id":"p-1","cwd":"/w/a"}\n',
    );
    expect(placeSession('pi', 'p-1', { home: me, cwd: '/repo/x' }, [sandbox])).toBe(
      join(me, '.pi/agent/sessions/--repo-x--/2026-01-01_p-1.jsonl'),
    );
    expect(placeSession('pi', 'nope', { home: me, cwd: '/repo' }, [sandbox])).toBeUndefined();
  });
});
