"""The generic fallback parser: keeps the line as the message, nothing else derived."""

from __future__ import annotations

from collections.abc import Sequence

NAME = "generic"
VERSION = "1"


def parse_generic(raw: Sequence[bytes]) -> dict[str, list[object]]:
    """Derived columns for ``raw`` lines: message (decoded, CR stripped) and parse_error."""
    messages: list[object] = []
    errors: list[object] = []
    for line in raw:
        try:
            text = line.decode("utf-8")
            err = None
        except UnicodeDecodeError as exc:
            text = line.decode("utf-8", "replace")
            err = f"invalid UTF-8 at byte {exc.start}"
        messages.append(text[:-1] if text.endswith("\r") else text)
        errors.append(err)
    n = len(raw)
    return {
        "message": messages,
        "parse_error": errors,
        "parser": [NAME] * n,
        "parser_version": [VERSION] * n,
    }
