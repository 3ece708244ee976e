#!/bin/bash
# Re-run the CARP benchmarks of RESULTS.md with the current default engine, one after
# the other, and re-check every run's solutions from the instance files alone.
# Run from anywhere after `make test` (which creates .venv), with
# ../shared/benchmarks/carp beside the project; time it alone on the machine (two
# search workers use both cores). About 3 h 05 min in all. Seed 1 unless
# `seed=N bash reproduce.sh`. Logs (*.log, *.err) are written beside the CSVs and
# are not kept in git; solutions are packed into solutions/NAME.sols.
set -u
cd "$(dirname "$0")/../.."
B=benchmarks/carp
S=".venv/bin/snowroute bench carp --force"
run() {  # name, then the options of `snowroute bench carp`
    local name=$1
    shift
    local folder
    folder=$(mktemp -d)
    echo "$name: start $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -v $S --seed "${seed:-1}" "$@" --csv "$B/$name.csv" \
        --solutions "$folder/sol" >"$B/$name.log" 2>"$B/$name.err"
    echo "$name: exit $? $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
    .venv/bin/python $B/check_solutions.py --bundle "$folder/sol" "$B/solutions/$name.sols"
    rm -rf "$folder"
    .venv/bin/python $B/check_solutions.py "$B/$name.csv" "$B/solutions/$name.sols"
}
run pyvrp-60s-egl-portfolio --set egl --time-limit 60 --engine pyvrp
seed=2 run pyvrp-60s-egl-portfolio-seed2 --set egl --time-limit 60 --engine pyvrp
seed=3 run pyvrp-60s-egl-portfolio-seed3 --set egl --time-limit 60 --engine pyvrp
run pyvrp-60s-gdb-val-portfolio --set gdb,val --time-limit 60 --engine pyvrp
run hefei10-pyvrp-300s-portfolio --set hefei --instances Hefei-10 --time-limit 300 --engine pyvrp
run beijing10-pyvrp-300s-portfolio --set beijing --instances Beijing-10 --time-limit 300 --engine pyvrp
run ortools-10s --set gdb,val,egl --time-limit 10 --engine ortools
run ortools-60s-subset --set egl,gdb,val --time-limit 60 --engine ortools \
    --instances egl-s4-C,egl-e4-C,egl-s1-A,gdb1,val10D
