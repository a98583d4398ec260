-- id: g6-data-value-range
-- title: Request data values outside their G6 range
-- severity: high
-- clause: G2.29
-- description: For every data-value limit of the applied G6 thresholds (g6_data_values), takes
--   the value of its field (bytes_in, bytes_out, or attrs.<key>) on requests of its type
--   (action, else event type; "*" for any) and reports values below min_value or above
--   max_value, one finding per limit and user id (user, else source address, else host).
--   Without applied thresholds it finds nothing.
-- false_positives: A limit that does not match a new legitimate use; values a parser read
--   from the wrong attribute.
WITH valued AS (
    SELECT d.limit_id, d.field, d.min_value, d.max_value, e."index", e.ts,
           coalesce(nullif(e."user", '-'), e.src_ip, e.host) AS user_id,
           CASE d.field
               WHEN 'bytes_in' THEN CAST(e.bytes_in AS DOUBLE)
               WHEN 'bytes_out' THEN CAST(e.bytes_out AS DOUBLE)
               ELSE TRY_CAST(json_extract_string(e.attrs, '$.' || substr(d.field, 7)) AS DOUBLE)
           END AS value
    FROM events AS e
    JOIN g6_data_values AS d
      ON d.request_type = '*' OR d.request_type = coalesce(e.action, e.event_type)
    WHERE e.source <> 'logchain'
)
SELECT user_id || ' / ' || field AS entity,
       min(ts) AS window_start,
       max(ts) AS window_end,
       count(*) AS count,
       list("index") AS evidence,
       json_object('limit_id', limit_id, 'min_value', min_value, 'max_value', max_value,
                   'lowest', min(value), 'highest', max(value))::VARCHAR AS detail
FROM valued
WHERE value < min_value OR value > max_value
GROUP BY limit_id, field, min_value, max_value, user_id
