#!/bin/bash
# Re-run the CARP benchmarks recorded in RESULTS.md, one after the other, and
# re-check every run's solution files from the instance files alone.
# Run from the project root after `make test` (which creates .venv), with
# ../shared/benchmarks/carp beside the project. About 4 h 10 min in all. The first
# five runs use the current default (a two-setting portfolio of workers); the
# others were recorded with the earlier one (two default workers), see RESULTS.md.
# The recorded pyvrp-60s-egl-anneal run is not re-run here: it needs the code of
# branch anneal-worker (commit 0aeb956). Seed 1 unless `seed=N run ...`.
set -u
cd "$(dirname "$0")/../.."
B=benchmarks/carp
S=".venv/bin/snowroute bench carp --force"
run() {  # name, then the options of `snowroute bench carp`
    local name=$1
    shift
    echo "$name: start $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -v $S --seed "${seed:-1}" "$@" --csv "$B/$name.csv" \
        --solutions "$B/solutions/$name" >"$B/$name.log" 2>"$B/$name.err"
    echo "$name: exit $? $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
    .venv/bin/python $B/check_solutions.py "$B/$name.csv" "$B/solutions/$name"
}
run pyvrp-60s-egl-portfolio --set egl --time-limit 60 --engine pyvrp
seed=2 run pyvrp-60s-egl-portfolio-seed2 --set egl --time-limit 60 --engine pyvrp
run pyvrp-60s-gdb-val-portfolio --set gdb,val --time-limit 60 --engine pyvrp
run hefei10-pyvrp-300s-portfolio --set hefei --instances Hefei-10 --time-limit 300 --engine pyvrp
run beijing10-pyvrp-300s-portfolio --set beijing --instances Beijing-10 --time-limit 300 --engine pyvrp
run pyvrp-60s --set gdb,val,egl --time-limit 60 --engine pyvrp
run ortools-10s --set gdb,val,egl --time-limit 10 --engine ortools
run hefei10-pyvrp-300s --set hefei --instances Hefei-10 --time-limit 300 --engine pyvrp
run beijing10-pyvrp-300s --set beijing --instances Beijing-10 --time-limit 300 --engine pyvrp
run ortools-60s-subset --set egl,gdb,val --time-limit 60 --engine ortools \
    --instances egl-s4-C,egl-e4-C,egl-s1-A,gdb1,val10D
