#!/bin/bash
# Re-run the recorded real-network routing benchmark (benchmarks/realnet/run.py).
# Run from anywhere after `make test` (which creates .venv), with ../shared beside
# the project (Middleton's OSM network). Each command appends one CSV row per run as
# soon as it ends; time it alone on the machine (2 search workers use both cores).
#
#   bash benchmarks/realnet/reproduce.sh           # the recorded runs, about 140 min
#   bash benchmarks/realnet/reproduce.sh all       # also every other instance at 60 s
#
# References (references.csv) are the best plans of any run; the long runs behind
# the Middleton ones (the city's from "How long the city needs" in RESULTS.md):
#   run.py --reference --instances middleton-city --seeds 1,2,3 --time-limit 600 \
#          --perturbations 10,25 --relocate3 --no-stall   (reference-600s-city-phases.csv)
#   the same with --seeds 4 --solutions DIR/reference  (reference-600s-city-seed4.csv)
# the city's reference before, at commit 28bdc5b, seeds 1 and 2 one after the other:
#   run.py --instances middleton-city --seeds 1 --time-limit 600 --perturbations 10,25 \
#          --relocate3 --no-stall   (reference-600s-city-reorder.csv)
# and now: the 600 s run with routes reordered together (stall stop on)
#   run.py --instances middleton-city --seeds 1 --time-limit 600 --perturbations 10,25 \
#          --relocate3 --solutions DIR   (reference-600s-city-together.csv)
# then the five checked 36 s plans (below) and that one searched together again with
# 20 kicks per stop, the best written to solutions/reference/ (reference-city-together.csv):
#   (cd $B && ../../.venv/bin/python reorder_again.py 20 solutions/reference/middleton-city-seed0.json \
#          solutions/middleton-city-seed{1,2,3,4,5}.json DIR/middleton-city-seed1.json)
# (the earlier 300 s one, seed 1 without --no-stall: reference-300s-city-phases.csv)
#   run.py --reference --no-stall --instances middleton-county,middleton-state \
#          --seeds 1,2 --time-limit 120
# (`--reference` keeps an older, better value: move references.csv aside to start
# afresh.) The whole pipeline on Middleton: see RESULTS.md, "snowroute run".
set -u
cd "$(dirname "$0")/../.."
B=benchmarks/realnet
R=".venv/bin/python $B/run.py"

(while true; do echo "$(date -Is) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 30; done) \
    >>"$B/load.log" &
sampler=$!
trap 'kill $sampler' EXIT

run() {  # name, then the options of run.py; writes $B/name.csv and .log
    local name=$1
    shift
    rm -f "$B/$name.csv"
    echo "$name: start $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
    $R "$@" --out "$B/$name.csv" >"$B/$name.log" 2>"$B/$name.err"
    echo "$name: exit $? $(date -Is)"
}

# The city's runs recorded before the search in phases carry --no-phases (the
# county and the state are below its 1,000 services either way).
run realnet-60s-middleton --time-limit 60 --seeds 1,2,3,4,5 --no-phases \
    --instances middleton-city,middleton-county,middleton-state
run realnet-60s-city-2026-12-06 --time-limit 60 --seeds 1,2,3,4,5 --no-phases \
    --instances middleton-city
run realnet-60s-middleton-nb100 --time-limit 60 --seeds 1,2,3,4,5 --neighbours 100 \
    --no-phases --instances middleton-city,middleton-county
run realnet-60s-4trucks --time-limit 60 --seeds 1,2,3 --instances middleton-city-4trucks
run realnet-60s-large --time-limit 60 --seeds 1,2,3,4,5 --instances \
    demo-05201,city-d1,city-d2,city-d3
run realnet-60s-city-districts --time-limit 60 --seeds 1,2,3,4,5 \
    --instances city-d1,city-d2
run realnet-60s-county-noturns --time-limit 60 --seeds 1,2,3,4,5 \
    --instances middleton-county-noturns
# the city's 36 s share of the pipeline: in phases and as one search (the phases'
# CSV was recorded at commit 7d44070, the first phase then from the tour per
# priority class; run this line there to repeat it)
run realnet-36s-city-phases --time-limit 36 --seeds 1,2,3,4,5,6,7,8,9,10 \
    --instances middleton-city --perturbations 10,25 --relocate3
run realnet-36s-city-one-search --time-limit 36 --seeds 1,2,3,4,5,6,7,8,9,10 \
    --instances middleton-city --perturbations 10,25 --relocate3 --no-phases
# the first phase from the tour without deadlines (the default now), seeds 1-20: the
# rows "tour without deadlines" of realnet-36s-city-start.csv; the rows "tour per
# priority class" are the same command at commit 7d44070
run city-start --time-limit 36 --seeds 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20 \
    --instances middleton-city --perturbations 10,25 --relocate3
# the current defaults with their plans kept and checked again (solutions/)
run realnet-36s-middleton-checked --time-limit 36 --seeds 1,2,3,4,5 \
    --instances middleton-city,middleton-county,middleton-state \
    --perturbations 10,25 --relocate3 --solutions "$B/solutions"
.venv/bin/python "$B/check_solutions.py" "$B/realnet-36s-middleton-checked.csv" \
    "$B/solutions"
# the reordering's kicks (realnet-36s-city-reorder.csv, column "arm"): the old ones at
# commit cc15732, ruin and recreate at commit 457bf74, each from a worktree of its
# commit (PYTHONPATH=<worktree>), one arm after the other for each seed 1-12:
#   run.py --instances middleton-city --seeds N --time-limit 36 \
#       --perturbations 10,25 --relocate3
# the first phase's plan reordered (realnet-36s-city-first-phase.csv, column "arm"):
# the same command, seeds 1-14, "before" as commit 28bdc5b, "kept" as commit de747da
# (the rows were measured with a /tmp switch on 28bdc5b; the third arm, the repaired
# plan reordered instead, was that switch's only and is not in any commit)
# the city with the scenario's search settings at three budgets, one search each
for t in 60 120 300; do
    run "city-budget-$t" --time-limit "$t" --seeds 1,2,3 --instances middleton-city \
        --perturbations 10,25 --relocate3 --no-phases
done
{ cat "$B/city-budget-60.csv"; tail -n +2 "$B/city-budget-120.csv"; \
  tail -n +2 "$B/city-budget-300.csv"; } >"$B/realnet-city-budgets.csv"
rm -f "$B"/city-budget-*.csv
echo "middleton-run: start $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
.venv/bin/python "$B/pipeline.py" --seeds 1,2,3,4,5 --out "$B/middleton-run.csv"
if [ "${1:-}" = all ]; then
    run realnet-60s-others --time-limit 60 --seeds 1,2,3,4,5 --no-phases --instances \
        middleton-city-noturns,middleton-county-noturns,middleton-state-noturns,demo-05,demo-05211,demo-05361
fi
