-- auth: authentication and session events (logins, su/sudo authentication, HTTP logins).
-- outcome is success, failure or unknown; a 401 answer is an authentication failure, an
-- answered request that names a user is an authenticated (successful) request.
CREATE VIEW auth AS
SELECT "index", ts, source, host, app, "user", src_ip, src_port, dst_ip, action, object,
       outcome, event_type, http_status, message, attrs
FROM events
WHERE lower(coalesce(event_type, '')) IN (
        'authentication', 'login', 'logon', 'logout', 'session',
        'user_auth', 'user_login', 'user_logout', 'user_err', 'user_start', 'user_end'
      )
   OR (lower(coalesce(app, '')) IN ('sshd', 'sshd-session', 'su', 'sudo', 'login', 'passwd', 'gdm')
       AND outcome IN ('success', 'failure'))
   OR http_status = 401
   OR (http_status BETWEEN 100 AND 399 AND coalesce("user", '-') NOT IN ('-', ''));
