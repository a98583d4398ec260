"""What every parser is: a named, versioned callable from raw lines to derived columns.

A parser never drops a line: a line it cannot parse gets ``parse_error`` (and whatever it could
derive), and its raw bytes are kept by the envelope anyway. Parsers work on batches (a list of
raw lines, without their ``\\n``) and return one list per column, each as long as the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa

#: Column name -> one value per line, as an Arrow array of the column's type in the segment schema
#: (logchain.schema): derived columns (DERIVED_COLUMNS) plus ``parser``, ``parser_version`` and
#: ``parse_error``. Missing derived columns are null.
Derived = dict[str, "pa.Array[Any]"]


@dataclass(frozen=True, slots=True)
class ParserOptions:
    """Settings that some formats need (documented per parser in docs/PARSERS.md)."""

    #: IANA zone for timestamps written without an offset (RFC 3164 / BSD syslog).
    timezone: str = "UTC"
    #: Year for timestamps written without one; None means infer it (see the syslog parser).
    year: int | None = None
    #: "Now" in ns for year inference; None means the ingest time of the batch.
    reference_time_ns: int | None = None


class Parser(Protocol):
    """A parser instance (configured with its options)."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """Derived columns for ``lines``; never raises on bad input (sets parse_error)."""
        ...
