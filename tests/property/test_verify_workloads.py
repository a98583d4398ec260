"""verify(build(x)) passes for random workloads written through the real writer.

A workload is a list of actions on a LogWriter with a FixedClock: appends of random batches
(binary raw, flags, several sources and files), flushes, and clock advances that make the writer
seal heartbeats. Every resulting store must verify, with every record counted exactly once.
"""

from __future__ import annotations

import itertools
import shutil
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from logchain.cli.wiring import store_sealer, store_verifier
from logchain.clock import FixedClock
from logchain.record import RecordFlag
from logchain.segment import RecordBatch
from logchain.store import Store
from logchain.verify import verify_log
from logchain.writer import LogWriter, SegmentLimits

SOURCES = [("auth.log", 11), ("app.log", 12), ("app.log", 13), ("/var/log/süß", 0)]

append = st.tuples(
    st.just("append"),
    st.integers(min_value=0, max_value=len(SOURCES) - 1),
    st.lists(st.binary(max_size=200).filter(lambda b: b"\n" not in b), min_size=1, max_size=40),
    st.booleans(),  # the last line has no newline (a partial line)
)
tick = st.tuples(st.just("tick"), st.sampled_from([0, 20, 61]))
flush = st.tuples(st.just("flush"))
workloads = st.lists(st.one_of(append, tick, flush), min_size=1, max_size=12)
_COUNTER = itertools.count()


@settings(max_examples=12)
@given(workloads, st.sampled_from([3, 10, 50, 10**6]))
def test_random_workload_verifies(template_store, tmp_path_factory, actions, max_records):
    """Any mix of batches, flushes and heartbeats gives a store that verifies, nothing lost."""
    root = tmp_path_factory.mktemp("workload") / f"store{next(_COUNTER)}"
    shutil.copytree(template_store, root)
    store = Store(root)
    clock = FixedClock(time.time_ns(), step_ns=1_000)
    limits = SegmentLimits(max_records=max_records, max_age_s=60)
    offsets = dict.fromkeys(SOURCES, 0)
    appended = 0
    with LogWriter(store, store_sealer(store), store_verifier(store), clock, limits=limits) as w:
        for action in actions:
            if action[0] == "append":
                _, which, lines, partial = action
                key = SOURCES[which]
                w.append(_batch(key, lines, offsets[key], partial))
                offsets[key] += sum(len(x) + 1 for x in lines) - (1 if partial else 0)
                appended += len(lines)
            elif action[0] == "tick":
                clock.advance(action[1])
                w.tick()
            else:
                w.flush()
    report = verify_log(store, store_verifier(store), clock)
    assert report.records == appended + 2  # plus writer_opened and writer_closed
    assert report.state == "closed"
    assert report.errors == []


def _batch(key: tuple[str, int], lines: list[bytes], start: int, partial: bool) -> RecordBatch:
    source, file_id = key
    pos, offs = start, []
    for line in lines:
        offs.append(pos)
        pos += len(line) + 1
    flags = [int(RecordFlag.NONE)] * len(lines)
    if partial:
        flags[-1] = int(RecordFlag.NO_NEWLINE)
    n = len(lines)
    return RecordBatch(
        source=[source] * n,
        source_file_id=[file_id] * n,
        source_offset=offs,
        raw=lines,
        flags=flags,
        derived={"parser": ["generic"] * n, "parser_version": ["1"] * n},
    )
