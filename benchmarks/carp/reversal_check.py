"""Check whether CARP segment-reversal moves improve the search's local optima.

Searches one egl instance with one worker, then tries on the best plan every
reversal of a segment of a route (services in reverse order, each flipped, then the
best directions by dynamic programming) and every reversed 2-opt* between two
routes (head of one + reversed head of the other, reversed tail + tail, capacity
respected), moves PyVRP's operators do not make in one step. Prints the improving
moves found.

Usage: .venv/bin/python benchmarks/carp/reversal_check.py egl-s4-A 20 1
"""

from __future__ import annotations

import sys
import time

from trials import load, logged_search  # the script's own folder is on sys.path

from snowroute.routing.improve import best_directions, node_route_s
from snowroute.routing.transform import NodeRoute


def main() -> None:
    """Search, then count improving reversal moves on the best plan."""
    instance, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    problem, tr = load(instance)
    start = time.perf_counter()
    found, iterations, _ = logged_search(
        tr, seed=seed, deadline=start + seconds, t0=start
    )
    routes = [best_directions(tr, r) for r in found]
    total = sum(node_route_s(tr, r) for r in routes)
    print(f"{instance}: {iterations} iterations; route time {total} (search units)")

    def twin(node: int) -> int:
        alts = tr.service_nodes(int(tr.node_service[node]))
        return int(alts[alts != node][0]) if alts.size > 1 else node

    def flipped(nodes: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(twin(x) for x in reversed(nodes))

    def length(vehicle: int, nodes: tuple[int, ...]) -> float:
        return node_route_s(tr, best_directions(tr, NodeRoute(vehicle, nodes, ())))

    intra = 0
    for r in routes:
        base = node_route_s(tr, r)
        n = len(r.nodes)
        for i in range(n):
            for j in range(i + 1, n):
                nodes = r.nodes[:i] + flipped(r.nodes[i : j + 1]) + r.nodes[j + 1 :]
                intra += length(r.vehicle, nodes) < base - 1e-6
    capacity = problem.vehicles[0].capacity or float("inf")

    def demand(nodes: tuple[int, ...]) -> float:
        return float(sum(tr.service_demand[tr.node_service[x]] for x in nodes))

    inter = 0
    for a, ra in enumerate(routes):
        for rb in routes[a + 1 :]:
            base = node_route_s(tr, ra) + node_route_s(tr, rb)
            for i in range(len(ra.nodes) + 1):
                for j in range(len(rb.nodes) + 1):
                    n1 = ra.nodes[:i] + flipped(rb.nodes[:j])
                    n2 = flipped(ra.nodes[i:]) + rb.nodes[j:]
                    if demand(n1) > capacity or demand(n2) > capacity:
                        continue
                    new = length(ra.vehicle, n1) + length(rb.vehicle, n2)
                    inter += new < base - 1e-6
    print("improving segment reversals:", intra, "; improving reversed 2-opt*:", inter)


if __name__ == "__main__":
    main()
