"""Generated data sets: synthetic road networks at real coordinates.

The building blocks (:class:`OsmBuilder`, :func:`add_road`, :class:`StreetGrid`,
:class:`River`, :func:`add_hamlet`, ...) lay out roads in a local metric frame and
write OSM XML that OSMnx reads; :func:`write_demo_network` uses them to write the
demo network shipped in ``networks/demo`` and :func:`write_region_network` the
prefecture-scale demo region shipped in ``networks/region``.
:func:`write_city_network` writes a
generated city-scale centerline ledger for benchmarks. This package sits beside
:mod:`snowroute.network` (it may import it; the network layer never imports it).
"""

from snowroute.datasets.blocks import River as River
from snowroute.datasets.blocks import add_hamlet as add_hamlet
from snowroute.datasets.blocks import add_river as add_river
from snowroute.datasets.blocks import add_road as add_road
from snowroute.datasets.blocks import meander as meander
from snowroute.datasets.blocks import nearest_junction as nearest_junction
from snowroute.datasets.blocks import nearest_node as nearest_node
from snowroute.datasets.city import CityFiles as CityFiles
from snowroute.datasets.city import build_city_layer as build_city_layer
from snowroute.datasets.city import write_city_network as write_city_network
from snowroute.datasets.demo import AKITA_FRAME as AKITA_FRAME
from snowroute.datasets.demo import DEMO_HORIZON as DEMO_HORIZON
from snowroute.datasets.demo import DEMO_SEED as DEMO_SEED
from snowroute.datasets.demo import build_demo_network as build_demo_network
from snowroute.datasets.demo_files import DemoNetworkFiles as DemoNetworkFiles
from snowroute.datasets.demo_files import (
    write_demo_network as write_demo_network,
)
from snowroute.datasets.grid import GridNodes as GridNodes
from snowroute.datasets.grid import StreetGrid as StreetGrid
from snowroute.datasets.grid import add_grid_nodes as add_grid_nodes
from snowroute.datasets.grid import add_grid_streets as add_grid_streets
from snowroute.datasets.model import Depot as Depot
from snowroute.datasets.model import Municipality as Municipality
from snowroute.datasets.model import Situation as Situation
from snowroute.datasets.model import Structure as Structure
from snowroute.datasets.model import SyntheticNetwork as SyntheticNetwork
from snowroute.datasets.model import admin_at as admin_at
from snowroute.datasets.model import (
    write_boundaries_geojson as write_boundaries_geojson,
)
from snowroute.datasets.model import write_depots_csv as write_depots_csv
from snowroute.datasets.model import write_osm_xml as write_osm_xml
from snowroute.datasets.model import (
    write_structures_csv as write_structures_csv,
)
from snowroute.datasets.osm import LocalFrame as LocalFrame
from snowroute.datasets.osm import OsmBuilder as OsmBuilder
from snowroute.datasets.osm import Way as Way
from snowroute.datasets.region import REGION_SEED as REGION_SEED
from snowroute.datasets.region import build_region_network as build_region_network
from snowroute.datasets.region_files import RegionNetworkFiles as RegionNetworkFiles
from snowroute.datasets.region_files import measure_situations as measure_situations
from snowroute.datasets.region_files import (
    write_region_network as write_region_network,
)
