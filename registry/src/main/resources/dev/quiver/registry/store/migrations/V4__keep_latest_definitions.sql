-- The latest version's definitions are known: keep them with its entry, so the version a team was
-- at when it upgraded can still be restored after the next apply.
UPDATE quiver_registry_history h
  SET definitions = r.definitions
  FROM quiver_registry r
  WHERE h.project = r.project AND h.version = r.version AND h.definitions IS NULL;
