-- id: anomaly-rare-event-type
-- title: New or rare event types for a source
-- severity: low
-- clause: G2.29
-- description: Per source, event types seen at most max_count times in the window (rare), or
--   first seen more than learning_s seconds after the source's first record (new), in sources
--   with at least min_source_records records. One finding per source and event type;
--   evidence: every record of that type.
-- param max_count (integer) = 2: Occurrences at or below which a type is rare.
-- param min_source_records (integer) = 100: Records a source needs before its types are judged.
-- param learning_s (integer) = 86400: Seconds from a source's first record during which types are learned.
-- false_positives: Rare but routine events (reboots, certificate renewals, monthly jobs); a new
--   software version introducing event types.
WITH typed AS (
    SELECT source, event_type, ts, "index"
    FROM events
    WHERE event_type IS NOT NULL AND source <> 'logchain'
),
sources AS (
    SELECT source, count(*) AS records, min(ts) AS first_ts FROM typed GROUP BY source
),
types AS (
    SELECT source, event_type, count(*) AS n, min(ts) AS first_seen, max(ts) AS last_seen,
           list("index") AS members
    FROM typed
    GROUP BY source, event_type
)
SELECT t.source || ':' || t.event_type AS entity,
       t.first_seen AS window_start,
       t.last_seen AS window_end,
       t.n AS count,
       t.members AS evidence,
       json_object('rare', t.n <= $max_count,
                   'new', t.first_seen > s.first_ts + to_seconds($learning_s),
                   'source_records', s.records)::VARCHAR AS detail
FROM types AS t JOIN sources AS s USING (source)
WHERE s.records >= $min_source_records
  AND (t.n <= $max_count OR t.first_seen > s.first_ts + to_seconds($learning_s))
