"""Arc-routing core: problem model, transformation, engines, validator, bounds."""

from snowroute.routing.bound import lower_bound as lower_bound
from snowroute.routing.graph import problem_from_graph as problem_from_graph
from snowroute.routing.params import Objective as Objective
from snowroute.routing.params import Progress as Progress
from snowroute.routing.params import ProgressCallback as ProgressCallback
from snowroute.routing.params import PyVRPParams as PyVRPParams
from snowroute.routing.params import SolveParams as SolveParams
from snowroute.routing.problem import ArcRoutingProblem as ArcRoutingProblem
from snowroute.routing.problem import DeadheadGraph as DeadheadGraph
from snowroute.routing.problem import Depot as Depot
from snowroute.routing.problem import RequiredArc as RequiredArc
from snowroute.routing.problem import VehicleClass as VehicleClass
from snowroute.routing.solution import Refill as Refill
from snowroute.routing.solution import Route as Route
from snowroute.routing.solution import ServiceVisit as ServiceVisit
from snowroute.routing.solution import Solution as Solution
from snowroute.routing.solve import solve as solve
from snowroute.routing.solve import solve_on as solve_on
from snowroute.routing.transform import Transformation as Transformation
from snowroute.routing.transform import transform as transform
from snowroute.routing.turns import TurnModel as TurnModel
from snowroute.routing.turns import TurnRules as TurnRules
from snowroute.routing.validate import ValidationReport as ValidationReport
from snowroute.routing.validate import validate as validate
