-- id: exfil-outbound-baseline
-- title: Outbound volume far above the entity's own baseline (robust z-score)
-- severity: high
-- clause: G2.7
-- description: Sums bytes_out per entity (user, else source address, else host) in fixed
--   windows of window_s seconds. Against the median and the median absolute deviation (MAD)
--   of that entity's active windows, a window whose robust z-score 0.6745 (x - median) / MAD
--   is at least min_z, and that sent at least min_bytes, is a finding. The MAD is floored at
--   mad_floor_bytes; entities need min_windows active windows. count is the window's bytes.
-- param window_s (integer) = 3600: Width of the fixed window in seconds.
-- param min_z (number) = 3.5: Robust z-score that makes a finding (>=).
-- param min_bytes (integer) = 1000000: Ignore windows that sent less than this.
-- param min_windows (integer) = 5: Active windows an entity needs for a baseline.
-- param mad_floor_bytes (number) = 1024: Smallest MAD used, in bytes.
-- false_positives: Month-end jobs and other rare but legitimate bulk transfers; a baseline
--   built from few windows. Windows without traffic are not part of the baseline.
WITH per_window AS (
    SELECT coalesce(nullif("user", '-'), src_ip, host) AS entity,
           window_start(ts, $window_s) AS w,
           sum(bytes_out) AS bytes,
           list("index") AS members
    FROM network
    WHERE bytes_out > 0
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
  AND p.bytes >= $min_bytes
  AND robust_z(p.bytes, p.med, p.mad, $mad_floor_bytes) >= $min_z
