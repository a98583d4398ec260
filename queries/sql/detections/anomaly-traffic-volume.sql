-- id: anomaly-traffic-volume
-- title: Traffic volume per host far from its own baseline
-- severity: medium
-- clause: G2.29
-- description: Sums bytes in and out per host (host, else source address) in fixed windows of
--   window_s seconds and reports windows whose robust z-score against the host's active
--   windows (median, MAD floored at mad_floor_bytes) is at least min_z in either direction,
--   when the window moved at least min_bytes or the baseline median did. count is the bytes.
-- param window_s (integer) = 3600: Width of the fixed window in seconds.
-- param min_z (number) = 3.5: Absolute robust z-score that makes a finding (>=).
-- param min_bytes (integer) = 1000000: Ignore deviations where neither the window nor the median reach this.
-- param min_windows (integer) = 5: Active windows a host needs for a baseline.
-- param mad_floor_bytes (number) = 1024: Smallest MAD used, in bytes.
-- false_positives: Patch days, backups, a host changing role. Windows without traffic are
--   not part of the baseline, so a host that goes quiet shows in anomaly-source-silent.
WITH per_window AS (
    SELECT coalesce(host, src_ip) AS entity,
           window_start(ts, $window_s) AS w,
           sum(bytes_in + bytes_out) AS bytes,
           list("index") AS members
    FROM network
    WHERE bytes_in + bytes_out > 0
    GROUP BY ALL
)
SELECT p.entity,
       p.w AS window_start,
       p.w + to_seconds($window_s) AS window_end,
       p.bytes AS count,
       p.members AS evidence,
       json_object('median_bytes', p.med, 'mad_bytes', p.mad, 'windows', p.windows,
                   'robust_z', round(robust_z(p.bytes, p.med, p.mad, $mad_floor_bytes), 3))::VARCHAR
           AS detail
FROM with_baseline('per_window') AS p
WHERE p.entity IS NOT NULL
  AND p.windows >= $min_windows
  AND greatest(p.bytes, p.med) >= $min_bytes
  AND abs(robust_z(p.bytes, p.med, p.mad, $mad_floor_bytes)) >= $min_z
