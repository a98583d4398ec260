"""The names analysts query, and the SQL files that define the views among them.

Base tables (``records``, ``seals``, ``findings``, ``query_window`` and the G6 threshold tables)
come from the relational API; views are plain ``CREATE VIEW`` files under ``sql/views`` that only
reference those fixed names (DuckDB binds no parameters inside ``CREATE VIEW``).
"""

from __future__ import annotations

from enum import Enum
from importlib import resources


class Table(Enum):
    """Relations the connection provides before any view is created."""

    RECORDS = "records"
    SEALS = "seals"
    FINDINGS = "findings"
    QUERY_WINDOW = "query_window"
    G6_REQUEST_LIMITS = "g6_request_limits"
    G6_CRITICAL_COMMANDS = "g6_critical_commands"
    G6_DATA_VALUES = "g6_data_values"


class View(Enum):
    """Views from ``sql/views/<name>.sql``, in creation order (later ones use earlier ones)."""

    EVENTS = "events"
    AUTH = "auth"
    NETWORK = "network"
    FILE_ACCESS = "file_access"
    DEVICES = "devices"
    EVIDENCE = "evidence"


#: Every name a query can read, for help texts and the shell's ``.tables``.
QUERYABLE: tuple[str, ...] = (
    *(v.value for v in View),
    Table.SEALS.value,
    Table.FINDINGS.value,
    Table.RECORDS.value,
    Table.QUERY_WINDOW.value,
    Table.G6_REQUEST_LIMITS.value,
    Table.G6_CRITICAL_COMMANDS.value,
    Table.G6_DATA_VALUES.value,
)


def quote_identifier(name: Table | View) -> str:
    """The one identifier quoting helper: a double-quoted DuckDB identifier for a known name."""
    value: str = name.value
    return '"' + value.replace('"', '""') + '"'


def macros_sql() -> str:
    """Text of ``sql/macros.sql`` (scalar macros the views and detections share)."""
    text: str = resources.files("queries").joinpath("sql", "macros.sql").read_text("utf-8")
    return text


def view_sql(view: View) -> str:
    """Text of ``sql/views/<view>.sql``."""
    path = resources.files("queries").joinpath("sql", "views", f"{view.value}.sql")
    text: str = path.read_text("utf-8")
    return text
