"""The generic fallback parser: keeps the line as the message, nothing else derived."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.parsers.base import Derived, ParserOptions


@dataclass(frozen=True, slots=True)
class GenericParser:
    name: str = "generic"
    version: str = "1"

    def parse(self, lines: Sequence[bytes]) -> Derived:
        """message = the line decoded (invalid UTF-8 replaced and flagged), trailing CR removed."""
        messages: list[object] = []
        errors: list[object] = []
        for line in lines:
            try:
                text = line.decode("utf-8")
                err = None
            except UnicodeDecodeError as exc:
                text = line.decode("utf-8", "replace")
                err = f"invalid UTF-8 at byte {exc.start}"
            messages.append(text[:-1] if text.endswith("\r") else text)
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
