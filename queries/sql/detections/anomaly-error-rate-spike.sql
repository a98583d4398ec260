-- id: anomaly-error-rate-spike
-- title: Error-message rate spike per device/component
-- severity: medium
-- clause: G2.29
-- description: Counts error-level records (severity error, err, fatal, crit, alert, emerg, or
--   an HTTP 5xx answer) per component (host / application, else source) in fixed windows of
--   window_s seconds. The baseline is every window in which the component logged anything
--   (windows without errors count as 0). A window with at least min_errors errors whose robust
--   z-score against it (median, MAD floored at mad_floor) is at least min_z is a finding.
-- param window_s (integer) = 60: Width of the fixed window in seconds.
-- param min_errors (integer) = 10: Errors in one window that can make a finding (>=).
-- param min_z (number) = 3.5: Robust z-score that makes a finding (>=).
-- param mad_floor (number) = 1: Smallest MAD used, in errors per window.
-- false_positives: A noisy component restarting during maintenance; a log level changed to
--   verbose; a dependency outage that shows as errors everywhere at once.
WITH recs AS (
    SELECT coalesce(host, '') || '/' || coalesce(app, source) AS entity,
           window_start(ts, $window_s) AS w,
           "index",
           is_error_severity(severity) OR coalesce(http_status >= 500, false) AS is_error
    FROM events
    WHERE source <> 'logchain'
),
per_window AS (
    SELECT entity, w,
           count(*) FILTER (WHERE is_error) AS n,
           list("index") FILTER (WHERE is_error) AS members
    FROM recs
    GROUP BY entity, w
),
baseline AS (
    SELECT entity, median(n) AS med, count(*) AS windows FROM per_window GROUP BY entity
),
spread AS (
    SELECT p.entity, b.med, b.windows, median(abs(p.n - b.med)) AS mad
    FROM per_window AS p JOIN baseline AS b USING (entity)
    GROUP BY p.entity, b.med, b.windows
)
SELECT p.entity,
       p.w AS window_start,
       p.w + to_seconds($window_s) AS window_end,
       p.n AS count,
       p.members AS evidence,
       json_object('median', s.med, 'mad', s.mad,
                   'robust_z', round(robust_z(p.n, s.med, s.mad, $mad_floor), 3))::VARCHAR AS detail
FROM per_window AS p JOIN spread AS s USING (entity)
WHERE p.n >= $min_errors AND robust_z(p.n, s.med, s.mad, $mad_floor) >= $min_z
