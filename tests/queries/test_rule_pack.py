"""The rule pack itself: headers parse, parameters match the SQL, every rule is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from logchain.errors import QueryError, UsageError
from queries.rules import Clause, load_rules, parse_rule

DOCS = Path(__file__).resolve().parents[2] / "docs" / "DETECTIONS.md"
GOOD = """\
-- id: demo-rule
-- title: A demo
-- severity: low
-- clause: G2.6
-- description: Line one
--   continues here.
-- param window_s (integer) = 60: Seconds.
-- param names (text_list) = a,b: Names.
-- false_positives: None known.
SELECT 'x' AS entity, now() AS window_start, now() AS window_end, 1 AS count,
       [1] AS evidence, NULL AS detail WHERE $window_s > 0 AND len($names) > 0
"""


class TestPack:
    def test_every_clause_is_covered(self):
        """The pack holds rules for G2.6, G2.7 and G2.29."""
        assert {r.clause for r in load_rules()} == set(Clause)

    def test_ids_are_file_names_and_unique(self):
        """Each id equals its file name (load_rules parses every file)."""
        rules = load_rules()
        assert len({r.id for r in rules}) == len(rules) >= 20

    def test_the_rules_the_issue_names_exist(self):
        """Each detection the issue lists has a rule."""
        ids = {r.id for r in load_rules()}
        assert {
            "auth-brute-force-source",
            "auth-brute-force-user",
            "auth-success-after-failures",
            "access-denied-burst",
            "privilege-escalation-attempt",
            "auth-new-source-for-user",
            "exfil-large-outbound",
            "exfil-outbound-baseline",
            "exfil-destination-not-allowlisted",
            "exfil-removable-media",
            "exfil-archive-then-transfer",
            "exfil-off-hours",
            "exfil-dns-tunnel-labels",
            "anomaly-error-rate-spike",
            "g6-request-rate",
            "anomaly-traffic-volume",
            "anomaly-rare-event-type",
            "anomaly-source-silent",
        } <= ids

    def test_unknown_rule_is_a_usage_error(self):
        """--rule with a typo names the known ids."""
        with pytest.raises(UsageError, match="no detection named 'nope'"):
            load_rules(["nope"])


class TestHeader:
    def test_parses_fields_params_and_continuations(self):
        """Continuation lines join; defaults are typed."""
        rule = parse_rule("demo-rule", GOOD)
        assert rule.description == "Line one continues here."
        assert [(p.name, p.default) for p in rule.params] == [
            ("window_s", 60),
            ("names", ["a", "b"]),
        ]
        assert rule.bind({"window_s": "5"}) == {"window_s": 5, "names": ["a", "b"]}

    def test_id_must_match_file_name(self):
        """A copied file that kept the old id is refused."""
        with pytest.raises(QueryError, match="differs from the file name"):
            parse_rule("other-name", GOOD)

    def test_undeclared_parameter_is_refused(self):
        """A $name the header does not declare is an error, not a silent null."""
        with pytest.raises(QueryError, match="declared parameters"):
            parse_rule("demo-rule", GOOD.replace("$window_s > 0", "$other > 0"))

    @pytest.mark.parametrize(
        "key", ["title", "severity", "clause", "description", "false_positives"]
    )
    def test_missing_header_key(self, key):
        """Every header key is required."""
        lines = GOOD.splitlines()
        if key == "description":  # its continuation line goes with it
            lines = [line for line in lines if not line.startswith("--   ")]
        text = "\n".join(line for line in lines if not line.startswith(f"-- {key}:"))
        with pytest.raises(QueryError, match=key):
            parse_rule("demo-rule", text)

    def test_bad_override_type(self):
        """-p window_s=ten is a usage error naming the rule and parameter."""
        with pytest.raises(UsageError, match=r"demo-rule\.window_s"):
            parse_rule("demo-rule", GOOD).bind({"window_s": "ten"})


class TestDocs:
    def test_every_rule_has_a_section(self):
        """docs/DETECTIONS.md has a '### <id>' section for each rule, naming its parameters."""
        text = DOCS.read_text()
        sections = dict(re.findall(r"^### (\S+)\n(.*?)(?=^##|\Z)", text, flags=re.M | re.S))
        for rule in load_rules():
            assert rule.id in sections, f"docs/DETECTIONS.md has no section for {rule.id}"
            for p in rule.params:
                assert f"`{p.name}`" in sections[rule.id], f"{rule.id}: {p.name} undocumented"

    def test_no_section_without_a_rule(self):
        """No section documents a rule that no longer exists."""
        ids = {r.id for r in load_rules()}
        assert set(re.findall(r"^### (\S+)$", DOCS.read_text(), flags=re.M)) <= ids


def test_docs_match_the_rule_headers():
    """docs/DETECTIONS.md is current: `python -m tests.queries.detections_doc` regenerates it."""
    from tests.queries.detections_doc import render

    text = DOCS.read_text()
    assert render(text) == text, "run: python -m tests.queries.detections_doc"
