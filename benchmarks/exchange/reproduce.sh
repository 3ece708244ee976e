#!/bin/bash
# Re-run the recorded exchange benchmark (benchmarks/exchange/RESULTS.md).
# Run from anywhere after `make test` (which creates .venv), with ../shared beside
# the project (Middleton's OSM network). Time it alone on the machine: the routing
# searches use both cores.
#
#   bash benchmarks/exchange/reproduce.sh           # the demo region, about 10 min
#   bash benchmarks/exchange/reproduce.sh all       # also the demo and Middleton, +15 min
#
# Writes region.csv, region-same-yardstick.csv and the exchange lists of both runs
# (the agreement's table of their validated plans) into benchmarks/exchange/, and
# with `all` each scenario's summary.json into /tmp/exchange-json/.
set -eu
cd "$(dirname "$0")/../.."
B=benchmarks/exchange
echo "region: start $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "%e s wall, %U s CPU, %M KB peak" \
    .venv/bin/python "$B/region.py" scenarios/region.toml --long 2 --out "$B"
if [ "${1:-}" = all ]; then
    echo "demo, Middleton: start $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
    PYTHONPATH=. .venv/bin/python "$B/run.py" scenarios/demo.toml \
        scenarios/middleton.toml --json /tmp/exchange-json
fi
