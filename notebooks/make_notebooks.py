"""Write the notebooks of this folder from their cells (outputs stripped).

Run ``python notebooks/make_notebooks.py`` after editing a cell below; the tests
execute the notebooks and check the committed files equal what this script writes.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

EXCHANGE = [
    new_markdown_cell(
        """# Exchange study (交換除雪) on the demo scenario

A council planner's question: *what does this winter's agreed exchange list save,
and is there a better one that stays fair between the prefecture and each
municipality?* This notebook runs the `given` list of
`scenarios/demo-h21-like.toml` (an H21-style agreement: the prefecture takes the
hamlet roads hanging off its routes, the towns take the prefectural spurs inside
them) beside the baseline (everyone plows only their own roads) and the optimised
exchange, and compares them with Akita prefecture's H20/H21 figures.

The routing budget is cut to keep the notebook quick; `snowroute run` with the
scenario's own budget gives the figures of record."""
    ),
    new_code_cell(
        """import dataclasses

import pandas as pd

import snowroute

scenario = snowroute.scenario_from_toml("../scenarios/demo-h21-like.toml")
# A small, fixed search budget: quick, and the same figures on every machine.
solver = dataclasses.replace(scenario.solver, max_iterations=150, time_limit_s=20)
scenario = dataclasses.replace(scenario, solver=solver)
G = snowroute.graph_from_scenario(scenario)
print(scenario.description)"""
    ),
    new_code_cell(
        """plans = ["baseline", "given", "optimized"]
result = snowroute.run_exchange(G, scenario, plans=plans)
summary = result.to_dict()
plans = pd.DataFrame(
    {
        name: {
            "deadhead km": p["deadhead_km"],
            "plowed km": p["service_km"],
            "total hours": p["total_hours"],
            "valid": p["valid"],
            "units exchanged": len(p["exchanged"]),
        }
        for name, p in summary["plans"].items()
    }
).T
plans"""
    ),
    new_markdown_cell(
        """## The ledger per administrator

Own roads plowed, roads plowed for others, roads handed over, deadhead and hours:
what each partner gives and gets."""
    ),
    new_code_cell(
        """rows = []
for name, p in summary["plans"].items():
    for admin, row in p["per_admin"].items():
        rows.append(
            {
                "plan": name,
                "admin": admin,
                "own km": row["own_km"],
                "for others km": row["for_others_km"],
                "handed over km": row["handed_over_km"],
                "deadhead km": row["deadhead_km"],
                "hours": row["total_hours"],
            }
        )
ledger = pd.DataFrame(rows).set_index(["plan", "admin"])
ledger.round(2)"""
    ),
    new_markdown_cell(
        """## What changes hands, and is it fair?

Each exchange line reads like an agreement: a route (or a section of it), its
owner, who plows it and its length. The balance rule keeps the km given and
received by every partner pair within the scenario's tolerance."""
    ),
    new_code_cell(
        """for name in ("given", "optimized"):
    p = summary["plans"][name]
    print(f"{name}: {len(p['exchanged'])} exchange lines")
    for line in p["exchanged"][:10]:
        print(f"  {line['route_id']:<32} {line['from_admin']} -> {line['to_admin']}"
              f"  {line['km']:.2f} km")
    for pair, b in (p.get("balance") or {}).items():
        print(f"  balance {pair}: {b}")"""
    ),
    new_markdown_cell(
        """## Against the prefecture's published figures

H20 (FY2008) and H21 (FY2009 plan), routes (路線) and km each way, beside this
scenario's plans and the deadhead each saves."""
    ),
    new_code_cell("""print(result.comparison_text())"""),
    new_code_cell(
        """baseline = summary["plans"]["baseline"]
for name in ("given", "optimized"):
    p = summary["plans"][name]
    saved = baseline["deadhead_km"] - p["deadhead_km"]
    print(f"{name}: deadhead {p['deadhead_km']:.1f} km ({saved:+.1f} km saved), "
          f"{p['total_hours']:.2f} h; every route checked: {p['valid']}")
assert all(p["valid"] for p in summary["plans"].values())"""
    ),
]

GIS = [
    new_markdown_cell(
        """# GIS walk-through: the layers of a run

What GIS staff get from `snowroute run`: a GeoPackage in a projected CRS with
documented layers (`outputs.md` lists every field), GeoJSON copies, GPX tracks and
route sheets. This notebook makes a small run of the demo scenario (baseline plan,
small search budget), then opens the layers with geopandas."""
    ),
    new_code_cell(
        """import dataclasses
import tempfile
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pyogrio

import snowroute

scenario = snowroute.scenario_from_toml("../scenarios/demo.toml")
solver = dataclasses.replace(scenario.solver, max_iterations=150, time_limit_s=20)
scenario = dataclasses.replace(scenario, solver=solver)
result = snowroute.run_scenario(scenario, plans=["baseline"])
out = Path(tempfile.mkdtemp()) / "run"
files = snowroute.write_run(result, out)
print(len(files), "files in", out)"""
    ),
    new_code_cell(
        """gpkg = out / "routes.gpkg"
pyogrio.list_layers(gpkg)"""
    ),
    new_code_cell(
        """served = gpd.read_file(gpkg, layer="served_edges")
deadhead = gpd.read_file(gpkg, layer="deadhead")
print(served.crs)
served.groupby(["served_by", "vehicle"])["length_m"].sum().div(1000).round(2)"""
    ),
    new_code_cell(
        """fig, ax = plt.subplots(figsize=(8, 8))
served.plot(ax=ax, column="served_by", linewidth=1.5, legend=True)
deadhead.plot(ax=ax, color="grey", linewidth=0.6, linestyle="--")
gpd.read_file(gpkg, layer="depots").plot(ax=ax, color="black", markersize=40)
ax.set_title("Baseline plan: plowed roads by administrator, deadhead dashed")
ax.set_axis_off()"""
    ),
    new_code_cell(
        """outlines = gpd.read_file(gpkg, layer="route_outlines")
outlines.drop(columns="geometry").head()"""
    ),
    new_markdown_cell(
        """GPX tracks (one per vehicle route) go to a navigation unit; route sheets list
the streets in driving order for the driver."""
    ),
    new_code_cell(
        """import pandas as pd

print(sorted(p.name for p in (out / "gpx").glob("*.gpx"))[:5])
sheet = sorted((out / "sheets").glob("*.csv"))[0]
pd.read_csv(sheet, encoding="utf-8-sig").head(8)"""
    ),
    new_code_cell(
        """# the GeoJSON copies are in WGS84 for web tools
web = gpd.read_file(out / "geojson" / "served_edges.geojson")
assert web.crs.to_epsg() == 4326
assert len(web) == len(served)
print(len(web), "served edges")"""
    ),
]


def _write(name: str, cells: list[object]) -> Path:
    nb = new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids keep the files reproducible
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = HERE / name
    nbformat.write(nb, path)
    return path


def notebooks() -> dict[str, list[object]]:
    """Notebook file name → its cells."""
    return {"exchange_study.ipynb": EXCHANGE, "gis_walkthrough.ipynb": GIS}


if __name__ == "__main__":
    for name, cells in notebooks().items():
        print(_write(name, cells))
