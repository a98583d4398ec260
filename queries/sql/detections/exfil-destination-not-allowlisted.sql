-- id: exfil-destination-not-allowlisted
-- title: Data sent to a destination outside the allowlist
-- severity: high
-- clause: G2.7
-- description: Transfers that sent at least min_bytes to a destination address not inside any
--   block of allowlist (IPv4 CIDR blocks or exact addresses). One finding per source entity
--   and destination, spanning its first to last such transfer; count is the bytes sent.
-- param allowlist (text_list) = 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8: Destinations data may go to (comma-separated CIDR blocks or addresses).
-- param min_bytes (integer) = 1: Smallest transfer that counts, in bytes sent.
-- false_positives: New SaaS or cloud endpoints not yet listed; CDN address changes. Keep the
--   allowlist in the review procedure and pass it with -p allowlist=...
WITH sent AS (
    SELECT coalesce(nullif("user", '-'), src_ip, host) AS entity, dst_ip, ts, "index", bytes_out
    FROM network
    WHERE dst_ip IS NOT NULL AND bytes_out >= $min_bytes
),
destinations AS (
    SELECT DISTINCT dst_ip FROM sent
),
outside AS (
    SELECT dst_ip FROM destinations WHERE NOT ip_in_any(dst_ip, $allowlist)
)
SELECT s.entity || ' -> ' || s.dst_ip AS entity,
       min(s.ts) AS window_start,
       max(s.ts) AS window_end,
       sum(s.bytes_out) AS count,
       list(s."index") AS evidence,
       json_object('dst_ip', s.dst_ip, 'transfers', count(*))::VARCHAR AS detail
FROM sent AS s
JOIN outside USING (dst_ip)
GROUP BY s.entity, s.dst_ip
