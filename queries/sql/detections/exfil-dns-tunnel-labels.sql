-- id: exfil-dns-tunnel-labels
-- title: DNS names with labels long enough to suggest tunnelling
-- severity: high
-- clause: G2.7
-- description: DNS queries (event type dns, a DNS server's log, or an ECS question name) whose longest label has at
--   least min_label_length characters, or whose whole name has at least min_name_length.
--   Grouped per source entity and parent domain (the last two labels); count is the number of
--   such queries; detail gives the longest label seen.
-- param min_label_length (integer) = 50: Label length that counts (the DNS maximum is 63).
-- param min_name_length (integer) = 150: Whole-name length that counts.
-- false_positives: Some CDNs, anti-virus reputation lookups and DKIM selectors use long
--   hashed labels; allowlist their parent domains in review.
WITH q AS (
    SELECT "index", ts, coalesce(src_ip, host, "user") AS entity,
           lower(rtrim(coalesce(attrs ->> '$.query', attrs ->> '$.dns.question.name', object), '.')) AS name
    FROM events
    WHERE source <> 'logchain'
      AND (lower(coalesce(event_type, '')) = 'dns'
           OR lower(coalesce(app, '')) IN ('dns', 'named', 'dnsmasq', 'unbound', 'zeek_dns')
           OR attrs ->> '$.dns.question.name' IS NOT NULL)
),
measured AS (
    SELECT *,
           list_max(list_transform(string_split(name, '.'), lambda l: length(l))) AS longest,
           array_to_string(string_split(name, '.')[-2:], '.') AS parent
    FROM q
    WHERE name IS NOT NULL
)
SELECT entity || ' -> ' || parent AS entity,
       min(ts) AS window_start,
       max(ts) AS window_end,
       count(*) AS count,
       list("index") AS evidence,
       json_object('longest_label', max(longest), 'parent', parent)::VARCHAR AS detail
FROM measured
WHERE longest >= $min_label_length OR length(name) >= $min_name_length
GROUP BY entity, parent
