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
)
SELECT entity, window_start, window_end, count, evidence, NULL AS detail
FROM sliding_bursts('hits', $window_s, $min_failures)
