#!/bin/bash
# Re-run the recorded sweep benchmark (benchmarks/sweep/run.py): a 12-variant sweep
# of the demo on a local Dask cluster of 1, then 2 worker processes. Run it alone on
# the machine (it times how the cores share the work), after `make test` has made
# .venv. About 10 minutes on 2 cores.
set -eu
cd "$(dirname "$0")/../.."
.venv/bin/python benchmarks/sweep/run.py --csv benchmarks/sweep/sweep-demo-12.csv
