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

__all__ = [
    "LANGS",
    "NOTICE_HEADS",
    "check_lang",
    "road_class_text",
    "template_environment",
    "texts",
]

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
        "direction": "Direction",
        "cross": "at",
        "turn.depart": "● Start on",
        "turn.straight": "↑ Straight on",
        "turn.slight_right": "↗ Bear right",
        "turn.right": "→ Turn right",
        "turn.sharp_right": "↘ Sharp right",
        "turn.slight_left": "↖ Bear left",
        "turn.left": "← Turn left",
        "turn.sharp_left": "↙ Sharp left",
        "turn.uturn": "↶ U-turn",
        "turn.uturn_dead_end": "↶ U-turn, dead end",
        "turn.": "",
        "pages": "Fits on 1-2 A4 pages; the table header repeats on each page.",
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
        "direction": "進行方向",
        "cross": "交差",
        "turn.depart": "● 出発",
        "turn.straight": "↑ 直進",
        "turn.slight_right": "↗ 斜め右",
        "turn.right": "→ 右折",
        "turn.sharp_right": "↘ 大きく右折",
        "turn.slight_left": "↖ 斜め左",
        "turn.left": "← 左折",
        "turn.sharp_left": "↙ 大きく左折",
        "turn.uturn": "↶ 転回",
        "turn.uturn_dead_end": "↶ 転回(行止)",
        "turn.": "",
        "pages": "A4 1～2 枚に収まります。表の見出しは各ページに繰り返します。",
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

#: What a road without a name is, by its road class (OSM highway), per language.
_ROAD_CLASSES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "motorway": "expressway",
        "trunk": "trunk road",
        "primary": "main road",
        "secondary": "main road",
        "tertiary": "local road",
        "unclassified": "minor road",
        "residential": "residential street",
        "living_street": "residential street",
        "service": "service road",
        "track": "track",
    },
    "ja": {
        "motorway": "自動車専用道路",
        "trunk": "幹線道路",
        "primary": "主要地方道",
        "secondary": "一般県道",
        "tertiary": "地域幹線道路",
        "unclassified": "一般道路",
        "residential": "生活道路",
        "living_street": "生活道路",
        "service": "構内道路",
        "track": "農道・林道",
    },
}


def road_class_text(road_class: str, lang: str) -> str:
    """Return what an unnamed road of ``road_class`` is called in ``lang``.

    >>> road_class_text("residential", "ja"), road_class_text("tertiary_link", "en")
    ('生活道路', 'local road')
    """
    check_lang(lang)
    key = road_class.removesuffix("_link")
    return _ROAD_CLASSES[lang].get(
        key, road_class or ("道路" if lang == "ja" else "road")
    )


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

#: Languages of the outputs.
LANGS: tuple[str, ...] = tuple(_SHEET)

_PARTS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "sheet": _SHEET,
    "map": _MAP,
    "report": _REPORT,
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
    lang: str, part: Literal["sheet", "map", "report"] = "sheet"
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
