"""map.html in a real browser: headless Chromium loads every layer without errors.

Chromium is the Debian package ``chromium``, installed by ``make system-tools``
(which ``make test`` runs first); the test skips only where it is absent.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from snowroute.outputs import plans_driven, save_outputs
from tests.outputs.chromium import check_page, chromium_path
from tests.outputs.conftest import XSS, XSS_DEPOT, Demo

# Record alert() calls before the page's own scripts run: an escaping bug in a
# popup (<img onerror=alert(3)>, <script>alert(1)</script>) would call it.
INIT = "window.__alerts = []; window.alert = (m) => window.__alerts.push(String(m));"

# Find the Leaflet map, open the popups and tooltips that carry hostile text and
# 20 others (Leaflet writes their HTML into the page as it opens them), and
# report what is on the page.
PROBE = """
(() => {
  const key = Object.keys(window).find(
    (k) => /^map_\\d+$/.test(k) && window[k] instanceof L.Map);
  const map = window[key];
  const popups = [];
  const tooltips = [];
  let others = 0;
  map.eachLayer((layer) => {
    const popup = layer.getPopup && layer.getPopup();
    const tooltip = layer.getTooltip && layer.getTooltip();
    const hostile = [popup, tooltip].some(
      (p) => p && String(p.getContent()).includes('alert('));
    if (!hostile && others++ >= 20) return;
    if (popup) {
      popup.options.autoPan = false;
      layer.openPopup();
      const node = popup.getElement();
      if (node) popups.push(node.textContent);
      layer.closePopup();
    }
    if (tooltip) {
      layer.openTooltip();
      const node = tooltip.getElement();
      if (node) tooltips.push(node.textContent);
      layer.closeTooltip();
    }
  });
  map.closePopup();
  const labels = Array.from(
    document.querySelectorAll('.leaflet-control-layers-selector + span'))
    .map((s) => s.textContent.trim());
  const box = (el) => el && el.getBoundingClientRect();
  const legend = box(document.getElementById('snowroute-legend'));
  const control = box(document.querySelector('.leaflet-control-layers'));
  const overlap = !!(legend && control && !(legend.right < control.left ||
      control.right < legend.left || legend.bottom < control.top ||
      control.bottom < legend.top));
  return {
    overlap: overlap,
    groups: Array.from(document.querySelectorAll(
      '.leaflet-control-layers-overlays details')).map(
        (d) => [d.querySelector('summary').textContent, d.open]),
    scale: Array.from(document.querySelectorAll('.leaflet-control-scale-line'))
      .map((e) => e.textContent),
    paths: document.querySelectorAll('path.leaflet-interactive').length,
    labels: labels,
    checked: Array.from(
      document.querySelectorAll('.leaflet-control-layers-selector'))
      .filter((c) => c.checked).length,
    legend: !!document.getElementById('snowroute-legend'),
    popups: popups,
    tooltips: tooltips,
    alerts: window.__alerts,
    zoom: map.getZoom(),
  };
})()
"""


@pytest.fixture(scope="module")
def browser() -> str:
    """Path of the chromium executable; skip where the package is absent."""
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Debian package chromium is not installed; `make test` installs it "
            "(make system-tools)"
        )
    return path


def test_map_loads_every_layer_in_headless_chromium_without_errors(
    browser: str, demo: Demo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("browser") / "out"
    from snowroute.network import load_boundaries
    from tests.helpers import ROOT

    boundaries = load_boundaries(ROOT / "networks" / "demo" / "boundaries.geojson")
    save_outputs(
        out,
        demo.G,
        demo.plans,
        exchanged=demo.exchanged,
        patrol_days=demo.patrol_days,
        lang="ja",
        boundaries=boundaries,
    )
    screenshot = out / "map-screenshot.png"
    report = check_page(
        (out / "map.html").as_uri(),
        expression=PROBE,
        screenshot=screenshot,
        init_script=INIT,
    )
    assert report.errors == []
    assert report.messages == []
    value = report.value
    # every plan and vehicle class has its toggle, plus the fixed layers
    routes = plans_driven(demo.plans)
    groups = {f"{r.plan} · {r.vehicle}" for r in routes}
    labels = value["labels"]
    for group in groups:
        assert any(label.startswith(group + " (") for label in labels), group
    for fixed in ("道路網", "交換区間", "基地", "市町村界"):
        assert fixed in labels
    assert sum(label.startswith("巡回 2026-12-") for label in labels) == 2
    assert value["legend"]
    # the layer list is grouped per plan (collapsible), the chosen plan open;
    # it does not cover the legend; the scale is metric only
    groups = dict(value["groups"])
    assert {"baseline", "swapped", "巡回", "基本レイヤ"} <= set(groups)
    assert groups["baseline"] is True  # no optimized/given plan: the first
    assert groups["swapped"] is False
    assert not value["overlap"]
    assert value["scale"]
    assert all(text.strip().endswith(("m", "km")) for text in value["scale"])
    keep_screenshot(screenshot)
    assert value["paths"] > 100  # the first plan's routes are drawn
    assert 10 <= value["zoom"] <= 16
    # hostile names are shown as text and never run
    assert value["alerts"] == []
    assert any(XSS in text for text in value["popups"])
    assert any(XSS_DEPOT in text for text in value["tooltips"])
    # a real picture: PNG, not blank
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000


def test_route_sheet_renders_in_headless_chromium(
    browser: str, demo: Demo, tmp_path: Path
) -> None:
    save_outputs(tmp_path, demo.G, demo.plans[2:3], lang="ja")
    (sheet,) = (tmp_path / "sheets").glob("*_1.html")
    report = check_page(
        sheet.as_uri(),
        expression="({rows: document.querySelectorAll('tbody tr').length,"
        " alerts: window.__alerts, text: document.body.textContent})",
        screenshot=tmp_path / "sheet.png",
        init_script=INIT,
    )
    assert report.errors == []
    assert report.value["rows"] > 10
    assert report.value["alerts"] == []
    assert XSS in report.value["text"]


def keep_screenshot(path: Path) -> None:
    """Copy a screenshot to $SNOWROUTE_SCREENSHOTS (when set) for a person to see."""
    import os
    import shutil

    folder = os.environ.get("SNOWROUTE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def test_every_demo_driver_sheet_turns_at_each_change_of_street_and_fits_2_a4(
    browser: str, demo: Demo, tmp_path: Path
) -> None:
    from snowroute.outputs import sheet_lines
    from snowroute.outputs.directions import TURNS

    save_outputs(tmp_path, demo.G, demo.plans, lang="ja")
    routes = plans_driven(demo.plans)
    longest = max(routes, key=lambda r: len(sheet_lines(demo.G, r)))
    for route in routes:
        lines = sheet_lines(demo.G, route, lang="ja")
        assert lines[0].turn == "depart"
        for before, line in itertools.pairwise(lines):
            if line.action == "refill" or before.action == "refill":
                continue
            if line.street != before.street:  # a change of street: an instruction
                assert line.turn in TURNS[1:], (route.stem, line)
    pages = {}
    for route in routes:
        sheet = tmp_path / "sheets" / f"{route.stem}.html"
        shot = tmp_path / f"sheet-{route.stem}.png"
        report = check_page(
            sheet.as_uri(),
            expression="document.querySelectorAll('table.lines tbody tr').length",
            screenshot=shot,
            pdf=tmp_path / f"{route.stem}.pdf",
            settle_s=0.1,
        )
        assert report.errors == []
        assert report.value == len(sheet_lines(demo.G, route))
        pages[route.stem] = report.pdf_pages
        if route is longest:
            keep_screenshot(shot)
    # the longest city route (about 300 lines) included
    assert all(1 <= n <= 2 for n in pages.values()), pages
    assert len(sheet_lines(demo.G, longest)) > 250


def test_patrol_sheet_of_a_day_with_an_inspection_names_the_structure(
    browser: str, demo: Demo, tmp_path: Path
) -> None:
    import dataclasses

    from snowroute.outputs import InspectionStop, PatrolDay, driven_routes

    day = demo.patrol_days[0]
    route = driven_routes(day.routes)[0]
    edge = next(leg.edge for leg in route.legs if leg.serving)
    bridge = InspectionStop("B07", "上町橋", "bridge", 40.0)
    patrol = PatrolDay(day.date, dataclasses.replace(day.routes, stops={edge: bridge}))
    save_outputs(tmp_path, demo.G, demo.plans[:1], patrol_days=[patrol], lang="ja")
    (sheet,) = (tmp_path / "sheets").glob("patrol-1-2026-12-01_*_1.html")
    shot = tmp_path / "patrol-sheet.png"
    report = check_page(
        sheet.as_uri(),
        expression="({text: document.body.textContent,"
        " inspect: document.querySelectorAll('tr.inspect').length})",
        screenshot=shot,
        pdf=tmp_path / "patrol-sheet.pdf",
    )
    keep_screenshot(shot)
    assert report.errors == []
    assert report.value["inspect"] == 1
    assert "上町橋 (橋梁 B07, 40 分)" in report.value["text"]
    assert "12月1日(火)" in report.value["text"]  # the day, in Japanese
    assert report.pdf_pages is not None
    assert report.pdf_pages <= 2
