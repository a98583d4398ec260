-- id: exfil-removable-media
-- title: Removable media: USB mass storage attached, mounted or written to
-- severity: medium
-- clause: G2.7
-- description: Kernel and system messages of USB mass-storage attach (usb-storage, uas,
--   "USB Mass Storage", macOS USBMSC, "Attached SCSI removable disk"), Windows device events
--   6416 and DriverFrameworks 2003/2100, mounts under removable paths (/media, /run/media,
--   /mnt/usb, /Volumes) and audited writes to files under them. One finding per host and
--   fixed window of window_s seconds; detail lists the kinds seen.
-- param window_s (integer) = 3600: Fixed window that groups one host's events, in seconds.
-- false_positives: Built-in card readers that enumerate as USB storage (common on laptops);
--   administrators mounting install media. Correlate with transfers before escalating.
WITH base AS (
    SELECT "index", ts, coalesce(host, source) AS entity, action, event_id,
           lower(coalesce(message, '')) AS msg,
           coalesce(object, '') AS obj
    FROM events
    WHERE source <> 'logchain'
),
kinds AS (
    SELECT "index", ts, entity,
           CASE
               WHEN regexp_matches(msg, 'usb-storage|usbmsc|usb mass storage|\buas\b|attached scsi removable disk')
                    OR (event_id IN ('6416', '2003', '2100')
                        AND regexp_matches(msg, 'usb|device|disk|driver'))
                   THEN 'attach'
               WHEN (lower(coalesce(action, '')) = 'mount' OR regexp_matches(msg, '\bmount(ed)?\b'))
                    AND regexp_matches(obj || ' ' || msg, '(/media/|/run/media/|/mnt/usb|/volumes/)')
                   THEN 'mount'
               WHEN regexp_matches(lower(coalesce(action, '')),
                                   '(^|_)(write|create|creation|copy|rename|modify|overwrite)$')
                    AND regexp_matches(lower(obj), '^(/media/|/run/media/|/mnt/usb|/volumes/)')
                   THEN 'write'
           END AS kind
    FROM base
)
SELECT entity,
       window_start(min(ts), $window_s) AS window_start,
       max(ts) AS window_end,
       count(*) AS count,
       list("index") AS evidence,
       json_object('kinds', list_sort(list_distinct(list(kind))))::VARCHAR AS detail
FROM kinds
WHERE kind IS NOT NULL
GROUP BY entity, window_start(ts, $window_s)
