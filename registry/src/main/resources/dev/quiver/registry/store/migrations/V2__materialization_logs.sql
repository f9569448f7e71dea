-- A materialization log per project and online store. online_store is the store's identity,
-- its type and location (rocksdb:/srv/repo/data/online, redis:redis://cache:6379): a repo
-- switched to another online store starts from an empty log.
--
-- One row per view that was materialized into the store: its newest event time materialized
-- (null while no window held a row), and the row a record locks (SELECT ... FOR UPDATE) while it
-- rewrites the view's intervals, so concurrent records are all kept.
CREATE TABLE quiver_materialization_log (
  project text NOT NULL,
  online_store text NOT NULL,
  view_name text NOT NULL,
  newest_event_nanos bigint,
  PRIMARY KEY (project, online_store, view_name));

-- The view's materialized intervals, merged. Bounds are nanoseconds since the epoch:
-- timestamptz would round an end to microseconds, and an incremental run could then skip rows.
-- A null start reaches back to the beginning of the data.
CREATE TABLE quiver_materialization_log_intervals (
  project text NOT NULL,
  online_store text NOT NULL,
  view_name text NOT NULL,
  start_nanos bigint,
  end_nanos bigint NOT NULL,
  FOREIGN KEY (project, online_store, view_name)
    REFERENCES quiver_materialization_log ON DELETE CASCADE);

CREATE INDEX quiver_materialization_log_intervals_view
  ON quiver_materialization_log_intervals (project, online_store, view_name);
