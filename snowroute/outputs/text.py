"""The words of every output in English and Japanese, and the HTML templates.

One table per document (route sheets, web map, report; the findings notice is
bilingual), so a label is translated in one place; :func:`texts` checks the
language for every writer, and :func:`template_environment` renders every HTML page
(jinja2, autoescape on).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from jinja2 import Environment, PackageLoader

__all__ = ["LANGS", "NOTICE_HEADS", "check_lang", "template_environment", "texts"]

_SHEET: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Route sheet",
        "plan": "Plan",
        "vehicle": "Vehicle",
        "depot": "Depot",
        "served_by": "Crew of",
        "start": "Start",
        "return": "Back at depot",
        "work_km": "Working km",
        "drive_km": "Driving km",
        "total_km": "Total km",
        "duration": "Duration",
        "step": "#",
        "street": "Street",
        "action": "Action",
        "km": "km",
        "cum_km": "Total km",
        "until": "Until",
        "elapsed": "Elapsed",
        "owner": "Road of",
        "for_other": "plowed for them",
        "plow": "plow",
        "patrol": "patrol",
        "drive": "drive",
        "refill": "refill",
        "unnamed": "unnamed",
        "index": "Route sheets",
        "routes": "Routes",
        "print": "Print this page; each route starts on a new sheet.",
    },
    "ja": {
        "title": "作業経路表",
        "plan": "計画",
        "vehicle": "車両",
        "depot": "基地",
        "served_by": "担当",
        "start": "出発",
        "return": "帰着",
        "work_km": "作業距離 km",
        "drive_km": "回送距離 km",
        "total_km": "総距離 km",
        "duration": "所要時間",
        "step": "#",
        "street": "路線・道路名",
        "action": "作業",
        "km": "km",
        "cum_km": "累計 km",
        "until": "終了",
        "elapsed": "経過",
        "owner": "道路管理者",
        "for_other": "交換除雪",
        "plow": "除雪",
        "patrol": "巡回",
        "drive": "回送",
        "refill": "補給",
        "unnamed": "名称なし",
        "index": "作業経路表",
        "routes": "経路",
        "print": "印刷すると経路ごとに改ページされます。",
    },
}

_MAP: Mapping[str, Mapping[str, str]] = {
    "en": {
        "legend": "Legend",
        "served": "served (one colour per route)",
        "deadhead": "driving without serving",
        "exchanged": "exchanged section",
        "depot": "depot",
        "network": "road network",
        "depots": "Depots",
        "exchanged_layer": "Exchanged sections",
        "network_layer": "Road network",
        "tiles": "OpenStreetMap background (needs internet)",
        "road_of": "Road of",
        "served_by": "Served by",
        "route": "Route",
        "section": "Section",
        "vehicles": "Vehicles",
        "patrol": "Patrol",
    },
    "ja": {
        "legend": "凡例",
        "served": "作業区間（経路ごとに色分け）",
        "deadhead": "回送",
        "exchanged": "交換区間",
        "depot": "基地",
        "network": "道路網",
        "depots": "基地",
        "exchanged_layer": "交換区間",
        "network_layer": "道路網",
        "tiles": "OpenStreetMap 背景図（要インターネット）",
        "road_of": "道路管理者",
        "served_by": "作業担当",
        "route": "路線",
        "section": "区間",
        "vehicles": "車両",
        "patrol": "巡回",
    },
}

_REPORT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Snow clearing plans: report",
        "scenario": "Scenario",
        "plans": "Plans",
        "plan": "Plan",
        "deadhead_km": "Deadhead km",
        "service_km": "Plowed km",
        "total_hours": "Total hours",
        "vehicles": "Vehicles",
        "valid": "Checked",
        "yes": "valid",
        "no": "NOT valid",
        "saving": "Saving vs baseline (deadhead km, time %)",
        "whole_route": "whole route",
        "pooled_share": "Share of pooled saving",
        "per_admin": "Per administrator",
        "admin": "Administrator",
        "own_km": "Own roads km",
        "for_others_km": "For others km",
        "handed_over_km": "Handed over km",
        "finish": "Finish by priority class",
        "chart_deadhead": "Deadhead km per administrator by plan",
        "chart_hours": "Total hours by plan",
        "exchanged": "Exchanged sections",
        "route": "Route",
        "section": "Section",
        "from": "From",
        "to": "To",
        "km": "km",
        "comparison": "Exchange each way: published figures and this scenario",
        "label": "",
        "up": "Prefecture plows municipal roads",
        "down": "Municipalities plow prefectural roads",
        "routes": "routes",
        "deadhead_saved": "Deadhead saved km",
        "hours_saved": "Hours saved",
        "map": "Map",
        "violations": "Violations",
        "none": "none",
        "patrol": "Road patrol",
        "days": "days",
        "sections_compliant": "Sections meeting their frequency",
        "structures_scheduled": "Structures due and scheduled",
        "total_km": "Total km driven",
        "day_spread": "km per patrol day (min-max)",
        "date": "Date",
        "sections": "Sections",
        "structures": "Structures",
    },
    "ja": {
        "title": "除雪計画レポート",
        "scenario": "シナリオ",
        "plans": "計画",
        "plan": "計画",
        "deadhead_km": "回送距離 km",
        "service_km": "除雪距離 km",
        "total_hours": "総作業時間 h",
        "vehicles": "車両数",
        "valid": "検証",
        "yes": "適合",
        "no": "不適合",
        "saving": "基準計画からの削減（回送 km、時間 %）",
        "whole_route": "路線全体",
        "pooled_share": "共同化効果の達成率",
        "per_admin": "道路管理者別",
        "admin": "道路管理者",
        "own_km": "自管理道路 km",
        "for_others_km": "他管理者分 km",
        "handed_over_km": "委託した道路 km",
        "finish": "優先区分別の完了時刻",
        "chart_deadhead": "計画別・道路管理者別の回送距離 km",
        "chart_hours": "計画別の総作業時間 h",
        "exchanged": "交換区間",
        "route": "路線",
        "section": "区間",
        "from": "管理者",
        "to": "作業担当",
        "km": "km",
        "comparison": "交換除雪の規模：公表値と本シナリオ",
        "label": "",
        "up": "県が市町村道を除雪",
        "down": "市町村が県道を除雪",
        "routes": "路線",
        "deadhead_saved": "回送削減 km",
        "hours_saved": "時間削減 h",
        "map": "地図",
        "violations": "違反",
        "none": "なし",
        "patrol": "道路パトロール",
        "days": "日間",
        "sections_compliant": "頻度を満たす区間",
        "structures_scheduled": "点検予定の構造物（期限内）",
        "total_km": "総走行距離 km",
        "day_spread": "1日あたり走行距離 km（最小-最大）",
        "date": "日付",
        "sections": "区間数",
        "structures": "構造物",
    },
}

#: Column heads of a findings notice (Japanese and English together).
NOTICE_HEADS: tuple[str, ...] = (
    "日付 date",
    "種別 category",
    "程度 severity",
    "路線 route",
    "位置 lat, lon",
    "内容 note",
    "写真 photo",
)

_ACTUAL: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Plan against actual",
        "plan": "Plan",
        "shift_start": "Shift start",
        "points": "GPS fixes",
        "points_in": "read",
        "matched": "matched",
        "unmatched": "unmatched (far from any road or unmatchable)",
        "edges": "Edges (one direction each)",
        "driven": "driven",
        "plowed": "plowed",
        "missed": "planned, not plowed (missed)",
        "unplanned": "plowed, not planned",
        "finish": "Finish per priority class",
        "class": "Class",
        "planned_finish": "Planned",
        "actual_finish": "Actual",
        "deadline": "Deadline",
        "missed_edges": "Missed edges",
        "routes": "Routes",
        "vehicle": "Vehicle",
        "route": "Planned route",
        "admin": "Administrator",
        "share": "Planned edges plowed",
        "deadhead_planned": "Empty km planned",
        "deadhead_actual": "Empty km actual",
        "settlement": "Settlement of the exchange",
        "pair": "Partners",
        "a_for_b": "A plows B's roads",
        "b_for_a": "B plows A's roads",
        "agreed": "agreed",
        "actual": "actual",
        "routes_km_h": "routes / km / plow h",
        "net": "Net (A for B minus B for A)",
        "amount": "Amount",
        "pays": "pays",
        "even": "even",
        "differences": "Roads plowed for a partner: agreed against actual",
        "route_name": "Route",
        "owner": "Road of",
        "by": "Plowed by",
        "km_agreed": "km agreed",
        "km_actual": "km actual",
        "km_diff": "difference",
        "none": "none",
        "map": "Map: actual tracks beside the plan",
        "plan_layer": "Plan: roads to plow",
        "coverage_layer": "Actual: plowed",
        "empty_layer": "Actual: driven empty",
        "missed_layer": "Missed roads",
        "tracks_layer": "GPS tracks",
        "unmatched_layer": "Unmatched fixes",
    },
    "ja": {
        "title": "計画と実績の比較",
        "plan": "計画",
        "shift_start": "作業開始",
        "points": "GPS測位点",
        "points_in": "読込",
        "matched": "道路に対応",
        "unmatched": "対応なし（道路から遠い・対応不能）",
        "edges": "区間（方向別）",
        "driven": "走行",
        "plowed": "除雪",
        "missed": "計画どおり除雪されなかった区間",
        "unplanned": "計画外に除雪した区間",
        "finish": "優先度別の完了時刻",
        "class": "優先度",
        "planned_finish": "計画",
        "actual_finish": "実績",
        "deadline": "期限",
        "missed_edges": "未除雪区間",
        "routes": "ルート",
        "vehicle": "車両",
        "route": "計画ルート",
        "admin": "道路管理者",
        "share": "計画区間の除雪率",
        "deadhead_planned": "空走km（計画）",
        "deadhead_actual": "空走km（実績）",
        "settlement": "交換除雪の精算",
        "pair": "相手方",
        "a_for_b": "AがBの道路を除雪",
        "b_for_a": "BがAの道路を除雪",
        "agreed": "協定",
        "actual": "実績",
        "routes_km_h": "路線数 / km / 除雪時間",
        "net": "差引（A→B − B→A）",
        "amount": "精算額",
        "pays": "が支払う相手:",
        "even": "差引なし",
        "differences": "相手方の道路の除雪：協定と実績",
        "route_name": "路線",
        "owner": "道路管理者",
        "by": "除雪した者",
        "km_agreed": "協定km",
        "km_actual": "実績km",
        "km_diff": "差",
        "none": "なし",
        "map": "地図：実績の軌跡と計画",
        "plan_layer": "計画：除雪区間",
        "coverage_layer": "実績：除雪",
        "empty_layer": "実績：空走",
        "missed_layer": "未除雪区間",
        "tracks_layer": "GPS軌跡",
        "unmatched_layer": "対応のない測位点",
    },
}

#: Languages of the outputs.
LANGS: tuple[str, ...] = tuple(_SHEET)

_PARTS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "sheet": _SHEET,
    "map": _MAP,
    "report": _REPORT,
    "actual": _ACTUAL,
}


def check_lang(lang: str) -> None:
    """Check that ``lang`` is one of :data:`LANGS`.

    Raises
    ------
    ValueError
        When it is not.
    """
    if lang not in LANGS:
        msg = f"`lang` must be one of {', '.join(LANGS)}, got {lang!r}."
        raise ValueError(msg)


def texts(
    lang: str, part: Literal["sheet", "map", "report", "actual"] = "sheet"
) -> Mapping[str, str]:
    """Interface texts of one document (``part``) in ``lang`` (``en`` or ``ja``).

    >>> texts("ja")["plow"], texts("en", "map")["depot"]
    ('除雪', 'depot')

    Raises
    ------
    ValueError
        When ``lang`` is neither.
    """
    check_lang(lang)
    return _PARTS[part][lang]


def template_environment() -> Environment:
    """Return the jinja2 environment of the HTML outputs (autoescape on)."""
    return Environment(
        loader=PackageLoader("snowroute.outputs", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
