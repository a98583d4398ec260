"""Runs detections on an explicit DuckDB connection and turns their rows into findings.

>>> # con = queries.connection.connect(inputs); rules = load_rules()
>>> # findings = run_rules(con, rules, {}, run_id="r1").findings
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import structlog

from logchain.errors import QueryError
from queries.findings import (
    FINDINGS_SCHEMA,
    RuleIdentity,
    finding_expressions,
    findings_table,
    sort_findings,
)
from queries.receipt import QuerySpec
from queries.rules import ParamValue, Rule, parse_rule, typed_params

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class DetectResult:
    findings: pa.Table
    specs: tuple[QuerySpec, ...]


def run_rule(
    con: duckdb.DuckDBPyConnection, rule: Rule, params: Mapping[str, ParamValue], *, run_id: str
) -> pa.Table:
    """Findings of one rule. Raises QueryError naming the rule if its SQL fails."""
    started = time.perf_counter()
    identity = RuleIdentity(rule.id, rule.title, rule.clause.value, rule.severity.value)
    try:
        rel = con.sql(rule.sql, params=dict(params) or None)
        projected = rel.project(*finding_expressions(rule.id)).to_arrow_table()
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueryError(message, detection=rule.id) from exc
    table = findings_table(identity, run_id, projected)
    log.info(
        "detection_ran",
        rule=rule.id,
        findings=table.num_rows,
        seconds=round(time.perf_counter() - started, 4),
    )
    return table


def run_rules(
    con: duckdb.DuckDBPyConnection,
    rules: Sequence[Rule],
    overrides: Mapping[str, Mapping[str, str | ParamValue]],
    *,
    run_id: str,
) -> DetectResult:
    """Run ``rules`` with per-rule parameter ``overrides`` (rule id -> name -> value)."""
    tables: list[pa.Table] = []
    specs: list[QuerySpec] = []
    for rule in rules:
        params = rule.bind(overrides.get(rule.id))
        tables.append(run_rule(con, rule, params, run_id=run_id))
        specs.append(QuerySpec(rule.id, rule.text, params))
    findings = pa.concat_tables(tables) if tables else FINDINGS_SCHEMA.empty_table()
    return DetectResult(sort_findings(findings), tuple(specs))


def result_without_run(findings: pa.Table) -> pa.Table:
    """The findings as hashed in a receipt: without the run id, which only names the run."""
    return findings.drop_columns(["run_id"])


def rerun_specs(
    con: duckdb.DuckDBPyConnection, specs: Sequence[QuerySpec], *, run_id: str
) -> pa.Table:
    """Findings of rules as a receipt recorded them (full rule text and parameter values)."""
    tables = [
        run_rule(con, parse_rule(q.id, q.sql), typed_params(q.params, where=q.id), run_id=run_id)
        for q in specs
    ]
    findings = pa.concat_tables(tables) if tables else FINDINGS_SCHEMA.empty_table()
    return sort_findings(findings)
