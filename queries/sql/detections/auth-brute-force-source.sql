-- id: auth-brute-force-source
-- title: Brute force: many failed logins from one source address
-- severity: high
-- clause: G2.6
-- description: Counts failed authentications per source address in a sliding window (the
--   window_s seconds ending at each failure, both ends included). Each burst (over-threshold
--   windows less than window_s apart) gives one finding: the window with the most failures,
--   reported when it holds at least min_failures. Evidence: the failures in that window.
-- param window_s (integer) = 600: Length of the sliding window in seconds.
-- param min_failures (integer) = 30: Failures in one window that make a finding (>=).
-- false_positives: A client retrying a stale saved password; a NAT gateway, proxy or VPN
--   concentrator putting many users behind one address; vulnerability scanners you run.
WITH hits AS (
    SELECT src_ip AS entity, ts, "index"
    FROM auth
    WHERE outcome = 'failure' AND src_ip IS NOT NULL
),
windows AS (
    SELECT entity, ts, "index",
           count(*) OVER w AS n,
           min(ts) OVER w AS first_ts,
           list("index") OVER w AS members
    FROM hits
    WINDOW w AS (PARTITION BY entity ORDER BY ts
                 RANGE BETWEEN to_seconds($window_s) PRECEDING AND CURRENT ROW)
),
over_threshold AS (
    SELECT *, ts - lag(ts) OVER (PARTITION BY entity ORDER BY ts, "index") AS gap
    FROM windows
    WHERE n >= $min_failures
),
bursts AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap > to_seconds($window_s) THEN 1 ELSE 0 END)
              OVER (PARTITION BY entity ORDER BY ts, "index") AS burst
    FROM over_threshold
)
SELECT entity, first_ts AS window_start, ts AS window_end, n AS count,
       members AS evidence, NULL AS detail
FROM bursts
QUALIFY row_number() OVER (PARTITION BY entity, burst ORDER BY n DESC, ts, "index") = 1
