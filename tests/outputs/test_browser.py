"""map.html in a real browser: headless Chromium loads every layer without errors.

Chromium is the Debian package ``chromium``, installed by ``make system-tools``
(which ``make test`` runs first); the test skips only where it is absent.
"""

from __future__ import annotations

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
  return {
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
    save_outputs(
        out,
        demo.G,
        demo.plans,
        exchanged=demo.exchanged,
        patrol_days=demo.patrol_days,
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
    for fixed in ("Road network", "Exchanged sections", "Depots"):
        assert fixed in labels
    assert sum(label.startswith("Patrol 2026-12-") for label in labels) == 2
    assert value["legend"]
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
