"""The generic fallback parser: keeps the line as the message, nothing else derived."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.parsers.base import Derived, ParserOptions
from ingest.parsers.columns import decode_line


@dataclass(frozen=True, slots=True)
class GenericParser:
    name: str = "generic"
    version: str = "1"

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """message = the line decoded (invalid UTF-8 replaced and flagged), trailing CR removed."""
        messages: list[object] = []
        errors: list[object] = []
        for line in lines:
            text, err = decode_line(line)
            messages.append(text)
            errors.append(err)
        n = len(lines)
        return {
            "message": messages,
            "parse_error": errors,
            "parser": [self.name] * n,
            "parser_version": [self.version] * n,
        }


def make_generic(options: ParserOptions) -> GenericParser:
    return GenericParser()
