-- id: auth-new-source-for-user
-- title: Login from a source never seen before for that user
-- severity: medium
-- clause: G2.6
-- description: For each user, the first successful login from each source network (the IPv4
--   address's first prefix_bits bits; 32 means the exact address; other addresses compare
--   whole). The user's first network ever is the baseline; a later first login from another
--   network is a finding when the user already had at least min_prior_logins successful logins
--   (so new accounts do not fire). History is what the query window holds: run it over a long
--   window.
-- param prefix_bits (integer) = 16: Leading bits of an IPv4 address that name its network (1-32).
-- param min_prior_logins (integer) = 1: Successful logins the user needs before a new source counts.
-- false_positives: Travel, a new office or VPN exit, mobile networks; with prefix_bits 32
--   dynamic client addresses make this noisy, which is why networks are compared by default.
WITH logins AS (
    SELECT "user", src_ip, ts, "index",
           coalesce(CAST(ipv4_int(src_ip) >> (32 - $prefix_bits) AS VARCHAR), src_ip) AS network
    FROM auth
    WHERE outcome = 'success' AND "user" IS NOT NULL AND "user" NOT IN ('-', '')
      AND src_ip IS NOT NULL
),
firsts AS (
    SELECT "user", src_ip, network, ts, "index",
           row_number() OVER (PARTITION BY "user", network ORDER BY ts, "index") AS nth_from_network,
           count(*) OVER (PARTITION BY "user" ORDER BY ts, "index"
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior_logins
    FROM logins
),
new_networks AS (
    SELECT *, row_number() OVER (PARTITION BY "user" ORDER BY ts, "index") AS network_rank
    FROM firsts
    WHERE nth_from_network = 1
)
SELECT "user" AS entity, ts AS window_start, ts AS window_end, 1 AS count,
       ["index"] AS evidence,
       json_object('src_ip', src_ip, 'prior_logins', prior_logins)::VARCHAR AS detail
FROM new_networks
WHERE network_rank > 1 AND prior_logins >= $min_prior_logins
