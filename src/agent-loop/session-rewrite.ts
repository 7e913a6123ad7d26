/**
 * The working directory an agent CLI records inside its session files, and rewriting it when a
 * session moves to another directory (a sandbox's worktree → the host repository on capture; one
 * run's worktree → another's on resume). Pure functions over JSONL text, one entry per line:
 *
 *   claude  every entry carries `cwd` (also in the subagent transcripts beside the session)
 *   pi      the `session` header line carries `cwd`; pi refuses a session whose cwd is gone
 *   codex   the `session_meta` entry carries `payload.cwd`
 *
 * Only values equal to the old directory are replaced; a line that is not a JSON object is kept
 * byte for byte (a CLI may write partial lines while it runs).
 */

type Entry = Record<string, unknown>;

function parseEntry(line: string): Entry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Entry) : undefined;
  } catch {
    return undefined;
  }
}

function payloadOf(e: Entry): Entry | undefined {
  const p = e.payload;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Entry) : undefined;
}

/** Where each agent's format keeps the cwd in one entry: the object holding the `cwd` key, if any. */
function cwdHolder(agent: string, e: Entry): Entry | undefined {
  switch (agent) {
    case 'claude-code':
      return e;
    case 'pi':
      return e.type === 'session' ? e : undefined;
    case 'codex':
      return e.type === 'session_meta' ? payloadOf(e) : undefined;
    default:
      return undefined;
  }
}

/** The working directory the session was recorded in (its first entry that names one). */
export function recordedCwd(agent: string, jsonl: string): string | undefined {
  for (const line of jsonl.split('\n')) {
    const e = parseEntry(line);
    const holder = e && cwdHolder(agent, e);
    if (holder && typeof holder.cwd === 'string') return holder.cwd;
  }
  return undefined;
}

/** The same session with every recorded `fromCwd` replaced by `toCwd`. */
export function rewriteSessionCwd(agent: string, jsonl: string, fromCwd: string, toCwd: string): string {
  if (fromCwd === toCwd) return jsonl;
  return jsonl
    .split('\n')
    .map((line) => {
      const e = parseEntry(line);
      const holder = e && cwdHolder(agent, e);
      if (!holder || holder.cwd !== fromCwd) return line;
      holder.cwd = toCwd;
      return JSON.stringify(e);
    })
    .join('\n');
}
