-- Diffie's schema, applied by services/migrate.mjs (idempotent: safe on every start, like `dev:push`).

CREATE TABLE IF NOT EXISTS projects (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One summary per project, computed by the worker from the project's text.
CREATE TABLE IF NOT EXISTS project_summaries (
  project_id   bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  word_count   integer NOT NULL,
  unique_words integer NOT NULL,
  top_words    jsonb NOT NULL,
  computed_at  timestamptz NOT NULL DEFAULT now(),
  computed_by  text NOT NULL
);

-- The worker's queue: one row per piece of work; claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE IF NOT EXISTS jobs (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL,
  project_id  bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts    integer NOT NULL DEFAULT 0,
  error       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS started_at timestamptz;
CREATE INDEX IF NOT EXISTS jobs_queued ON jobs (id) WHERE status = 'queued';

-- Workers that registered with the api (the register one-shot does it, like a Restate deployment).
CREATE TABLE IF NOT EXISTS workers (
  name          text PRIMARY KEY,
  url           text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);

-- Changes are pushed to the realtime service through LISTEN/NOTIFY.
CREATE OR REPLACE FUNCTION notify_project_change() RETURNS trigger AS $$
DECLARE
  pid bigint;
BEGIN
  IF TG_TABLE_NAME = 'projects' THEN
    pid := COALESCE(NEW.id, OLD.id);
  ELSE
    pid := COALESCE(NEW.project_id, OLD.project_id);
  END IF;
  PERFORM pg_notify('project_changes',
    json_build_object('table', TG_TABLE_NAME, 'op', lower(TG_OP), 'projectId', pid)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS projects_notify ON projects;
CREATE TRIGGER projects_notify AFTER INSERT OR UPDATE OR DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION notify_project_change();
DROP TRIGGER IF EXISTS summaries_notify ON project_summaries;
CREATE TRIGGER summaries_notify AFTER INSERT OR UPDATE ON project_summaries
  FOR EACH ROW EXECUTE FUNCTION notify_project_change();

-- New jobs wake the worker at once instead of waiting for its next poll.
CREATE OR REPLACE FUNCTION notify_job() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('jobs', NEW.id::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS jobs_notify ON jobs;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION notify_job();
