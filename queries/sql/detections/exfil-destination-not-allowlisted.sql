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
)
SELECT entity || ' -> ' || dst_ip AS entity,
       min(ts) AS window_start,
       max(ts) AS window_end,
       sum(bytes_out) AS count,
       list("index") AS evidence,
       json_object('dst_ip', dst_ip, 'transfers', count(*))::VARCHAR AS detail
FROM sent
WHERE NOT ip_in_any(dst_ip, $allowlist)
GROUP BY entity, dst_ip
