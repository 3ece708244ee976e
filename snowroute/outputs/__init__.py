"""Outputs for planners and GIS staff: layers, GPX tracks, route sheets, web map."""

from snowroute.outputs.drive import DrivenRoute as DrivenRoute
from snowroute.outputs.drive import driven_routes as driven_routes
from snowroute.outputs.layers import LAYERS as LAYERS
from snowroute.outputs.layers import routes_to_gdfs as routes_to_gdfs
from snowroute.outputs.layers import save_geojson as save_geojson
from snowroute.outputs.layers import save_routes_geopackage as save_routes_geopackage
from snowroute.outputs.model import ExchangedSection as ExchangedSection
from snowroute.outputs.model import PatrolDay as PatrolDay
from snowroute.outputs.model import PlanRoutes as PlanRoutes
