-- id: exfil-archive-then-transfer
-- title: Archive created or named, then transferred out by the same entity
-- severity: high
-- clause: G2.7
-- description: An archive event (a command such as tar c, zip, 7z a, rar a, or an object whose
--   name ends in .7z .zip .rar .tar .tgz .gz .bz2 .xz) followed within window_s seconds by a
--   transfer from the same entity (user, else source address, else host): an upload verb (PUT,
--   POST, STOR, PutObject, scp, rsync) or at least min_bytes sent. An upload of an archive
--   counts as both. One finding per entity and archive window; evidence: archives and transfers.
-- param window_s (integer) = 3600: Longest time from archive to transfer, in seconds.
-- param min_bytes (integer) = 100000: Bytes sent that make a plain transfer count.
-- false_positives: Backup jobs that archive and upload by design; software releases.
WITH base AS (
    SELECT "index", ts, coalesce(nullif("user", '-'), src_ip, host) AS entity,
           lower(coalesce(action, '')) AS verb,
           lower(coalesce(object, '') || ' ' || coalesce(message, '')) AS what,
           coalesce(bytes_out, 0) AS bytes_out
    FROM events
    WHERE source <> 'logchain'
),
archives AS (
    SELECT "index", ts, entity
    FROM base
    WHERE regexp_matches(what, '\.(7z|zip|rar|tar|tgz|gz|bz2|xz)(\b|$)')
       OR regexp_matches(what, '(^|\s)(tar\s+-?[a-z]*c|zip\s|7z\s+a\s|rar\s+a\s)')
),
transfers AS (
    SELECT "index", ts, entity
    FROM base
    WHERE verb IN ('put', 'post', 'stor', 'putobject', 'upload', 'scp', 'rsync', 'sftp')
       OR bytes_out >= $min_bytes
),
pairs AS (
    SELECT a.entity, a.ts AS archive_ts, a."index" AS archive_index,
           t.ts AS transfer_ts, t."index" AS transfer_index
    FROM archives AS a
    JOIN transfers AS t
      ON t.entity = a.entity AND t.ts >= a.ts AND t.ts <= a.ts + to_seconds($window_s)
)
SELECT entity,
       min(archive_ts) AS window_start,
       max(transfer_ts) AS window_end,
       count(DISTINCT transfer_index) AS count,
       list_distinct(list(archive_index) || list(transfer_index)) AS evidence,
       json_object('archives', count(DISTINCT archive_index),
                   'transfers', count(DISTINCT transfer_index))::VARCHAR AS detail
FROM pairs
WHERE entity IS NOT NULL
GROUP BY entity, window_start(archive_ts, $window_s)
