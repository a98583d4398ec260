"""The rule pack: one ``sql/detections/<id>.sql`` file per detection, with a parsed header.

Header (leading ``--`` comment lines; a line indented by two more spaces continues the one
before)::

    -- id: auth-brute-force-source
    -- title: Brute force: failed logins per source address
    -- severity: high
    -- clause: G2.6
    -- description: What it detects and how.
    -- param window_s (integer) = 600: Length of the sliding window in seconds.
    -- false_positives: When it fires on benign activity.

The body is one SELECT over the views returning ``entity, window_start, window_end, count,
evidence, detail``; it binds its parameters as ``$name`` (never string-built).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from typing import Literal

from logchain.errors import QueryError, UsageError

ParamType = Literal["integer", "number", "text", "text_list", "boolean"]
ParamValue = int | float | str | bool | list[str]
_PARAM_RE = re.compile(
    r"^param\s+([a-z_][a-z0-9_]*)\s+\((integer|number|text|text_list|boolean)\)\s*=\s*(.*?):\s+(.+)$"
)
_BIND_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")


class Severity(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Clause(Enum):
    """Smart Energy Code clauses the rule pack covers."""

    UNAUTHORISED_ACCESS = "G2.6"
    DATA_LEAVING = "G2.7"
    ANOMALOUS_EVENTS = "G2.29"


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: ParamType
    default: ParamValue
    description: str


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: Severity
    clause: Clause
    description: str
    params: tuple[Param, ...]
    false_positives: str
    sql: str
    #: The whole file (header and SQL): what a receipt embeds and hashes.
    text: str

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def bind(
        self, overrides: Mapping[str, str | ParamValue] | None = None
    ) -> dict[str, ParamValue]:
        """Parameter values: defaults, replaced by ``overrides`` (text is converted).

        Raises UsageError for an unknown name or a value of the wrong type.
        """
        values = {p.name: p.default for p in self.params}
        known = {p.name: p for p in self.params}
        for name, value in (overrides or {}).items():
            if name not in known:
                raise UsageError(
                    f"rule {self.id} has no parameter {name!r}",
                    hint=f"Its parameters are: {', '.join(sorted(known)) or 'none'}.",
                )
            values[name] = convert(known[name].type, value, where=f"{self.id}.{name}")
        return values


def convert(typ: ParamType, value: str | ParamValue, *, where: str) -> ParamValue:
    """A parameter value of ``typ`` from text (or an already typed value)."""
    if not isinstance(value, str):
        return value
    try:
        if typ == "integer":
            return int(value)
        if typ == "number":
            return float(value)
        if typ == "boolean":
            if value.lower() not in {"true", "false"}:
                raise ValueError("expected true or false")
            return value.lower() == "true"
        if typ == "text_list":
            return [v.strip() for v in value.split(",") if v.strip()]
        return value
    except ValueError as exc:
        raise UsageError(f"parameter {where}: {value!r} is not {typ} ({exc})") from None


def typed_params(values: Mapping[str, object], *, where: str) -> dict[str, ParamValue]:
    """Parameter values read back from JSON. Raises QueryError for a value of another type."""
    out: dict[str, ParamValue] = {}
    for name, value in values.items():
        if isinstance(value, bool | int | float | str):
            out[name] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[name] = [str(v) for v in value]
        else:
            raise QueryError(
                f"parameter {name} has an unsupported value {value!r}", detection=where
            )
    return out


def parse_rule(rule_id: str, text: str) -> Rule:
    """Parse one detection file. Raises QueryError naming the rule and the header key."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    body: list[str] = []
    key: str | None = None
    for line in text.splitlines():
        if body or not line.startswith("--"):
            body.append(line)
            continue
        content = line[2:]
        if content.startswith("   ") and key is not None:  # continuation
            fields[key] = f"{fields[key]} {content.strip()}"
            continue
        content = content.strip()
        m = _PARAM_RE.match(content)
        if m:
            key = None
            name, typ, default, desc = m.groups()
            t: ParamType = typ  # type: ignore[assignment]
            params.append(
                Param(name, t, convert(t, default.strip(), where=f"{rule_id}.{name}"), desc)
            )
            continue
        k, sep, v = content.partition(":")
        if not sep:
            raise QueryError(f"header line {content!r} is not 'key: value'", detection=rule_id)
        key = k.strip()
        fields[key] = v.strip()
    return _build(rule_id, fields, tuple(params), "\n".join(body).strip() + "\n", text)


def _build(
    rule_id: str, fields: dict[str, str], params: tuple[Param, ...], sql: str, text: str
) -> Rule:
    def need(k: str) -> str:
        if not fields.get(k):
            raise QueryError(f"the header has no {k!r}", detection=rule_id)
        return fields[k]

    if need("id") != rule_id:
        raise QueryError(
            f"header id {fields['id']!r} differs from the file name", detection=rule_id
        )
    try:
        severity, clause = Severity(need("severity")), Clause(need("clause"))
    except ValueError as exc:
        raise QueryError(f"bad header value: {exc}", detection=rule_id) from None
    declared = {p.name for p in params}
    used = set(_BIND_RE.findall(sql))
    if declared != used:
        raise QueryError(
            f"declared parameters {sorted(declared)} differ from the bound ones {sorted(used)}",
            detection=rule_id,
        )
    return Rule(
        id=rule_id,
        title=need("title"),
        severity=severity,
        clause=clause,
        description=need("description"),
        params=params,
        false_positives=need("false_positives"),
        sql=sql,
        text=text,
    )


def load_rules(only: Sequence[str] = ()) -> list[Rule]:
    """Every rule of the pack (or those named in ``only``), sorted by id.

    Raises UsageError for an unknown id, QueryError for a malformed rule file.
    """
    folder = resources.files("queries").joinpath("sql", "detections")
    found = {
        p.name.removesuffix(".sql"): p.read_text(encoding="utf-8")
        for p in folder.iterdir()
        if p.name.endswith(".sql")
    }
    missing = sorted(set(only) - set(found))
    if missing:
        raise UsageError(
            f"no detection named {missing[0]!r}",
            hint=f"Known detections: {', '.join(sorted(found))}.",
        )
    wanted = sorted(only) if only else sorted(found)
    return [parse_rule(rid, found[rid]) for rid in dict.fromkeys(wanted)]
