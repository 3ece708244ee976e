"""Synthetic road networks at real coordinates: building blocks and the built-in demo.

The building blocks (:class:`OsmBuilder`, :func:`add_road`, :class:`StreetGrid`,
:class:`River`, :func:`add_hamlet`, ...) lay out roads in a local metric frame and
write OSM XML that OSMnx reads; :func:`write_demo_network` uses them to write the
demo network shipped in ``networks/demo``.
"""

from snowroute.network.synthetic.blocks import River as River
from snowroute.network.synthetic.blocks import add_hamlet as add_hamlet
from snowroute.network.synthetic.blocks import add_river as add_river
from snowroute.network.synthetic.blocks import add_road as add_road
from snowroute.network.synthetic.blocks import meander as meander
from snowroute.network.synthetic.blocks import nearest_junction as nearest_junction
from snowroute.network.synthetic.blocks import nearest_node as nearest_node
from snowroute.network.synthetic.demo import AKITA_FRAME as AKITA_FRAME
from snowroute.network.synthetic.demo import DEMO_HORIZON as DEMO_HORIZON
from snowroute.network.synthetic.demo import DEMO_SEED as DEMO_SEED
from snowroute.network.synthetic.demo import build_demo_network as build_demo_network
from snowroute.network.synthetic.demo_files import DemoNetworkFiles as DemoNetworkFiles
from snowroute.network.synthetic.demo_files import (
    write_demo_network as write_demo_network,
)
from snowroute.network.synthetic.grid import GridNodes as GridNodes
from snowroute.network.synthetic.grid import StreetGrid as StreetGrid
from snowroute.network.synthetic.grid import add_grid_nodes as add_grid_nodes
from snowroute.network.synthetic.grid import add_grid_streets as add_grid_streets
from snowroute.network.synthetic.model import Depot as Depot
from snowroute.network.synthetic.model import Municipality as Municipality
from snowroute.network.synthetic.model import Situation as Situation
from snowroute.network.synthetic.model import Structure as Structure
from snowroute.network.synthetic.model import SyntheticNetwork as SyntheticNetwork
from snowroute.network.synthetic.model import admin_at as admin_at
from snowroute.network.synthetic.model import (
    write_boundaries_geojson as write_boundaries_geojson,
)
from snowroute.network.synthetic.model import write_depots_csv as write_depots_csv
from snowroute.network.synthetic.model import write_osm_xml as write_osm_xml
from snowroute.network.synthetic.model import (
    write_structures_csv as write_structures_csv,
)
from snowroute.network.synthetic.osm import LocalFrame as LocalFrame
from snowroute.network.synthetic.osm import OsmBuilder as OsmBuilder
from snowroute.network.synthetic.osm import Way as Way
