-- evidence: the records each finding points to (one row per finding x evidence record).
CREATE VIEW evidence AS
SELECT f.finding_id, f.rule_id, e."index", e.ts, e.source, e.host, e.app, e.message, e.raw
FROM (SELECT finding_id, rule_id, unnest(evidence) AS idx FROM findings) AS f
JOIN events AS e ON e."index" = f.idx;
