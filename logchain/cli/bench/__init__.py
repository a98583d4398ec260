"""``logchain bench``: the capacity-planning harness (also ``python -m benchmarks``).

It lives in the CLI layer because it wires the adapters together (ingest, sealing, queries) just
as ``logchain ingest``/``verify``/``sql`` do, and the installed package may never import
``benchmarks/`` or ``tests/``. Every stage calls the project's own code paths, so speed-ups there
show up here without changes. See docs/CAPACITY.md.

    logchain bench --records 1e6 --out out/bench     # report.md, results.json, plots/*.png
    logchain bench --compare old.json new.json       # exit 1 on a regression beyond noise
"""
