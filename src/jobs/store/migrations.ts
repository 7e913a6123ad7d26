/**
 * The job store's schema, as numbered migrations. Each runs once, in its own transaction, and the
 * database's `user_version` records the last one applied, so opening the store from several
 * processes at once migrates exactly once (the second opener waits on the write lock, then finds
 * the version already there). Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs (current state) and job_events (append-only history)',
    sql: `
      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        repo TEXT NOT NULL,
        title TEXT NOT NULL,
        request TEXT NOT NULL,
        state TEXT NOT NULL,
        stopped_at TEXT,
        round INTEGER NOT NULL DEFAULT 1,
        config TEXT NOT NULL,
        data TEXT NOT NULL,
        runnable INTEGER NOT NULL,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        lease_worker TEXT,
        lease_host TEXT,
        lease_pid INTEGER,
        lease_pid_start INTEGER,
        lease_claimed_at TEXT,
        lease_heartbeat_at TEXT,
        lease_expires_at INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX jobs_runnable ON jobs (runnable, seq);
      CREATE INDEX jobs_repo ON jobs (repo, seq);
      CREATE TABLE job_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX job_events_job ON job_events (job_id, id);
      CREATE TRIGGER job_events_no_update BEFORE UPDATE ON job_events
        BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;
      CREATE TRIGGER job_events_no_delete BEFORE DELETE ON job_events
        BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;
    `,
  },
  {
    version: 2,
    description: 'job_chat_messages: the chat message that shows a job (the bot edits it in place)',
    sql: `
      CREATE TABLE job_chat_messages (
        job_id TEXT NOT NULL REFERENCES jobs (id),
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        message_id INTEGER NOT NULL,
        request_message_id INTEGER,
        user_id TEXT,
        last_event_id INTEGER NOT NULL DEFAULT 0,
        video_message_id INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (job_id, channel)
      );
      CREATE INDEX job_chat_messages_channel ON job_chat_messages (channel, chat_id);
    `,
  },
];
