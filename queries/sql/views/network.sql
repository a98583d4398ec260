-- network: connections, HTTP requests, DNS and other transfers.
-- bytes_out counts bytes sent by the originator (src_ip / user) towards dst_ip; bytes_in the
-- bytes it received. Missing byte counts are 0 here.
CREATE VIEW network AS
SELECT "index", ts, source, host, app, "user", src_ip, src_port, dst_ip, dst_port, action,
       object, outcome, http_status, event_type,
       coalesce(bytes_in, 0) AS bytes_in,
       coalesce(bytes_out, 0) AS bytes_out,
       message, attrs
FROM events
WHERE dst_ip IS NOT NULL
   OR bytes_out IS NOT NULL
   OR bytes_in IS NOT NULL
   OR lower(coalesce(event_type, '')) IN ('network', 'connection', 'conn', 'web', 'http', 'dns');
