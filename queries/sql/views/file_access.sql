-- file_access: events that name a file path (audited opens and writes, mounts, file commands).
CREATE VIEW file_access AS
SELECT "index", ts, source, host, app, "user", action, object AS path, outcome, event_type,
       message, attrs
FROM events
WHERE object IS NOT NULL
  AND (object LIKE '/%' OR regexp_matches(object, '^[A-Za-z]:\\'))
  AND http_status IS NULL
  AND (
        lower(coalesce(event_type, '')) IN ('file', 'path', 'syscall', 'file_access', 'mount', 'open')
     OR lower(coalesce(action, '')) IN (
            'open', 'read', 'write', 'create', 'delete', 'unlink', 'rename', 'chmod', 'chown',
            'mount', 'copy', 'modify', 'truncate', 'link'
        )
  );
