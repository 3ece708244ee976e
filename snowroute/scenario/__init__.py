"""Scenarios: a planner's settings for network, depots, fleets, exchange, patrol."""

from snowroute.scenario.load import scenario_from_toml as scenario_from_toml
from snowroute.scenario.model import DepotSpec as DepotSpec
from snowroute.scenario.model import ExchangeSpec as ExchangeSpec
from snowroute.scenario.model import NetworkSpec as NetworkSpec
from snowroute.scenario.model import PatrolCarSpec as PatrolCarSpec
from snowroute.scenario.model import PatrolSpec as PatrolSpec
from snowroute.scenario.model import Scenario as Scenario
from snowroute.scenario.model import ServiceSpec as ServiceSpec
from snowroute.scenario.model import SolverSpec as SolverSpec
from snowroute.scenario.model import VehicleSpec as VehicleSpec
from snowroute.scenario.side import GivenExchange as GivenExchange
from snowroute.scenario.side import SideFiles as SideFiles
from snowroute.scenario.side import Structure as Structure
from snowroute.scenario.side import side_files as side_files
