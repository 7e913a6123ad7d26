/**
 * The job store's schema, as numbered migrations shared by both backends. Each runs once, in a
 * transaction, and the database records the last one applied (SQLite: `user_version`; PostgreSQL:
 * the `factory_schema` table, under an advisory lock), so opening the store from several processes
 * at once migrates exactly once. A migration whose SQL both engines accept is one text; where they
 * differ (keys, triggers) it has one text per dialect with the same tables, columns and meaning.
 * Never edit a released migration: add the next one.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  description: string;
  sql: string | Record<Dialect, string>;
}

/** The columns of `jobs` both dialects declare the same way (after the key). */
const JOB_COLUMNS = `
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
        lease_pid_start BIGINT,
        lease_claimed_at TEXT,
        lease_heartbeat_at TEXT,
        lease_expires_at BIGINT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL`;

const JOB_INDEXES = `
      CREATE INDEX jobs_runnable ON jobs (runnable, seq);
      CREATE INDEX jobs_repo ON jobs (repo, seq);
      CREATE INDEX job_events_job ON job_events (job_id, id);`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobs (current state) and job_events (append-only history)',
    sql: {
      sqlite: `
      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,${JOB_COLUMNS}
      );
      CREATE TABLE job_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL
      );${JOB_INDEXES}
      CREATE TRIGGER job_events_no_update BEFORE UPDATE ON job_events
        BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;
      CREATE TRIGGER job_events_no_delete BEFORE DELETE ON job_events
        BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;
    `,
      postgres: `
      CREATE TABLE jobs (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,${JOB_COLUMNS}
      );
      CREATE TABLE job_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        at TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL
      );${JOB_INDEXES}
      CREATE FUNCTION job_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'job_events is append-only'; END $$;
      CREATE TRIGGER job_events_no_change BEFORE UPDATE OR DELETE ON job_events
        FOR EACH ROW EXECUTE FUNCTION job_events_append_only();
    `,
    },
  },
  {
    version: 2,
    description: "jobs.remote: the repository's shared git remote, for workers on other machines",
    sql: `
      ALTER TABLE jobs ADD COLUMN remote TEXT;
      CREATE INDEX jobs_remote ON jobs (remote, seq);
    `,
  },
  {
    version: 3,
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

export function migrationSql(m: Migration, dialect: Dialect): string {
  return typeof m.sql === 'string' ? m.sql : m.sql[dialect];
}
