-- The tables Quiver created before its schema was migrated, exactly as it created them: on a
-- database made by those versions this migration changes nothing. PostgreSQL's notice for each
-- table that is already there would reach the user as a warning; this migration's transaction
-- keeps them quiet.
SET LOCAL client_min_messages = warning;

CREATE TABLE IF NOT EXISTS quiver_registry (
  project text PRIMARY KEY,
  version bigint NOT NULL,
  definitions jsonb NOT NULL,
  updated_at timestamptz NOT NULL);

CREATE TABLE IF NOT EXISTS quiver_registry_history (
  project text NOT NULL,
  version bigint NOT NULL,
  committed_at timestamptz NOT NULL,
  committed_by text NOT NULL,
  git_commit text,
  changes jsonb NOT NULL,
  PRIMARY KEY (project, version));

-- One materialization log per project, whatever the online store: superseded by the per-store
-- logs of V2 and read by nothing since (ARCHITECTURE.md, "Registry"). Kept so that a database
-- still used by an older Quiver keeps working for it.
CREATE TABLE IF NOT EXISTS quiver_materialized_intervals (
  project text NOT NULL,
  view_name text NOT NULL,
  start_nanos bigint,
  end_nanos bigint NOT NULL);

CREATE TABLE IF NOT EXISTS quiver_materialized_newest (
  project text NOT NULL,
  view_name text NOT NULL,
  newest_event_nanos bigint NOT NULL,
  PRIMARY KEY (project, view_name));
