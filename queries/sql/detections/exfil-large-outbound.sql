-- id: exfil-large-outbound
-- title: Large outbound transfer volume per user or host in a window
-- severity: high
-- clause: G2.7
-- description: Sums bytes_out per entity (user, else source address, else host) in fixed
--   windows of window_s seconds aligned to the epoch, and reports each window whose total is
--   above max_bytes. Evidence: the records that sent bytes in that window.
-- param window_s (integer) = 3600: Width of the fixed window in seconds.
-- param max_bytes (integer) = 50000000: Bytes sent in one window above which it is a finding (>).
-- false_positives: Backups, software distribution, large legitimate uploads. Exclude the
--   known backup hosts in review, or use exfil-outbound-baseline for relative volume.
WITH sent AS (
    SELECT coalesce(nullif("user", '-'), src_ip, host) AS entity, ts, "index", bytes_out
    FROM network
    WHERE bytes_out > 0
)
SELECT entity,
       window_start(ts, $window_s) AS window_start,
       window_start(ts, $window_s) + to_seconds($window_s) AS window_end,
       sum(bytes_out) AS count,
       list("index") AS evidence,
       json_object('bytes_out', sum(bytes_out), 'records', count(*))::VARCHAR AS detail
FROM sent
WHERE entity IS NOT NULL
GROUP BY entity, window_start(ts, $window_s)
HAVING sum(bytes_out) > $max_bytes
