"""``python -m benchmarks [OPTIONS]`` is ``logchain bench [OPTIONS]`` (the harness lives in
``logchain.cli.bench``, since the package may not import ``benchmarks/``)."""

import sys

from logchain.cli import main

sys.exit(main(["bench", *sys.argv[1:]]))
