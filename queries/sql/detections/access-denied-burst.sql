-- id: access-denied-burst
-- title: Burst of access-denied events for one source or user
-- severity: medium
-- clause: G2.6
-- description: Counts denials per entity (source address, else user, else host) in a sliding
--   window of window_s seconds: auditd records with res=failed, "permission denied" and
--   "access denied" messages, requests refused as forbidden, sudo authentication failures
--   (incorrect password, not in sudoers) and HTTP 401/403 answers. The busiest window of each
--   burst with at least min_denials denials is a finding.
-- param window_s (integer) = 300: Length of the sliding window in seconds.
-- param min_denials (integer) = 10: Denials in one window that make a finding (>=).
-- false_positives: Crawlers hitting protected paths; a misconfigured service account; a
--   user exploring a share they have no rights to. Tune min_denials per environment.
WITH hits AS (
    SELECT coalesce(src_ip, "user", host, source) AS entity, ts, "index"
    FROM events
    WHERE source <> 'logchain' AND (http_status IN (401, 403)
       OR attrs ->> '$.res' IN ('failed', 'fail')
       OR lower(coalesce(message, '')) LIKE '%permission denied%'
       OR lower(coalesce(message, '')) LIKE '%access denied%'
       OR lower(coalesce(message, '')) LIKE '%forbidden%'
       OR (lower(coalesce(app, '')) = 'sudo'
           AND (lower(coalesce(message, '')) LIKE '%authentication failure%'
                OR lower(coalesce(message, '')) LIKE '%incorrect password%'
                OR lower(coalesce(message, '')) LIKE '%not in sudoers%')))
)
SELECT entity, window_start, window_end, count, evidence, NULL AS detail
FROM sliding_bursts('hits', $window_s, $min_denials)
