"""The optimised parsers give the same stored columns as the parsers they replaced.

Every parser runs over generated logs (three seeds, and the streaming generator), every real
sample in ../shared/data (also in zones with DST and half-hour offsets), lines of every other
format, and cut, spliced and badly encoded lines. The digest of each stored column must equal
the one recorded from the original parsers (tests/ingest/parser_reference.json; how it is made
and compared: tests/ingest/parser_equivalence.py). ``attrs`` is compared as JSON, not as text.
"""

from __future__ import annotations

import json

import pytest

from tests.ingest.parser_equivalence import (
    COLUMNS,
    REFERENCE_FILE,
    Corpus,
    MissingData,
    canonical,
    corpora,
    summary,
)

REFERENCE = json.loads(REFERENCE_FILE.read_text())


def test_reference_covers_every_corpus():
    """Each corpus has a recorded reference (real samples only when they were present)."""
    keys = {c.key for c in corpora()}
    recorded = set(REFERENCE["corpora"])
    assert recorded <= keys
    assert {k for k in keys if not k.startswith(("real-", "cross-", "edge-"))} <= recorded
    assert REFERENCE["column_order"] == " ".join(COLUMNS)


@pytest.mark.parametrize("corpus", corpora(), ids=lambda c: c.key)
def test_same_output_as_reference(corpus: Corpus):
    """Same lines, same columns (value for value) as the reference parsers, at two batch sizes."""
    expected = REFERENCE["corpora"].get(corpus.key)
    try:
        n, digest = canonical(corpus)
    except MissingData as exc:
        pytest.skip(str(exc))
    assert expected is not None, f"no reference for {corpus.key}: regenerate it (module doc)"
    assert n == expected["lines"]
    got = summary(digest)
    if got["all"] != expected["all"]:
        differ = [
            col
            for col, a, b in zip(
                COLUMNS, got["columns"].split(), expected["columns"].split(), strict=True
            )
            if a != b
        ]
        pytest.fail(f"{corpus.key}: columns differ from the reference: {differ}")
