/**
 * The bot's own log: one record per thing worth knowing (started, a refusal, a job created, an
 * action, an edit that failed), as a line on stderr, or with `--json` one schema/telegram-log line on
 * stdout. Every record passes the redactor, and a refusal never carries the refused message's text.
 */
import type { Redactor } from '../../publish/index.js';
import type { TelegramLog } from './schema.js';

export type LogRecord = Omit<TelegramLog, 'schemaVersion' | 'at'>;
export type Log = (record: LogRecord) => void;

export function createLog(redact: Redactor, write: (line: string) => void, json: boolean): Log {
  return (r) => {
    const record: TelegramLog = { schemaVersion: 1, at: new Date().toISOString(), ...r, message: redact(r.message) };
    if (json) {
      write(JSON.stringify(record));
      return;
    }
    const where = [r.chatId ? `chat ${r.chatId}` : '', r.userId ? `user ${r.userId}` : '', r.jobId ?? '']
      .filter(Boolean)
      .join(' ');
    write(`telegram ${r.event}${where ? ` [${where}]` : ''}: ${record.message}`);
  };
}
