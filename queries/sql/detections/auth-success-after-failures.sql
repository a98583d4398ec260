-- id: auth-success-after-failures
-- title: Successful login after many failures from the same source
-- severity: critical
-- clause: G2.6
-- description: For each successful authentication from a source address, counts the failures
--   from that address since its previous success and within window_s seconds before it. A
--   success preceded by at least min_failures such failures is a finding (a guessed password).
--   Evidence: the failures and the success.
-- param window_s (integer) = 3600: How far back failures count, in seconds.
-- param min_failures (integer) = 3: Failures before the success that make a finding (>=).
-- false_positives: A user who mistyped a password a few times and then got it right; raise
--   min_failures where people log in by hand often.
WITH a AS (
    SELECT src_ip, "user", ts, "index", outcome
    FROM auth
    WHERE src_ip IS NOT NULL AND outcome IN ('success', 'failure')
),
seq AS (
    SELECT *,
           count(*) FILTER (WHERE outcome = 'success') OVER (
               PARTITION BY src_ip ORDER BY ts, "index"
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ) AS run
    FROM a
),
successes AS (
    SELECT src_ip, run, ts AS success_ts, "index" AS success_index, "user" AS success_user
    FROM seq
    WHERE outcome = 'success'
),
failures AS (
    SELECT s.src_ip, s.success_ts, s.success_index, s.success_user, f.ts, f."index"
    FROM successes AS s
    JOIN seq AS f
      ON f.src_ip = s.src_ip AND f.run = s.run AND f.outcome = 'failure'
     AND f.ts >= s.success_ts - to_seconds($window_s)
)
SELECT src_ip AS entity,
       min(ts) AS window_start,
       success_ts AS window_end,
       count(*) AS count,
       list_append(list("index"), success_index) AS evidence,
       json_object('user', success_user, 'success_index', success_index)::VARCHAR AS detail
FROM failures
GROUP BY src_ip, success_ts, success_index, success_user
HAVING count(*) >= $min_failures
