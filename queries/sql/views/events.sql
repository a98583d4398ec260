-- events: every record of the attached segments, envelope plus derived columns.
-- ts is the record's event time when the parser found one, else its ingest time.
CREATE VIEW events AS
SELECT
    "index",
    coalesce(event_time, CAST(ingest_time AS TIMESTAMPTZ)) AS ts,
    event_time,
    CAST(ingest_time AS TIMESTAMPTZ) AS ingest_time,
    source,
    source_file_id,
    source_offset,
    flags,
    host,
    app,
    pid,
    severity,
    event_type,
    event_id,
    "user",
    src_ip,
    src_port,
    dst_ip,
    dst_port,
    action,
    object,
    outcome,
    bytes_in,
    bytes_out,
    TRY_CAST(coalesce(
        attrs ->> '$.status', attrs ->> '$.http_status', attrs ->> '$.status_code',
        attrs ->> '$.http.response.status_code'
    ) AS INTEGER) AS http_status,
    message,
    attrs,
    parser,
    parser_version,
    parse_error,
    raw
FROM records;
