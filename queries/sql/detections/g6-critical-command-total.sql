-- id: g6-critical-command-total
-- title: Critical commands above their G6 total
-- severity: critical
-- clause: G2.29
-- description: For every critical command of the applied G6 thresholds (g6_critical_commands),
--   counts records whose command or object (case-insensitive) contains its match text, over
--   all users, in fixed windows of its window_s, and reports each total above max_total.
--   Without applied thresholds it finds nothing.
-- false_positives: Legitimate administration that uses the command; set max_total to the
--   expected number per window with a signed change.
WITH commands AS (
    SELECT "index", ts,
           lower(coalesce(object, '') || ' ' || coalesce(attrs ->> '$.cmd', '') || ' '
                 || coalesce(message, '')) AS what
    FROM events
    WHERE source <> 'logchain'
)
SELECT c.name AS entity,
       window_start(e.ts, c.window_s) AS window_start,
       window_start(e.ts, c.window_s) + to_seconds(c.window_s) AS window_end,
       count(*) AS count,
       list(e."index") AS evidence,
       json_object('limit_id', c.limit_id, 'match', c.match, 'max_total', c.max_total)::VARCHAR
           AS detail
FROM commands AS e
JOIN g6_critical_commands AS c ON contains(e.what, lower(c.match))
GROUP BY c.limit_id, c.name, c.match, c.window_s, c.max_total, window_start(e.ts, c.window_s)
HAVING count(*) > c.max_total
