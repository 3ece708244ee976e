"""Outputs for planners and GIS staff: every file snowroute writes.

Each file format has one writer, named ``save_*``: the layers, GPX tracks, route
sheets and web map of a run (:func:`save_outputs`), ``summary.json``
(:func:`save_summary`), the patrol plan (:func:`save_patrol`), the findings notices
(:func:`save_notices`), the report (:func:`save_report`) and a tagged network
(:func:`save_tagged_network`, :func:`save_left_out`). Callers describe each plan
with a :class:`PlanRoutes` (problem, solution, who runs each vehicle class) and pass
the planners' results as plain data; nothing here imports a planner or calls a
routing engine.
"""

from snowroute.outputs.directions import turn_between as turn_between
from snowroute.outputs.docs import outputs_markdown as outputs_markdown
from snowroute.outputs.docs import save_outputs_doc as save_outputs_doc
from snowroute.outputs.drive import DrivenRoute as DrivenRoute
from snowroute.outputs.drive import driven_routes as driven_routes
from snowroute.outputs.drive import plans_driven as plans_driven
from snowroute.outputs.figure import ExchangeFigure as ExchangeFigure
from snowroute.outputs.figure import exchange_figure as exchange_figure
from snowroute.outputs.gpx import route_to_gpx as route_to_gpx
from snowroute.outputs.gpx import save_gpx_tracks as save_gpx_tracks
from snowroute.outputs.layers import LAYERS as LAYERS
from snowroute.outputs.layers import Field as Field
from snowroute.outputs.layers import Layer as Layer
from snowroute.outputs.layers import output_crs as output_crs
from snowroute.outputs.layers import routes_to_gdfs as routes_to_gdfs
from snowroute.outputs.layers import save_geojson as save_geojson
from snowroute.outputs.layers import save_routes_geopackage as save_routes_geopackage
from snowroute.outputs.model import ExchangedSection as ExchangedSection
from snowroute.outputs.model import InspectionStop as InspectionStop
from snowroute.outputs.model import PatrolDay as PatrolDay
from snowroute.outputs.model import PlanRoutes as PlanRoutes
from snowroute.outputs.model import exchanged_sections as exchanged_sections
from snowroute.outputs.network import left_out_roads as left_out_roads
from snowroute.outputs.network import save_left_out as save_left_out
from snowroute.outputs.network import save_tagged_network as save_tagged_network
from snowroute.outputs.notices import save_notices as save_notices
from snowroute.outputs.patrol import PatrolPlanData as PatrolPlanData
from snowroute.outputs.patrol import save_patrol as save_patrol
from snowroute.outputs.report import render_report as render_report
from snowroute.outputs.report import save_exchange_list as save_exchange_list
from snowroute.outputs.report import save_report as save_report
from snowroute.outputs.sheets import SHEET_COLUMNS as SHEET_COLUMNS
from snowroute.outputs.sheets import save_route_sheets as save_route_sheets
from snowroute.outputs.sheets import sheet_lines as sheet_lines
from snowroute.outputs.sheets import sheet_pages as sheet_pages
from snowroute.outputs.sweep import save_sweep as save_sweep
from snowroute.outputs.webmap import routes_map as routes_map
from snowroute.outputs.webmap import save_map as save_map
from snowroute.outputs.write import save_outputs as save_outputs
from snowroute.outputs.write import save_summary as save_summary
