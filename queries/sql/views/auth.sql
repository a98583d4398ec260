-- auth: authentication attempts (logins, su/sudo authentication, audited logins, HTTP logins).
-- outcome is success, failure or unknown. A 401 answer is an authentication failure; an
-- answered request that names a user is an authenticated (successful) request. Records that
-- only accompany an attempt (invalid-user notices, reverse-lookup warnings, disconnects) are
-- not attempts and stay out, and so do PAM's echoes (event types pam_*) of an attempt the
-- service logs itself: one failed password counts once.
CREATE VIEW auth AS
SELECT "index", ts, source, host, app, "user", src_ip, src_port, dst_ip, action, object,
       outcome, event_type, http_status, message, attrs
FROM events
WHERE NOT starts_with(lower(coalesce(event_type, '')), 'pam_')
  AND (lower(coalesce(action, '')) IN (
        'login', 'logon', 'log_in', 'authenticate', 'authentication', 'auth', 'su', 'sudo',
        'consolelogin'
      )
   OR lower(coalesce(event_type, '')) IN (
        'authentication', 'user_auth', 'user_login', 'user_err'
      )
   OR http_status = 401
   OR (http_status BETWEEN 100 AND 399 AND coalesce("user", '-') NOT IN ('-', '')));
