import { describe, expect, it } from 'vitest';
import { LineSplitter, TextTail } from '../../src/agent-loop/lines.js';
import { parseCursorLine } from '../../src/agent-loop/providers/index.js';

describe('LineSplitter', () => {
  it('joins chunks split anywhere, strips CR, flushes a last line without newline', () => {
    const lines: Array<[string, boolean]> = [];
    const s = new LineSplitter((l, t) => lines.push([l, t]));
    for (const chunk of ['a', 'b\r\nc', 'd\n', '\n', 'tail']) s.push(chunk);
    s.end();
    expect(lines).toEqual([
      ['ab', false],
      ['cd', false],
      ['', false],
      ['tail', false],
    ]);
  });

  it('keeps at most maxLineChars of a line and marks it truncated', () => {
    const lines: Array<[string, boolean]> = [];
    const s = new LineSplitter((l, t) => lines.push([l, t]), 5);
    s.push('0123');
    s.push('456789');
    s.push('\nok\n');
    expect(lines).toEqual([
      ['01234', true],
      ['ok', false],
    ]);
  });
});

describe('TextTail', () => {
  it('keeps the last maxChars, counting what it dropped', () => {
    const t = new TextTail(4);
    for (const p of ['ab', 'cd', 'ef', 'gh', 'ij']) t.push(p);
    expect(t.toString()).toBe('ghij');
    expect(t.dropped).toBeGreaterThan(0);
  });
});

describe('cursor usage', () => {
  it('takes camelCase usage from the result line', () => {
    const events = parseCursorLine(
      '{"type":"result","subtype":"success","is_error":false,"result":"ok","session_id":"s","usage":{"inputTokens":5,"outputTokens":6,"cacheReadTokens":7,"cacheWriteTokens":8}}',
    );
    expect(events.filter((e) => e.type === 'usage')).toEqual([
      { type: 'usage', cumulative: true, usage: { input: 5, output: 6, cacheRead: 7, cacheWrite: 8 } },
    ]);
  });
});
