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
)
SELECT entity, window_start, window_end, count, evidence, NULL AS detail
FROM sliding_bursts('hits', $window_s, $min_failures)
