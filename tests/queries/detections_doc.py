"""Regenerate the per-rule sections of docs/DETECTIONS.md from the rule headers.

    python -m tests.queries.detections_doc   # rewrites the sections between the intro and G6

The intro and the G6 thresholds part are kept as written; each rule's section is its header.
"""

from __future__ import annotations

from pathlib import Path

from queries.rules import Rule, load_rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "DETECTIONS.md"
CLAUSES = {
    "G2.6": "G2.6 — unauthorised access",
    "G2.7": "G2.7 — data leaving the system",
    "G2.29": "G2.29 — anomalous events (with G6 thresholds)",
}


def _default(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def section(rule: Rule) -> list[str]:
    out = [
        f"### {rule.id}",
        "",
        f"**{rule.title}** · severity `{rule.severity.value}` · clause {rule.clause.value}",
        "",
        rule.description,
        "",
    ]
    if rule.params:
        out += ["| parameter | type | default | meaning |", "|---|---|---|---|"]
        out += [
            f"| `{p.name}` | {p.type} | `{_default(p.default)}` | {p.description} |"
            for p in rule.params
        ]
        out.append("")
    else:
        out += ["Parameters: none (its limits come from the applied G6 thresholds, see below).", ""]
    return [*out, f"False positives: {rule.false_positives}", ""]


def render(text: str) -> str:
    intro = text[: text.index("## G2.6")]
    outro = text[text.index("## G6 thresholds") :]
    body: list[str] = []
    rules = load_rules()
    for clause, heading in CLAUSES.items():
        body += [f"## {heading}", ""]
        for rule in (r for r in rules if r.clause.value == clause):
            body += section(rule)
    return intro + "\n".join(body) + outro


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text()))
