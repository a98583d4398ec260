-- id: anomaly-source-silent
-- title: A log source silent for longer than its usual cadence
-- severity: medium
-- clause: G2.29
-- description: Per source (and host), the gaps between consecutive records, and the gap from
--   its last record to the end of the query window (or to the newest record of any source
--   when the window is open). A gap longer than factor times the source's median gap and
--   longer than min_gap_s is a finding; sources need min_records records. Only records with a
--   parsed event time count (ingest times say when logchain read a line, not when the source
--   wrote it). count is the gap in whole seconds; evidence: the records either side of it.
-- param factor (number) = 10: How many median gaps make a silence.
-- param min_gap_s (integer) = 1800: Shortest silence reported, in seconds.
-- param min_records (integer) = 20: Records a source needs for a cadence.
-- false_positives: Sources that only log on activity (quiet nights and weekends); planned
--   maintenance. Raise factor or min_gap_s for bursty sources.
WITH recs AS (
    SELECT source || coalesce('@' || host, '') AS entity, event_time AS ts, "index"
    FROM events
    WHERE source <> 'logchain' AND event_time IS NOT NULL
),
gaps AS (
    SELECT entity, ts, "index",
           lead(ts) OVER (PARTITION BY entity ORDER BY ts, "index") AS next_ts,
           lead("index") OVER (PARTITION BY entity ORDER BY ts, "index") AS next_index
    FROM recs
),
horizon AS (
    SELECT coalesce((SELECT until FROM query_window), (SELECT max(ts) FROM recs)) AS end_ts
),
cadence AS (
    SELECT entity, count(*) AS records, median(epoch(next_ts) - epoch(ts)) AS median_gap_s
    FROM gaps
    GROUP BY entity
),
silences AS (
    SELECT g.entity, g.ts AS gap_start, coalesce(g.next_ts, h.end_ts) AS gap_end,
           g."index", g.next_index, c.median_gap_s, c.records
    FROM gaps AS g JOIN cadence AS c USING (entity) CROSS JOIN horizon AS h
)
SELECT entity,
       gap_start AS window_start,
       gap_end AS window_end,
       CAST(floor(epoch(gap_end) - epoch(gap_start)) AS BIGINT) AS count,
       list_filter(["index", next_index], lambda i: i IS NOT NULL) AS evidence,
       json_object('median_gap_s', median_gap_s, 'ongoing', next_index IS NULL)::VARCHAR AS detail
FROM silences
WHERE records >= $min_records
  AND epoch(gap_end) - epoch(gap_start) > greatest($min_gap_s, $factor * coalesce(median_gap_s, 0))
