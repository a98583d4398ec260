-- id: g6-request-rate
-- title: Requests per user and request type above the G6 threshold
-- severity: high
-- clause: G2.29
-- description: For every request limit of the applied G6 thresholds (g6_request_limits), counts
--   requests per user id (user, else source address) and request type (action, else event
--   type; "*" counts all types together) in fixed windows of the limit's window_s, and reports
--   each count above max_count. A limit's user "*" applies to each user separately. Records of
--   logchain's own source are not requests. Without applied thresholds it finds nothing.
-- false_positives: Thresholds set below a legitimate peak (batch jobs, month-end runs):
--   raise them with a signed change (logchain thresholds sign/apply), never by editing files.
WITH requests AS (
    SELECT "index", ts,
           coalesce(nullif("user", '-'), src_ip, host) AS user_id,
           coalesce(action, event_type) AS request_type
    FROM events
    WHERE source <> 'logchain'
),
matched AS (
    SELECT l.limit_id, l.window_s, l.max_count,
           r.user_id, CASE WHEN l.request_type = '*' THEN '*' ELSE r.request_type END AS request_type,
           window_start(r.ts, l.window_s) AS w, r."index"
    FROM requests AS r
    JOIN g6_request_limits AS l
      ON (l.user = '*' OR l.user = r.user_id)
     AND (l.request_type = '*' OR l.request_type = r.request_type)
    WHERE r.user_id IS NOT NULL
)
SELECT user_id || ' / ' || request_type AS entity,
       w AS window_start,
       w + to_seconds(window_s) AS window_end,
       count(*) AS count,
       list("index") AS evidence,
       json_object('limit_id', limit_id, 'max_count', max_count, 'window_s', window_s)::VARCHAR
           AS detail
FROM matched
GROUP BY limit_id, window_s, max_count, user_id, request_type, w
HAVING count(*) > max_count
