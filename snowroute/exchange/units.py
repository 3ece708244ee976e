"""Exchange units: route sections or whole routes, with their owner and length.

Also who may exchange with whom (partner pairs, the prefecture) and how an
exchange list (route id, optional section, taker) maps onto the roads to plow.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from snowroute._errors import ScenarioError
from snowroute.network import attributes as A
from snowroute.network.attributes import EdgeKey
from snowroute.prepare import km
from snowroute.scenario import side_files
from snowroute.scenario.model import GivenExchange, Scenario

__all__ = [
    "ExchangeUnit",
    "exchange_units",
    "given_entries",
    "partner_pairs",
    "resolve_exchanges",
    "upper_admin",
]

#: Administrator classes whose roads never change hands.
NEVER_EXCHANGED = frozenset({A.AdminClass.MLIT, A.AdminClass.EXPRESSWAY, "nexco"})
#: Administrator classes that partner with every other administrator by default.
UPPER_CLASSES = (A.AdminClass.PREFECTURE, A.AdminClass.STATE)


@dataclass(frozen=True, slots=True)
class ExchangeUnit:
    """
    A piece of road that changes hands as a whole: a route section or a route.

    Parameters
    ----------
    id
        Section id (``<route id>@<n>``) or route id.
    route_id
        The route (路線) the unit belongs to.
    route_name
        Display name of the route.
    owner
        Administrator id of the road's legal administrator.
    edges
        The directed network edges to plow, in a stable order.
    km
        Road length in km (a two-way road counts once).
    """

    id: str
    route_id: str
    route_name: str
    owner: str
    edges: tuple[EdgeKey, ...]
    km: float

    def __post_init__(self) -> None:
        if not self.edges:
            msg = f"Exchange unit {self.id!r} has no roads to plow."
            raise ScenarioError(msg)

    def label(self) -> str:
        """How an agreement names the unit: route name (or id) and section."""
        name = self.route_name or self.route_id
        return name if self.id == self.route_id else f"{name} [{self.id}]"


def exchange_units(
    G: nx.MultiDiGraph,
    plow: Mapping[EdgeKey, str],
    *,
    unit: Literal["section", "route"] = "section",
) -> dict[str, ExchangeUnit]:
    """Group the roads to plow (edge → owner) into exchange units, by id.

    ``unit="section"`` uses the network's ``section_id``, ``"route"`` its
    ``route_id``. Only roads in ``plow`` enter a unit.
    """
    key = A.SECTION_ID if unit == "section" else A.ROUTE_ID
    groups: defaultdict[str, list[EdgeKey]] = defaultdict(list)
    for edge in plow:
        groups[str(G.edges[edge][key])].append(edge)
    out = {}
    for unit_id in sorted(groups):
        edges = tuple(sorted(groups[unit_id], key=str))
        data = G.edges[edges[0]]
        owners = {plow[e] for e in edges}
        if len(owners) != 1:
            msg = f"Exchange unit {unit_id!r} has several administrators ({owners})."
            raise ScenarioError(msg)
        out[unit_id] = ExchangeUnit(
            id=unit_id,
            route_id=str(data[A.ROUTE_ID]),
            route_name=str(data.get(A.ROUTE_NAME, "")),
            owner=owners.pop(),
            edges=edges,
            km=km(G, edges),
        )
    return out


def admin_classes(G: nx.MultiDiGraph) -> dict[str, str]:
    """Administrator id → administrator class, as tagged on the network."""
    out: dict[str, str] = {}
    for _, _, data in G.edges(data=True):
        out.setdefault(str(data[A.ADMIN_ID]), str(data[A.ADMIN_CLASS]))
    return out


def upper_admin(G: nx.MultiDiGraph, admins: Collection[str]) -> str | None:
    """Return the prefecture (or state) among ``admins``: by class or 2-digit id."""
    classes = admin_classes(G)
    for wanted in UPPER_CLASSES:
        found = sorted(a for a in admins if classes.get(a) == wanted)
        if found:
            return found[0]
    two_digit = sorted(a for a in admins if len(a) == 2 and a.isdigit())
    return two_digit[0] if two_digit else None


def partner_pairs(
    G: nx.MultiDiGraph, scenario: Scenario, admins: Collection[str]
) -> tuple[tuple[str, str], ...]:
    """Administrator pairs allowed to exchange, each sorted, in a stable order.

    ``exchange.partners`` when given; otherwise the prefecture (see
    :func:`upper_admin`) with every other administrator in ``admins``, or every
    pair when there is none. MLIT and expressway roads never enter a pair.

    Raises
    ------
    ScenarioError
        When a listed partner plows no roads in this scenario or is MLIT/NEXCO.
    """
    classes = admin_classes(G)
    eligible = sorted(a for a in admins if classes.get(a) not in NEVER_EXCHANGED)
    given = scenario.exchange.partners
    if given is not None:
        for i, pair in enumerate(given):
            for admin in pair:
                if admin not in eligible:
                    msg = (
                        f"Scenario field `exchange.partners[{i}]` names {admin!r}, "
                        "which plows no exchangeable roads in this scenario "
                        f"(administrators: {', '.join(eligible)})."
                    )
                    raise ScenarioError(msg)
        pairs: Iterable[tuple[str, ...]] = given
    else:
        upper = upper_admin(G, eligible)
        if upper is None:
            pairs = itertools.combinations(eligible, 2)
        else:
            pairs = ((upper, a) for a in eligible if a != upper)
    return tuple(sorted({(min(p), max(p)) for p in pairs}))


def given_entries(scenario: Scenario) -> tuple[GivenExchange, ...]:
    """Return the exchange list: ``exchange.given`` then the ``given_file`` rows.

    The file was read and checked when the scenario was loaded
    (:func:`snowroute.scenario.side_files`).
    """
    return (*scenario.exchange.given, *side_files(scenario).given)


def resolve_exchanges(
    G: nx.MultiDiGraph,
    plow: Mapping[EdgeKey, str],
    entries: Iterable[GivenExchange],
    *,
    field: str,
    takers: Collection[str],
) -> dict[EdgeKey, str]:
    """Edges handed over by ``entries`` (route or route section → taker).

    Parameters
    ----------
    G
        The tagged network.
    plow
        Roads to plow, edge → owner.
    entries
        The exchange list.
    field
        Scenario field named in error messages (``exchange.given``).
    takers
        Administrators with a plow fleet in the scenario.

    Raises
    ------
    ScenarioError
        When an entry names an unknown route, a section not of that route, a route
        with no roads to plow, a taker without a fleet, or the route's own
        administrator, or when two entries hand one road to different takers.
    """
    by_route: defaultdict[str, list[EdgeKey]] = defaultdict(list)
    route_known = {str(r) for _, _, r in G.edges(data=A.ROUTE_ID)}
    for edge in plow:
        by_route[str(G.edges[edge][A.ROUTE_ID])].append(edge)
    out: dict[EdgeKey, str] = {}
    for i, entry in enumerate(entries):
        where = f"Scenario field `{field}[{i}]`"
        if entry.route not in route_known:
            msg = f"{where}: route {entry.route!r} is not in the road network."
            raise ScenarioError(msg)
        edges = by_route.get(entry.route, [])
        if not edges:
            msg = (
                f"{where}: route {entry.route!r} has no roads to plow in this scenario "
                "(excluded class, winter-closed or an administrator without a fleet)."
            )
            raise ScenarioError(msg)
        if entry.section is not None:
            edges = [e for e in edges if G.edges[e][A.SECTION_ID] == entry.section]
            if not edges:
                msg = (
                    f"{where}: section {entry.section!r} is not a plowed section of "
                    f"route {entry.route!r}."
                )
                raise ScenarioError(msg)
        if entry.to not in takers:
            msg = (
                f"{where}: administrator {entry.to!r} has no plow fleet in this "
                f"scenario (fleets: {', '.join(sorted(takers))})."
            )
            raise ScenarioError(msg)
        owner = plow[edges[0]]
        if entry.to == owner:
            msg = f"{where}: route {entry.route!r} already belongs to {owner!r}."
            raise ScenarioError(msg)
        for edge in edges:
            if out.get(edge, entry.to) != entry.to:
                msg = (
                    f"{where}: route {entry.route!r} is handed to both "
                    f"{out[edge]!r} and {entry.to!r}."
                )
                raise ScenarioError(msg)
            out[edge] = entry.to
    return out
