import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { locateSessionFile, transferSession } from '../../src/agent-loop/sessions.js';

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
    expect(readFileSync(claude as string, 'utf8')).toBe('{"cwd":"/old/repo"}\n');
    const codex = transferSession('codex', 'def-456', sandbox, '/new/wt', [mine]);
    expect(codex).toBe(join(sandbox, '.codex/sessions/2026/11/23/rollout-x-def-456.jsonl'));
    expect(transferSession('claude-code', 'missing', sandbox, '/new/wt', [mine])).toBeUndefined();
  });
});
