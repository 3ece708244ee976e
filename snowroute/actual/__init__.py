"""Plan against actual: plow GPS logs matched to the network and compared with the plan.

Read the logs (:func:`read_logs`, :func:`read_fleet_table`) and the plan
(:func:`read_plan`), then :func:`compare_actual` matches every track to the
directed road graph (a hidden-Markov map matcher, :mod:`snowroute.actual.match`)
and returns an :class:`ActualResult`: coverage per edge and direction, missed and
unplanned roads, each route against its vehicle, finish times per priority class
and the settlement of the exchange per partner pair. :func:`synthetic_logs` makes
logs of a plan with known truth, for tests and the demo.
"""

from snowroute.actual.compare import ActualResult as ActualResult
from snowroute.actual.compare import compare_actual as compare_actual
from snowroute.actual.compare import match_tracks as match_tracks
from snowroute.actual.logs import FleetEntry as FleetEntry
from snowroute.actual.logs import Track as Track
from snowroute.actual.logs import read_fleet_table as read_fleet_table
from snowroute.actual.logs import read_logs as read_logs
from snowroute.actual.logs import write_log_folder as write_log_folder
from snowroute.actual.match import MatchParams as MatchParams
from snowroute.actual.match import match_points as match_points
from snowroute.actual.plan import Plan as Plan
from snowroute.actual.plan import read_plan as read_plan
from snowroute.actual.roads import RoadIndex as RoadIndex
from snowroute.actual.roads import road_index as road_index
from snowroute.actual.synth import SyntheticLogs as SyntheticLogs
from snowroute.actual.synth import SyntheticParams as SyntheticParams
from snowroute.actual.synth import synthetic_logs as synthetic_logs

__all__ = [
    "ActualResult",
    "FleetEntry",
    "MatchParams",
    "Plan",
    "RoadIndex",
    "SyntheticLogs",
    "SyntheticParams",
    "Track",
    "compare_actual",
    "match_points",
    "match_tracks",
    "read_fleet_table",
    "read_logs",
    "read_plan",
    "road_index",
    "synthetic_logs",
    "write_log_folder",
]
