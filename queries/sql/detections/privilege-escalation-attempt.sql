-- id: privilege-escalation-attempt
-- title: Privilege escalation attempt (su/sudo by a service account, sensitive commands)
-- severity: high
-- clause: G2.6
-- description: Flags su and sudo use by service accounts (a user in service_accounts, or an
--   auditd uid between 1 and 999), sudo refusals (not in sudoers, incorrect password
--   attempts), and commands or objects that touch credential stores or set set-uid bits
--   (/etc/shadow, /etc/sudoers, /etc/gshadow, chmod u+s / 4755). Findings are grouped per
--   actor (the auditd uid when there is one, else the user, else the host) and fixed window
--   of window_s seconds; detail lists the reasons.
-- param window_s (integer) = 3600: Fixed window that groups one actor's attempts, in seconds.
-- param service_accounts (text_list) = www-data,apache,nginx,nobody,daemon,mysql,postgres,tomcat,httpd,ftp: Accounts that should never switch user.
-- false_positives: Deployment tooling that runs sudo from a service account by design;
--   administrators reading /etc/shadow while repairing accounts. Keep an allowlist of such
--   hosts in the query that reviews the findings, not here.
WITH base AS (
    SELECT "index", ts, host, app, "user", event_type, object, message, attrs,
           TRY_CAST(attrs ->> '$.uid' AS BIGINT) AS uid,
           lower(coalesce(app, '') || ' ' || coalesce(attrs ->> '$.exe', '')) AS prog,
           lower(coalesce(object, '') || ' ' || coalesce(attrs ->> '$.cmd', '') || ' '
                 || coalesce(message, '')) AS what
    FROM events
    WHERE source <> 'logchain'
),
reasons AS (
    SELECT "index", ts,
           coalesce(attrs ->> '$.uid_name', 'uid=' || CAST(uid AS VARCHAR), "user", host, '?') AS actor,
           CASE
               WHEN regexp_matches(prog, '(^|/|\s)(su|sudo)(\s|$)')
                    AND (list_contains($service_accounts, lower(coalesce(attrs ->> '$.uid_name', "user", '')))
                         OR uid BETWEEN 1 AND 999)
                   THEN 'switch-user-by-service-account'
               WHEN regexp_matches(prog, '(^|/|\s)sudo(\s|$)')
                    AND (what LIKE '%not in sudoers%' OR what LIKE '%incorrect password attempt%')
                   THEN 'sudo-refused'
               WHEN regexp_matches(what, '/etc/(shadow|gshadow|sudoers)')
                   THEN 'credential-store-access'
               WHEN regexp_matches(what, 'chmod\s+([ugoa]*\+s|[0-7]?[4-7][0-7]{3})')
                   THEN 'setuid-change'
           END AS reason
    FROM base
)
SELECT actor AS entity,
       window_start(min(ts), $window_s) AS window_start,
       max(ts) AS window_end,
       count(*) AS count,
       list("index") AS evidence,
       json_object('reasons', list_sort(list_distinct(list(reason))))::VARCHAR AS detail
FROM reasons
WHERE reason IS NOT NULL
GROUP BY actor, window_start(ts, $window_s)
