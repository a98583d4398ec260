-- Macros shared by the views and the detections (no parameters: DuckDB binds none here).

-- IPv4 text to its 32-bit value; NULL when the text is not a dotted-quad IPv4 address.
CREATE MACRO ipv4_int(ip) AS (
    CASE WHEN regexp_full_match(coalesce(ip, ''), '\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}') THEN
        (CAST(split_part(ip, '.', 1) AS UBIGINT) << 24)
        + (CAST(split_part(ip, '.', 2) AS UBIGINT) << 16)
        + (CAST(split_part(ip, '.', 3) AS UBIGINT) << 8)
        + CAST(split_part(ip, '.', 4) AS UBIGINT)
    END
);

-- Does IPv4 address ip fall in the CIDR block net ('10.0.0.0/8', or one address)? Non-IPv4
-- values match only themselves exactly.
CREATE MACRO ipv4_in_cidr(ip, net) AS (
    CASE
        WHEN ipv4_int(ip) IS NULL OR ipv4_int(split_part(net, '/', 1)) IS NULL THEN ip = net
        ELSE (ipv4_int(ip) >> (32 - coalesce(TRY_CAST(nullif(split_part(net, '/', 2), '') AS INTEGER), 32)))
           = (ipv4_int(split_part(net, '/', 1)) >> (32 - coalesce(TRY_CAST(nullif(split_part(net, '/', 2), '') AS INTEGER), 32)))
    END
);

-- Is ip inside any block of the list nets?
CREATE MACRO ip_in_any(ip, nets) AS (
    len(list_filter(nets, lambda n: ipv4_in_cidr(ip, n))) > 0
);

-- Start of the fixed (tumbling) window of width_s seconds that holds ts, aligned to the epoch.
CREATE MACRO window_start(ts, width_s) AS (
    to_timestamp(floor(epoch(ts) / width_s) * width_s)
);

-- Robust z-score of x against a median and a median absolute deviation (MAD); the MAD is
-- floored at mad_floor so a flat baseline does not make every change infinite.
CREATE MACRO robust_z(x, med, mad, mad_floor) AS (
    0.6745 * (x - med) / greatest(mad, mad_floor)
);

-- Is a severity text an error level (syslog err and worse, or the usual words)?
CREATE MACRO is_error_severity(sev) AS (
    lower(coalesce(sev, '')) IN (
        'error', 'err', 'fatal', 'failure', 'crit', 'critical', 'alert', 'emerg', 'emergency',
        'severe', 'panic', '0', '1', '2', '3'
    )
);

-- Bursts of hits, for the sliding-window rules. hits_table names a table or CTE with columns
-- entity, ts and "index" (one row per hit). For each hit, the window of window_s seconds ending
-- at it (both ends included) is counted; windows holding at least min_n hits and less than
-- window_s apart form one burst, which gives one row: its fullest window (the earliest of
-- equals) as entity, window_start, window_end, count and evidence (the hits' indices).
CREATE MACRO sliding_bursts(hits_table, window_s, min_n) AS TABLE
    WITH windows AS (
        SELECT entity, ts, "index",
               count(*) OVER w AS n,
               min(ts) OVER w AS first_ts,
               list("index") OVER w AS members
        FROM query_table(hits_table)
        WINDOW w AS (PARTITION BY entity ORDER BY ts
                     RANGE BETWEEN to_seconds(window_s) PRECEDING AND CURRENT ROW)
    ),
    over_threshold AS (
        SELECT *, ts - lag(ts) OVER (PARTITION BY entity ORDER BY ts, "index") AS gap
        FROM windows
        WHERE n >= min_n
    ),
    bursts AS (
        SELECT *, sum(CASE WHEN gap IS NULL OR gap > to_seconds(window_s) THEN 1 ELSE 0 END)
                  OVER (PARTITION BY entity ORDER BY ts, "index") AS burst
        FROM over_threshold
    )
    SELECT entity, first_ts AS window_start, ts AS window_end, n AS count, members AS evidence
    FROM bursts
    QUALIFY row_number() OVER (PARTITION BY entity, burst ORDER BY n DESC, ts, "index") = 1;

-- Each row of per_window_table (columns entity, bytes, ...) with its entity's baseline over all
-- its rows: med (median bytes), mad (median absolute deviation from med) and windows (rows).
CREATE MACRO with_baseline(per_window_table) AS TABLE
    WITH per_window AS (FROM query_table(per_window_table)),
    baseline AS (
        SELECT entity, median(bytes) AS med, count(*) AS windows FROM per_window GROUP BY entity
    ),
    spread AS (
        SELECT p.entity, b.med, b.windows, median(abs(p.bytes - b.med)) AS mad
        FROM per_window AS p JOIN baseline AS b USING (entity)
        GROUP BY p.entity, b.med, b.windows
    )
    SELECT p.*, s.med, s.mad, s.windows
    FROM per_window AS p JOIN spread AS s USING (entity);
