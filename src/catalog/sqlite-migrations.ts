/**
 * Schema versions, applied in order and recorded in `PRAGMA user_version`.
 * Never edit a released migration; add the next one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE files (
     root TEXT NOT NULL,
     path TEXT NOT NULL,
     state TEXT NOT NULL,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     mode INTEGER NOT NULL,
     sha256 TEXT,
     target TEXT NOT NULL,
     bucket TEXT NOT NULL,
     object_key TEXT NOT NULL,
     pack_offset INTEGER,
     pack_length INTEGER,
     etag TEXT,
     storage_class TEXT NOT NULL,
     policy TEXT NOT NULL,
     run_id TEXT NOT NULL,
     manifest_key TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (root, path)
   ) WITHOUT ROWID;
   CREATE INDEX files_unfinished ON files (state) WHERE state IN ('uploading', 'stored', 'restoring');
   CREATE INDEX files_object ON files (object_key);
   CREATE INDEX files_policy ON files (policy, state);
   CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     outcome TEXT NOT NULL,
     policies TEXT NOT NULL,
     files INTEGER NOT NULL DEFAULT 0,
     bytes INTEGER NOT NULL DEFAULT 0,
     failures INTEGER NOT NULL DEFAULT 0
   );`,
];
