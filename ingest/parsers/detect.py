"""Choosing a parser for a file from its first lines (``format = "auto"``).

Each format has a cheap test of one line. Over the first non-empty lines of the sample (up to
:data:`SAMPLE_LINES`), the format whose test passes on the most lines wins if it passes on at
least half of them; ties go to the format listed first in :data:`DETECTORS`. Otherwise, or for
an empty sample, the answer is ``generic``. A Zeek TSV file is recognised by its ``#separator``
or ``#fields`` header line alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Final

SAMPLE_LINES: Final = 50

_AUDIT: Final = re.compile(r"(?:node=\S+ )?type=\w+ msg=audit\(\d+\.\d+:\d+\)")
_RFC5424: Final = re.compile(r"<\d{1,3}>\d{1,2} \S+ \S+ \S+ \S+ \S+ ")
_RFC3164: Final = re.compile(
    r"(?:<\d{1,3}>)?(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*) \S+ "
)
_ACCESS: Final = re.compile(
    r'\S+ \S+ \S+ \[[^\]]+\] "[^"\\]*(?:\\.[^"\\]*)*" (?:\d{3}|-) (?:\d+|-)'
)
_APACHE_ERROR: Final = re.compile(
    r"\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4}\] \[[\w:-]+\]"
)
_BGL: Final = re.compile(r"\S+ \d+ \d{4}\.\d\d\.\d\d \S+ \d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d\.\d+ ")
_HDFS: Final = re.compile(r"\d{6} \d{6} \d+ [A-Z]+ [\w.$]+:")


def _json_object(text: str) -> dict[str, object] | None:
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _is_zeek(text: str) -> bool:
    if text.startswith(("#separator", "#fields")):
        return True
    obj = _json_object(text)
    return obj is not None and "uid" in obj and ("id_orig_h" in obj or "id.orig_h" in obj)


#: (format name, test of one line), in order of preference on ties.
DETECTORS: Final[tuple[tuple[str, Callable[[str], bool]], ...]] = (
    ("zeek", _is_zeek),
    ("json", lambda text: _json_object(text) is not None),
    ("auditd", lambda text: _AUDIT.match(text) is not None),
    ("rfc5424", lambda text: _RFC5424.match(text) is not None),
    ("rfc3164", lambda text: _RFC3164.match(text) is not None),
    ("access", lambda text: _ACCESS.match(text) is not None),
    ("apache_error", lambda text: _APACHE_ERROR.match(text) is not None),
    ("bgl", lambda text: _BGL.match(text) is not None),
    ("hdfs", lambda text: _HDFS.match(text) is not None),
)


def detect_format(sample: Sequence[bytes]) -> str:
    """Best format name for a file whose first lines are ``sample`` ('generic' if unsure)."""
    texts = [line.decode("utf-8", "replace").rstrip("\r") for line in sample if line.strip()][
        :SAMPLE_LINES
    ]
    if not texts:
        return "generic"
    if texts[0].startswith(("#separator", "#fields")):
        return "zeek"
    best, best_hits = "generic", 0
    for name, test in DETECTORS:
        hits = sum(1 for text in texts if test(text))
        if hits > best_hits:
            best, best_hits = name, hits
    return best if best_hits * 2 >= len(texts) else "generic"
