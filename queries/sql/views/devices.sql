-- devices: one row per device/component that produced records (host x source x app), with
-- its activity span, record count, error-level records and failures.
CREATE VIEW devices AS
SELECT
    coalesce(host, '') AS host,
    source,
    coalesce(app, '') AS app,
    count(*) AS records,
    min(ts) AS first_seen,
    max(ts) AS last_seen,
    count(*) FILTER (WHERE is_error_severity(severity)) AS errors,
    count(*) FILTER (WHERE outcome = 'failure') AS failures
FROM events
GROUP BY ALL;
