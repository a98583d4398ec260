-- id: auth-new-source-for-user
-- title: Login from a source never seen before for that user
-- severity: medium
-- clause: G2.6
-- description: For each user, the first successful login from each source address. The
--   user's first source ever is the baseline; a later first login from another address is a
--   finding when the user already had at least min_prior_logins successful logins (so new
--   accounts do not fire). History is what the query window holds: run it over a long window.
-- param min_prior_logins (integer) = 1: Successful logins the user needs before a new source counts.
-- false_positives: Travel, a new office or VPN exit, DHCP renumbering; dynamic client
--   addresses make this noisy for remote workers.
WITH logins AS (
    SELECT "user", src_ip, ts, "index"
    FROM auth
    WHERE outcome = 'success' AND "user" IS NOT NULL AND "user" NOT IN ('-', '')
      AND src_ip IS NOT NULL
),
firsts AS (
    SELECT "user", src_ip, ts, "index",
           row_number() OVER (PARTITION BY "user", src_ip ORDER BY ts, "index") AS nth_from_source,
           count(*) OVER (PARTITION BY "user" ORDER BY ts, "index"
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior_logins
    FROM logins
),
new_sources AS (
    SELECT *, row_number() OVER (PARTITION BY "user" ORDER BY ts, "index") AS source_rank
    FROM firsts
    WHERE nth_from_source = 1
)
SELECT "user" AS entity, ts AS window_start, ts AS window_end, 1 AS count,
       ["index"] AS evidence,
       json_object('src_ip', src_ip, 'prior_logins', prior_logins)::VARCHAR AS detail
FROM new_sources
WHERE source_rank > 1 AND prior_logins >= $min_prior_logins
