-- id: exfil-off-hours
-- title: Data transfers outside working hours
-- severity: medium
-- clause: G2.7
-- description: Transfers that sent at least min_bytes at an hour (in timezone) before
--   work_start_hour or from work_end_hour on, or on a Saturday or Sunday when weekends is
--   true. Grouped per entity (user, else source address, else host) and fixed window of
--   window_s seconds; count is the bytes sent.
-- param min_bytes (integer) = 50000000: Smallest transfer that counts, in bytes sent.
-- param work_start_hour (integer) = 7: First working hour (0-23).
-- param work_end_hour (integer) = 19: First hour after work (1-24).
-- param weekends (boolean) = true: Count Saturday and Sunday as off hours.
-- param timezone (text) = UTC: IANA zone the working hours are in.
-- param window_s (integer) = 3600: Fixed window that groups transfers, in seconds.
-- false_positives: Scheduled backups and replication at night; staff in other time zones.
WITH sent AS (
    SELECT coalesce(nullif("user", '-'), src_ip, host) AS entity, ts, "index", bytes_out,
           hour(timezone($timezone, ts)) AS local_hour,
           isodow(timezone($timezone, ts)) AS local_dow
    FROM network
    WHERE bytes_out >= $min_bytes
)
SELECT entity,
       window_start(min(ts), $window_s) AS window_start,
       max(ts) AS window_end,
       sum(bytes_out) AS count,
       list("index") AS evidence,
       json_object('transfers', count(*), 'timezone', $timezone)::VARCHAR AS detail
FROM sent
WHERE entity IS NOT NULL
  AND (local_hour < $work_start_hour OR local_hour >= $work_end_hour
       OR ($weekends AND local_dow IN (6, 7)))
GROUP BY entity, window_start(ts, $window_s)
