"""Whether a source was ever stored: decides if a ``backlog = true`` source reads its rotated files.

The checkpoint alone cannot say: a source's entry is briefly absent after its file was truncated
or deleted. So the sealed segments are asked, newest first, reading only their ``source``
column (dictionary-encoded: a few bytes per row group). A source seen before never gets its
backlog read again, even after a crash.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from logchain.errors import StorageError
from logchain.store import Store


def source_seen(store: Store, source: str) -> bool:
    """Whether any segment of ``store`` holds a record of ``source``; raises StorageError."""
    segments, _ = store.segment_files()
    for index in sorted(segments, reverse=True):
        path = segments[index]
        try:
            column = pq.read_table(path, columns=["source"]).column("source")
        except (OSError, pa.ArrowException) as exc:
            raise StorageError(f"cannot read the source column: {exc}", path=path) from exc
        if pc.any(pc.equal(column.cast(pa.string()), pa.scalar(source))).as_py():
            return True
    return False
