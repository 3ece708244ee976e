"""The arc-routing problem: deadhead graph, required arcs, depots, vehicle classes.

Every object here is immutable and checks itself when it is built. Times are in
seconds, lengths in metres, speeds in km/h. For a classical CARP instance the
"seconds" are simply the instance's cost units.

Service time of one pass of a required arc by a vehicle class, in this order:

1. ``RequiredArc.service_s`` when given (an explicit time or cost per pass);
2. else the served arc's ``length_m`` at ``VehicleClass.plow_speed_kph``;
3. else the served arc's ``travel_s`` (plowing at the road's own speed);

plus ``RequiredArc.extra_service_s`` once per pass.

Deadhead time of an arc for a vehicle class is ``travel_s``, or, when the class has a
``deadhead_speed_kph``, ``max(travel_s, length_m / speed)`` (a slow vehicle never goes
faster than the road allows).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from snowroute._errors import InfeasibleError, ProblemError

if TYPE_CHECKING:
    from snowroute.routing.turns import TurnModel

__all__ = [
    "ArcRoutingProblem",
    "DeadheadGraph",
    "Depot",
    "Mode",
    "RequiredArc",
    "VehicleClass",
]

#: How a required arc may be served: ``"forward"`` along ``arc`` only (one-way road),
#: ``"either"`` once in either direction, ``"both"`` once in each direction.
Mode = Literal["forward", "either", "both"]
_MODES: tuple[str, ...] = get_args(Mode)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _readonly(values: Any, dtype: Any, name: str) -> Any:
    try:
        array = np.array(values, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        msg = f"`{name}` must be a sequence of numbers: {exc}."
        raise ProblemError(msg) from None
    if array.ndim != 1:
        msg = f"`{name}` must be one-dimensional, got shape {array.shape}."
        raise ProblemError(msg)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True, eq=False)
class DeadheadGraph:
    """
    Directed graph a vehicle may drive on, one entry per arc.

    Parameters
    ----------
    tail, head
        Start and end vertex of each arc, integers in ``[0, num_vertices)``.
    length_m
        Length of each arc in metres (non-negative).
    travel_s
        Time to drive each arc without working, at the road's own speed. For a CARP
        instance this is the traversal cost.
    num_vertices
        Number of vertices. Vertices without arcs are allowed.
    edge_refs
        Optional opaque reference per arc back to the network edge it came from,
        for example ``(u, v, key)`` of an OSMnx graph.
    vertex_refs
        Optional opaque reference per vertex (the network node).

    Raises
    ------
    ProblemError
        When the arrays differ in length, a vertex is out of range or a length or
        time is negative or not finite.
    """

    tail: IntArray
    head: IntArray
    length_m: FloatArray
    travel_s: FloatArray
    num_vertices: int
    edge_refs: tuple[Hashable, ...] | None = None
    vertex_refs: tuple[Hashable, ...] | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "tail", _readonly(self.tail, np.int64, "tail"))
        set_(self, "head", _readonly(self.head, np.int64, "head"))
        set_(self, "length_m", _readonly(self.length_m, np.float64, "length_m"))
        set_(self, "travel_s", _readonly(self.travel_s, np.float64, "travel_s"))
        n = len(self.tail)
        for name in ("head", "length_m", "travel_s"):
            if len(getattr(self, name)) != n:
                msg = f"`{name}` has {len(getattr(self, name))} entries, `tail` {n}."
                raise ProblemError(msg)
        if int(self.num_vertices) != self.num_vertices or self.num_vertices < 0:
            msg = (
                "`num_vertices` must be a non-negative integer, got "
                f"{self.num_vertices!r}."
            )
            raise ProblemError(msg)
        set_(self, "num_vertices", int(self.num_vertices))
        for name in ("tail", "head"):
            values = getattr(self, name)
            bad = np.flatnonzero((values < 0) | (values >= self.num_vertices))
            if bad.size:
                msg = (
                    f"`{name}` of arc {bad[0]} is {values[bad[0]]}, outside "
                    f"[0, {self.num_vertices})."
                )
                raise ProblemError(msg)
        for name in ("length_m", "travel_s"):
            values = getattr(self, name)
            bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
            if bad.size:
                msg = (
                    f"`{name}` of arc {bad[0]} must be finite and >= 0, got "
                    f"{values[bad[0]]}."
                )
                raise ProblemError(msg)
        if self.edge_refs is not None:
            refs = tuple(self.edge_refs)
            if len(refs) != n:
                msg = f"`edge_refs` has {len(refs)} entries, the graph {n} arcs."
                raise ProblemError(msg)
            set_(self, "edge_refs", refs)
        if self.vertex_refs is not None:
            vrefs = tuple(self.vertex_refs)
            if len(vrefs) != self.num_vertices:
                msg = (
                    f"`vertex_refs` has {len(vrefs)} entries, the graph "
                    f"{self.num_vertices} vertices."
                )
                raise ProblemError(msg)
            set_(self, "vertex_refs", vrefs)

    @property
    def num_arcs(self) -> int:
        """Number of arcs."""
        return len(self.tail)

    def deadhead_s(self, speed_kph: float | None) -> FloatArray:
        """Deadhead time of every arc for a vehicle limited to ``speed_kph``.

        ``None`` means the road's own ``travel_s``.
        """
        if speed_kph is None:
            return self.travel_s
        return np.maximum(self.travel_s, self.length_m * (3.6 / speed_kph))


@dataclass(frozen=True, slots=True)
class RequiredArc:
    """
    A road that must be served (plowed, salted, inspected).

    Parameters
    ----------
    arc
        Index of the deadhead arc ``u -> v`` the service runs along.
    reverse_arc
        Index of the ``v -> u`` arc of the same road, ``None`` for a one-way road.
    mode
        ``"forward"``: along ``arc`` only; ``"either"``: once in either direction;
        ``"both"``: once in each direction, as two separate services.
    passes
        Passes per served direction (for example one per lane).
    service_s
        Explicit service time (or cost) of one pass; ``None`` derives it from the
        length and the vehicle's plow speed (see the module notes).
    extra_service_s
        Fixed extra time per pass (for example a structure inspection).
    demand
        Demand of one pass (salt, or any unit the vehicle capacities use).
    road_class
        Road class used for vehicle compatibility (``VehicleClass.road_classes``).
    width_m
        Carriageway width used for ``VehicleClass.min_width_m``; ``nan`` when
        unknown (unknown widths never exclude a vehicle).
    priority
        Priority class, a key into ``ArcRoutingProblem.deadlines``, or ``None``.
    ref
        Opaque identifier for callers (a network edge, a CARP edge number).
    label
        How messages name the arc (:attr:`named`): the road's name, say; ``None``
        names it by ``ref`` alone.

    Raises
    ------
    ProblemError
        When a field has an invalid value.
    """

    arc: int
    reverse_arc: int | None = None
    mode: Mode = "forward"
    passes: int = 1
    service_s: float | None = None
    extra_service_s: float = 0.0
    demand: float = 0.0
    road_class: str | None = None
    width_m: float = math.nan
    priority: str | None = None
    ref: Hashable = None
    label: str | None = None

    @property
    def named(self) -> str:
        """How messages name the arc: ``ref``, and ``label`` when there is one."""
        return repr(self.ref) if not self.label else f"{self.ref!r} on {self.label}"

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            msg = f"`mode` must be one of {', '.join(_MODES)}, got {self.mode!r}."
            raise ProblemError(msg)
        if self.mode != "forward" and self.reverse_arc is None:
            msg = (
                f"`mode` {self.mode!r} needs a `reverse_arc` (required arc "
                f"{self.named})."
            )
            raise ProblemError(msg)
        if (
            isinstance(self.passes, bool)
            or int(self.passes) != self.passes
            or self.passes < 1
        ):
            msg = f"`passes` must be a positive integer, got {self.passes!r}."
            raise ProblemError(msg)
        for name in ("extra_service_s", "demand"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                msg = f"`{name}` must be finite and >= 0, got {value!r}."
                raise ProblemError(msg)
        if self.service_s is not None and (
            not math.isfinite(self.service_s) or self.service_s < 0
        ):
            msg = (
                f"`service_s` must be finite and >= 0 or None, got {self.service_s!r}."
            )
            raise ProblemError(msg)
        if not math.isnan(self.width_m) and self.width_m < 0:
            msg = f"`width_m` must be >= 0 or nan, got {self.width_m!r}."
            raise ProblemError(msg)

    @property
    def directions(self) -> tuple[int, ...]:
        """Directions that may be served: 0 along ``arc``, 1 along ``reverse_arc``."""
        return (0,) if self.mode == "forward" else (0, 1)

    @property
    def num_services(self) -> int:
        """Number of separate services (visits) this arc needs."""
        return self.passes * (2 if self.mode == "both" else 1)


@dataclass(frozen=True, slots=True)
class Depot:
    """
    A depot (garage, salt barn) at a vertex of the deadhead graph.

    Parameters
    ----------
    id
        Identifier used by ``VehicleClass.depot`` and ``refill_depots``.
    vertex
        Vertex index in the deadhead graph.

    Raises
    ------
    ProblemError
        When ``vertex`` is negative.
    """

    id: str
    vertex: int

    def __post_init__(self) -> None:
        if (
            isinstance(self.vertex, bool)
            or int(self.vertex) != self.vertex
            or self.vertex < 0
        ):
            msg = (
                f"`vertex` of depot {self.id!r} must be a vertex index, got "
                f"{self.vertex!r}."
            )
            raise ProblemError(msg)


def _positive_or_none(owner: str, name: str, value: float | None) -> None:
    if value is not None and (not math.isfinite(value) or value <= 0):
        msg = (
            f"`{name}` of vehicle class {owner!r} must be positive or None, got "
            f"{value!r}."
        )
        raise ProblemError(msg)


@dataclass(frozen=True, slots=True)
class VehicleClass:
    """
    A class of identical vehicles based at one depot.

    Parameters
    ----------
    name
        Identifier of the class.
    depot
        Id of the depot where every route of this class starts and ends.
    count
        Number of vehicles, ``None`` for as many as needed.
    capacity
        Capacity in demand units (salt), ``None`` for unlimited.
    shift_s
        Longest route duration in seconds, ``None`` for unlimited.
    plow_speed_kph
        Working speed; ``None`` uses each arc's ``service_s`` (or its travel time).
    deadhead_speed_kph
        Top speed when driving without working; ``None`` uses the road's
        ``travel_s``; otherwise an arc takes ``max(travel_s, length / speed)``.
    road_classes
        Road classes the vehicle may serve, ``None`` for all.
    min_width_m
        Narrowest carriageway (metres) the vehicle may serve, ``None`` for any.
    refill_depots
        Ids of depots where the vehicle may refill (load back to zero) mid-route.
    fixed_cost
        Cost added per route used, in the objective's units (seconds).

    Raises
    ------
    ProblemError
        When a field has an invalid value.
    """

    name: str
    depot: str
    count: int | None = None
    capacity: float | None = None
    shift_s: float | None = None
    plow_speed_kph: float | None = None
    deadhead_speed_kph: float | None = None
    road_classes: frozenset[str] | None = None
    min_width_m: float | None = None
    refill_depots: tuple[str, ...] = ()
    fixed_cost: float = 0.0

    def __post_init__(self) -> None:
        if self.count is not None and (
            isinstance(self.count, bool)
            or int(self.count) != self.count
            or self.count < 1
        ):
            msg = (
                f"`count` of vehicle class {self.name!r} must be a positive integer or "
                f"None, got {self.count!r}."
            )
            raise ProblemError(msg)
        for name in ("capacity", "shift_s", "plow_speed_kph", "deadhead_speed_kph"):
            _positive_or_none(self.name, name, getattr(self, name))
        if self.min_width_m is not None and (
            not math.isfinite(self.min_width_m) or self.min_width_m < 0
        ):
            msg = (
                f"`min_width_m` of vehicle class {self.name!r} must be >= 0 or None, "
                f"got {self.min_width_m!r}."
            )
            raise ProblemError(msg)
        if not math.isfinite(self.fixed_cost) or self.fixed_cost < 0:
            msg = (
                f"`fixed_cost` of vehicle class {self.name!r} must be finite and >= 0, "
                f"got {self.fixed_cost!r}."
            )
            raise ProblemError(msg)
        road_classes: object = self.road_classes
        refill_depots: object = self.refill_depots
        if self.road_classes is not None:
            if isinstance(road_classes, str):
                msg = (
                    f"`road_classes` of vehicle class {self.name!r} must be a set of "
                    "names, not a string."
                )
                raise ProblemError(msg)
            object.__setattr__(self, "road_classes", frozenset(self.road_classes))
        if isinstance(refill_depots, str):
            msg = (
                f"`refill_depots` of vehicle class {self.name!r} must be a sequence of "
                "depot ids, not a string."
            )
            raise ProblemError(msg)
        object.__setattr__(self, "refill_depots", tuple(self.refill_depots))

    def can_serve(self, arc: RequiredArc) -> bool:
        """Whether this class may serve ``arc`` (road class and width)."""
        if self.road_classes is not None and arc.road_class not in self.road_classes:
            return False
        return not (
            self.min_width_m is not None
            and not math.isnan(arc.width_m)
            and arc.width_m < self.min_width_m
        )


@dataclass(frozen=True, slots=True, eq=False)
class ArcRoutingProblem:
    """
    An arc-routing problem: serve every required arc with routes from depots.

    Parameters
    ----------
    graph
        The deadhead graph (every arc a vehicle may drive).
    required
        The required arcs; their ``arc``/``reverse_arc`` index ``graph``.
    depots
        Depots, with unique ids.
    vehicles
        Vehicle classes, with unique names, each based at a known depot.
    deadlines
        Seconds after the shift start by which every service of a priority class
        must be complete, by priority class.
    turns
        Optional turn model (:mod:`snowroute.routing.turns`): deadhead legs then
        run arc to arc, honouring U-turn rules and restrictions, and include turn
        penalties. ``None`` (default) routes vertex to vertex without turn costs.

    Attributes
    ----------
    service_s
        Array ``(num_vehicle_classes, num_required, 2)``: service time of one pass
        (extra time included) by each class in each direction (0 along ``arc``, 1
        along ``reverse_arc``; ``nan`` where that direction is not allowed).
    compatible
        Array ``(num_vehicle_classes, num_required)``: whether the class may serve
        the arc.

    Raises
    ------
    ProblemError
        When an index, id or value is invalid.
    InfeasibleError
        When a required arc has no compatible vehicle class, or a single pass of it
        needs more than the capacity of every compatible class, or takes longer
        than every compatible class's shift.
    """

    graph: DeadheadGraph
    required: tuple[RequiredArc, ...]
    depots: tuple[Depot, ...]
    vehicles: tuple[VehicleClass, ...]
    deadlines: Mapping[str, float] = field(default_factory=dict)
    turns: TurnModel | None = None
    service_s: FloatArray = field(init=False, repr=False)
    compatible: BoolArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "required", tuple(self.required))
        set_(self, "depots", tuple(self.depots))
        set_(self, "vehicles", tuple(self.vehicles))
        set_(self, "deadlines", MappingProxyType(dict(self.deadlines)))
        self._check_depots_and_vehicles()
        self._check_required()
        if self.turns is not None and self.turns.num_arcs != self.graph.num_arcs:
            msg = (
                f"The turn model describes {self.turns.num_arcs} arcs, the graph has "
                f"{self.graph.num_arcs}."
            )
            raise ProblemError(msg)
        for name, value in self.deadlines.items():
            if not math.isfinite(value) or value < 0:
                msg = (
                    f"Deadline of priority class {name!r} must be finite and >= 0, got "
                    f"{value!r}."
                )
                raise ProblemError(msg)
        service = self._service_times()
        service.flags.writeable = False
        set_(self, "service_s", service)
        compatible = np.array(
            [[vc.can_serve(r) for r in self.required] for vc in self.vehicles],
            dtype=bool,
        ).reshape(len(self.vehicles), len(self.required))
        compatible.flags.writeable = False
        set_(self, "compatible", compatible)
        self._check_provably_feasible()

    # -- validation ----------------------------------------------------------------
    def _check_depots_and_vehicles(self) -> None:
        ids = [d.id for d in self.depots]
        if len(set(ids)) != len(ids):
            msg = f"Depot ids must be unique, got {ids}."
            raise ProblemError(msg)
        for depot in self.depots:
            if depot.vertex >= self.graph.num_vertices:
                msg = (
                    f"Depot {depot.id!r} is at vertex {depot.vertex}, outside the "
                    f"graph's {self.graph.num_vertices} vertices."
                )
                raise ProblemError(msg)
        if not self.vehicles:
            msg = "`vehicles` must name at least one vehicle class."
            raise ProblemError(msg)
        names = [v.name for v in self.vehicles]
        if len(set(names)) != len(names):
            msg = f"Vehicle class names must be unique, got {names}."
            raise ProblemError(msg)
        known = set(ids)
        for vc in self.vehicles:
            if vc.depot not in known:
                msg = (
                    f"Vehicle class {vc.name!r} is based at unknown depot {vc.depot!r}."
                )
                raise ProblemError(msg)
            for refill in vc.refill_depots:
                if refill not in known:
                    msg = (
                        f"Vehicle class {vc.name!r} refills at unknown depot "
                        f"{refill!r}."
                    )
                    raise ProblemError(msg)

    def _check_required(self) -> None:
        graph = self.graph
        used: dict[int, int] = {}
        for index, r in enumerate(self.required):
            for name in ("arc", "reverse_arc"):
                a = getattr(r, name)
                if a is None:
                    continue
                if isinstance(a, bool) or int(a) != a or not 0 <= a < graph.num_arcs:
                    msg = (
                        f"`{name}` of required arc {r.named} is {a!r}, not an arc "
                        f"index below {graph.num_arcs}."
                    )
                    raise ProblemError(msg)
                if a in used:
                    msg = (
                        f"Arc {a} belongs to required arcs "
                        f"{self.required[used[a]].named} and {r.named}; merge them "
                        "into one."
                    )
                    raise ProblemError(msg)
                used[a] = index
            if r.reverse_arc is not None and (
                graph.tail[r.reverse_arc] != graph.head[r.arc]
                or graph.head[r.reverse_arc] != graph.tail[r.arc]
            ):
                msg = (
                    f"`reverse_arc` of required arc {r.named} does not run opposite to "
                    "`arc`."
                )
                raise ProblemError(msg)

    def _service_times(self) -> FloatArray:
        graph = self.graph
        n = len(self.required)
        arcs = np.array([r.arc for r in self.required], dtype=np.int64)
        rev = np.array(
            [r.arc if r.reverse_arc is None else r.reverse_arc for r in self.required],
            dtype=np.int64,
        )
        allowed_rev = np.array([r.mode != "forward" for r in self.required], dtype=bool)
        explicit = np.array(
            [math.nan if r.service_s is None else r.service_s for r in self.required],
            dtype=np.float64,
        )
        extra = np.array([r.extra_service_s for r in self.required], dtype=np.float64)
        out = np.empty((len(self.vehicles), n, 2), dtype=np.float64)
        for c, vc in enumerate(self.vehicles):
            for d, idx in enumerate((arcs, rev)):
                if vc.plow_speed_kph is None:
                    derived = graph.travel_s[idx]
                else:
                    derived = graph.length_m[idx] * (3.6 / vc.plow_speed_kph)
                out[c, :, d] = np.where(np.isnan(explicit), derived, explicit) + extra
            out[c, ~allowed_rev, 1] = np.nan
        return out

    def _check_provably_feasible(self) -> None:
        for index, r in enumerate(self.required):
            classes = np.flatnonzero(self.compatible[:, index])
            if classes.size == 0:
                msg = (
                    f"No vehicle class may serve required arc {r.named} (road class "
                    f"{r.road_class!r}, width {r.width_m} m)."
                )
                raise InfeasibleError(msg)
            caps = [self.vehicles[c].capacity for c in classes]
            if all(cap is not None and r.demand > cap for cap in caps):
                msg = (
                    f"Required arc {r.named} needs {r.demand:g} per pass, more than "
                    "any compatible vehicle carries."
                )
                raise InfeasibleError(msg)
            fits = False
            for c in classes:
                shift = self.vehicles[c].shift_s
                fastest = np.nanmin(self.service_s[c, index])
                if shift is None or fastest <= shift:
                    fits = True
            if not fits:
                msg = (
                    f"One pass of required arc {r.named} takes longer than the shift "
                    "of every compatible vehicle class."
                )
                raise InfeasibleError(msg)

    # -- derived data --------------------------------------------------------------
    @property
    def num_required(self) -> int:
        """Number of required arcs."""
        return len(self.required)

    @property
    def num_services(self) -> int:
        """Number of separate services (passes and directions) over all arcs."""
        return sum(r.num_services for r in self.required)

    @property
    def single_depot(self) -> bool:
        """Whether every vehicle class starts at the same depot."""
        return len({vc.depot for vc in self.vehicles}) == 1

    def depot_index(self, depot_id: str) -> int:
        """Position of the depot with id ``depot_id`` in ``depots``.

        Raises
        ------
        ProblemError
            When no depot has that id.
        """
        for index, depot in enumerate(self.depots):
            if depot.id == depot_id:
                return index
        msg = f"Unknown depot id {depot_id!r}."
        raise ProblemError(msg)

    def vehicle_index(self, name: str) -> int:
        """Position of the vehicle class called ``name`` in ``vehicles``.

        Raises
        ------
        ProblemError
            When no class has that name.
        """
        for index, vc in enumerate(self.vehicles):
            if vc.name == name:
                return index
        msg = f"Unknown vehicle class {name!r}."
        raise ProblemError(msg)

    def deadhead_s(self, vehicle: int) -> FloatArray:
        """Deadhead time of every arc for vehicle class number ``vehicle``."""
        return self.graph.deadhead_s(self.vehicles[vehicle].deadhead_speed_kph)

    def total_demand(self) -> float:
        """Sum of the demand of every pass of every required arc."""
        return float(sum(r.demand * r.num_services for r in self.required))

    def deadline_of(self, required: int) -> float:
        """Completion deadline of the services of required arc number ``required``.

        ``inf`` when the arc has no priority class or its class has no deadline.
        """
        priority = self.required[required].priority
        if priority is None:
            return math.inf
        return float(self.deadlines.get(priority, math.inf))
