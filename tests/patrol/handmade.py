"""A tiny tagged network for the patrol unit tests.

The prefecture (05) has two routes: A along y=0 (nodes 0-1-2) and B along y=2
(nodes 10-11). The municipality 05201 has route M from node 1 up to node 10
(1-5-10) and a spur Q (2-6). A winter-closed prefectural road C runs 2-3. The
depot is node 0. Nodes are about 100 m apart.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from snowroute.network import attributes as A
from snowroute.scenario.model import PatrolCarSpec, PatrolSpec

PREF, TOWN = "05", "05201"


def network() -> nx.MultiDiGraph:
    """The tiny tagged network described above."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    G.graph[A.TAGGED] = True
    coords = {0: (0, 0), 1: (1, 0), 2: (2, 0), 3: (3, 0), 5: (1, 1), 6: (2, 1)}
    coords |= {10: (1, 2), 11: (2, 2)}
    for node, (x, y) in coords.items():
        G.add_node(node, x=140 + x / 1000, y=39 + y / 1000)
    roads = [
        # (u, v, admin, kind, route, section, priority, closed)
        (0, 1, PREF, "prefectural", "05/prefectural/A", "@1", "arterial", False),
        (1, 2, PREF, "prefectural", "05/prefectural/A", "@2", "arterial", False),
        (10, 11, PREF, "prefectural", "05/prefectural/B", "@1", "collector", False),
        (1, 5, TOWN, "municipal", "05201/municipal/M", "@1", "local", False),
        (5, 10, TOWN, "municipal", "05201/municipal/M", "@1", "local", False),
        (2, 6, TOWN, "municipal", "05201/municipal/Q", "@1", "local", False),
        (2, 3, PREF, "prefectural", "05/prefectural/C", "@1", "collector", True),
    ]
    for i, (u, v, admin, kind, route, section, priority, closed) in enumerate(roads):
        for a, b in ((u, v), (v, u)):
            G.add_edge(
                a,
                b,
                osmid=i,
                length=100.0,
                oneway=False,
                speed_kph=36.0,
                road_class="secondary" if kind == "prefectural" else "residential",
                **{
                    A.ADMIN_ID: admin,
                    A.ADMIN_CLASS: "prefecture" if admin == PREF else "municipality",
                    A.ROUTE_ID: route,
                    A.ROUTE_KIND: kind,
                    A.ROUTE_NAME: route.rsplit("/", 1)[1],
                    A.SECTION_ID: route + section,
                    A.PRIORITY: priority,
                    A.WINTER_CLOSED: closed,
                },
            )
    return G


def patrol_spec(**changes: object) -> PatrolSpec:
    """Patrol settings of the prefecture on :func:`network`, with ``changes``."""
    cars = PatrolCarSpec(depot="D05", count=1, shift_h=6.0, speed_kph=30.0)
    fields: dict[str, object] = {
        "admin": PREF,
        "start_date": dt.date(2026, 12, 1),
        "cars": cars,
    }
    return PatrolSpec(**(fields | changes))  # type: ignore[arg-type]
