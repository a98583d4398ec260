"""The generic fallback parser: keeps the line as the message, nothing else derived."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.parsers.arrays import Array, decode_batch, finish
from ingest.parsers.base import Derived, ParserOptions


@dataclass(frozen=True, slots=True)
class GenericParser:
    name: str = "generic"
    version: str = "1"

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """message = the line decoded (invalid UTF-8 replaced and flagged), trailing CR removed."""
        text, errors = decode_batch(lines)
        columns: dict[str, Array | list[str | None]] = {"message": text}
        if errors is not None:
            columns["parse_error"] = errors
        return finish(columns, len(lines), self.name, self.version)


def make_generic(options: ParserOptions) -> GenericParser:
    return GenericParser()
