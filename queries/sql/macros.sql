-- Scalar macros shared by the views and the detections (no parameters: DuckDB binds none here).

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
