-- Each version's definitions and, for a rollback, the version it restored: what
-- `quiver registry rollback` reads. Versions committed before this migration have no definitions
-- (only the latest ones were kept) and cannot be restored.
ALTER TABLE quiver_registry_history
  ADD COLUMN definitions jsonb,
  ADD COLUMN restored_version bigint;
