-- id: auth-brute-force-user
-- title: Brute force: many failed logins for one user
-- severity: high
-- clause: G2.6
-- description: Counts failed authentications per user name in a sliding window (the
--   window_s seconds ending at each failure, both ends included). Each burst (over-threshold
--   windows less than window_s apart) gives one finding: the window with the most failures,
--   reported when it holds at least min_failures. Evidence: the failures in that window.
-- param window_s (integer) = 600: Length of the sliding window in seconds.
-- param min_failures (integer) = 20: Failures in one window that make a finding (>=).
-- false_positives: A user who forgot a changed password while a device keeps retrying the old
--   one; several people sharing one generic account name such as admin.
WITH hits AS (
    SELECT "user" AS entity, ts, "index"
    FROM auth
    WHERE outcome = 'failure' AND "user" IS NOT NULL
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
