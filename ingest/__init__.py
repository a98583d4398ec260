r"""Ingest adapters: watchers, tailers and parsers that turn log files into sealed records.

``ingest.watch.Watcher`` follows files (`logchain watch`) or reads them once (`logchain ingest`);
``ingest.source`` tracks each source's files through rotation, truncation and deletion;
``ingest.parsers`` derives the normalised columns. Configuration: ``ingest.config``
(docs/CONFIG.md).

>>> from ingest.split import LineSplitter, split_chunk
>>> splitter = LineSplitter(0, continuing=False, cap=1024)
>>> [split_chunk(c, 1024).raw.to_pylist() for c in splitter.feed(b"one\ntwo\nthr")]
[[b'one', b'two']]
>>> splitter.carry
b'thr'
"""
