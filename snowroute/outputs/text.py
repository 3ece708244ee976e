"""The words of every output in English and Japanese, and the HTML templates.

One table per document (route sheets, web map, report; the findings notice is
bilingual), so a label is translated in one place; :func:`texts` checks the
language for every writer, and :func:`template_environment` renders every HTML page
(jinja2, autoescape on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

from babel.dates import format_date
from jinja2 import Environment, PackageLoader

__all__ = [
    "LANGS",
    "NOTICE_HEADS",
    "PLAN_TEXTS",
    "PRIORITY_TEXTS",
    "REFERENCE_PLANS",
    "check_lang",
    "date_text",
    "fiscal_year_text",
    "plan_name",
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
        "inspect": "inspect",
        "kind.bridge": "bridge",
        "kind.tunnel": "tunnel",
        "min": "min",
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
        "inspect": "点検",
        "kind.bridge": "橋梁",
        "kind.tunnel": "トンネル",
        "min": "分",
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
        "boundaries": "Municipal boundaries",
        "other_layers": "Base layers",
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
        "boundaries": "市町村界",
        "other_layers": "基本レイヤ",
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
        "attributable": "{hours:+.2f} h against its reference (same search effort)",
        "price_of_fairness": (
            "Price of fairness: the best exchange without the balance rule saves "
            "{hours:.2f} h and {km:.1f} km deadhead more than the optimised one."
        ),
        "whole_route": "whole route",
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
        "road_share": "share of road km",
        "road_share_note": "Share: km handed over as a share of the road km of the "
        "administrators handing them over.",
        "between_note": "Lines between two municipalities count the first way "
        "towards the smaller municipal code.",
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
        "headline": "In short",
        "headline_saving": (
            "The {plan} saves {km:.1f} km of empty driving and {hours:.2f} "
            "vehicle-hours ({pct:.1f} %) per snowfall"
        ),
        "headline_season": ", {season_h:.1f} h and {season_km:.0f} km per season of {days} plowing days",
        "headline_none": "No exchange plan improves on each administrator plowing its own roads",
        "headline_noise": (
            "The {plan} would save {hours:.2f} vehicle-hours per snowfall, inside the "
            "search's own noise ({band:.2f} h over {seeds} seeds): not a significant "
            "saving"
        ),
        "headline_band": " (beyond the search's noise band of {band:.2f} h over {seeds} seeds)",
        "headline_finish_ok": "Every priority class is cleared by its deadline.",
        "headline_finish_missed": "{n} priority class deadline(s) missed: see the finish times.",
        "headline_balance_ok": "The partners' km stay balanced.",
        "headline_balance_bad": "{n} partner pair(s) out of balance: see the balance table.",
        "assumptions": "Assumptions",
        "fleet": "Fleet",
        "vehicle_class": "Vehicle class",
        "kind": "Kind",
        "count": "Count",
        "depot": "Depot",
        "plow_speed": "Plowing km/h",
        "deadhead_speed": "Driving km/h",
        "shift_h": "Shift h",
        "start_time": "Shift starts",
        "deadlines": "Deadlines",
        "trigger": "Call-out",
        "trigger_text": "one plowing run after a snowfall (the scenario's description says when)",
        "plowing_days": "Plowing days per season",
        "tolerance": "Balance tolerance",
        "tolerance_text": "km given and received per partner pair differ by at most {pct:.0f} % of the larger",
        "tolerance_text_hours": "plow-hours given and received per partner pair (at the taker's fleet speeds) differ by at most {pct:.0f} % of the larger",
        "unit": "Unit exchanged",
        "unit_route": "whole routes (路線)",
        "unit_section": "route sections",
        "engine": "Routing",
        "plans_explained": "The plans",
        "balance": "Balance between partners",
        "balance_note": "Whether each partner pair gives and receives about the same km; separate from the plan check (constraints).",
        "pair": "Partners",
        "a_to_b": "km plowed by B for A",
        "b_to_a": "km plowed by A for B",
        "difference": "Difference",
        "verdict": "Balance",
        "balanced": "balanced",
        "unbalanced": "OUT OF TOLERANCE",
        "no_exchange": "no exchange",
        "finish_title": "Finish time per priority class",
        "deadline": "Deadline",
        "finished": "Last road cleared",
        "met": "met",
        "missed": "MISSED",
        "no_deadline": "no deadline",
        "reference_finish": "Same-effort reference (the service rule's yardstick)",
        "agreement": "Exchange list",
        "agreement_note": "Laid out like the agreement: who plows whose road.",
        "number": "No.",
        "direction": "{frm} roads plowed by {to}",
        "subtotal": "Subtotal",
        "plow_hours": "Plow-hours",
        "figure": "Map of the exchanged sections",
        "figure_note": "Numbers as in the exchange list; colour: who takes the road over.",
        "appendix": "Appendix",
        "appendix_pooled": "Pooled plan: every road and who plows it",
        "calendar": "Patrol calendar: which section is patrolled on which day",
        "day_off": "day off",
        "holiday": "public holiday",
        "route_or_section": "Section",
        "metres": "m",
        "kind.plow_truck": "plow truck",
        "kind.grader": "motor grader",
        "kind.dozer": "wheel-loader dozer",
        "kind.rotary": "rotary blower",
        "kind.spreader": "spreader",
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
        "attributable": "同じ探索量の比較対象に対し {hours:+.2f} 時間",
        "price_of_fairness": (
            "公平性の代価：均衡条件なしの最良の交換は、最適化案より {hours:.2f} 時間、"
            "回送 {km:.1f} km 多く削減します。"
        ),
        "whole_route": "路線全体",
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
        "road_share": "管理延長比",
        "road_share_note": "管理延長比：引き渡す道路管理者の管理延長に対する延長の割合。",
        "between_note": "市町村間の行は、コードの小さい市町村への交換を先に示す。",
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
        "headline": "要旨",
        "headline_saving": (
            "{plan}により、1回の出動あたり回送距離 {km:.1f} km、作業時間 {hours:.2f} "
            "時間（{pct:.1f} %）を削減できます"
        ),
        "headline_season": "（1シーズン {days} 日の出動で {season_h:.1f} 時間、{season_km:.0f} km）",
        "headline_none": "各管理者が自らの道路を除雪する現行の計画を改善する交換計画はありません",
        "headline_noise": (
            "{plan}の削減量（1回の出動あたり {hours:.2f} 時間）は経路探索自体のばらつき"
            "（{seeds} 通りの乱数で {band:.2f} 時間）の範囲内で、有意な削減とはいえません"
        ),
        "headline_band": "（経路探索のばらつき {band:.2f} 時間（{seeds} 通りの乱数）を上回る削減）",
        "headline_finish_ok": "すべての優先区分が期限までに除雪を完了します。",
        "headline_finish_missed": "{n} 件の優先区分で期限に間に合いません（完了時刻の表を参照）。",
        "headline_balance_ok": "交換する距離は相手方ごとに均衡しています。",
        "headline_balance_bad": "{n} 組の相手方で交換距離が許容範囲を超えています（均衡表を参照）。",
        "assumptions": "前提条件",
        "fleet": "車両",
        "vehicle_class": "車種",
        "kind": "種別",
        "count": "台数",
        "depot": "基地",
        "plow_speed": "作業速度 km/h",
        "deadhead_speed": "回送速度 km/h",
        "shift_h": "勤務時間 h",
        "start_time": "出動時刻",
        "deadlines": "完了期限",
        "trigger": "出動",
        "trigger_text": "降雪後の1回の除雪出動（出動基準はシナリオの説明による）",
        "plowing_days": "1シーズンの出動日数",
        "tolerance": "均衡の許容範囲",
        "tolerance_text": "相手方ごとの受託距離と委託距離の差が大きい方の {pct:.0f} % 以内",
        "tolerance_text_hours": "相手方ごとの受託と委託の作業時間（引き受ける側の車両による）の差が大きい方の {pct:.0f} % 以内",
        "unit": "交換の単位",
        "unit_route": "路線単位",
        "unit_section": "区間単位",
        "engine": "経路計算",
        "plans_explained": "比較する計画",
        "balance": "相手方ごとの均衡",
        "balance_note": "相手方ごとに受託と委託の距離が釣り合っているかを示します（制約の検証とは別の判定です）。",
        "pair": "相手方",
        "a_to_b": "Bが除雪するAの道路 km",
        "b_to_a": "Aが除雪するBの道路 km",
        "difference": "差",
        "verdict": "均衡",
        "balanced": "均衡",
        "unbalanced": "許容範囲外",
        "no_exchange": "交換なし",
        "finish_title": "優先区分別の完了時刻",
        "deadline": "期限",
        "finished": "完了時刻",
        "met": "達成",
        "missed": "未達",
        "no_deadline": "期限なし",
        "reference_finish": "同じ探索量の比較対象（サービス水準の判定基準）",
        "agreement": "交換除雪路線一覧",
        "agreement_note": "協定書の様式：どの管理者の道路をどの管理者が除雪するか。",
        "number": "番号",
        "direction": "{frm}の道路を{to}が除雪",
        "subtotal": "小計",
        "plow_hours": "除雪時間 h",
        "figure": "交換区間図",
        "figure_note": "番号は交換除雪路線一覧の番号。色は除雪を引き受ける管理者。",
        "appendix": "付録",
        "appendix_pooled": "共同化（参考）：全道路と除雪担当",
        "calendar": "パトロール日程表：区間ごとの巡回日",
        "day_off": "休み",
        "holiday": "祝日",
        "route_or_section": "区間",
        "metres": "m",
        "kind.plow_truck": "除雪トラック",
        "kind.grader": "モーターグレーダ",
        "kind.dozer": "除雪ドーザ",
        "kind.rotary": "ロータリ除雪車",
        "kind.spreader": "凍結防止剤散布車",
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


#: Plan names and what each plan is, per language.
#: Plans that are references for the exchange, not agreements between partners.
REFERENCE_PLANS = ("unbalanced", "pooled", "pooled_equal_speed")

PLAN_TEXTS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "en": {
        "baseline": (
            "Baseline",
            "Each administrator plows its own roads with its own fleet (today).",
        ),
        "given": (
            "Agreed list",
            "The exchange list of the scenario, as agreed between the partners.",
        ),
        "optimized": (
            "Optimised exchange",
            "The exchange found to save the most (less the administrative cost per "
            "agreement line) while every partner pair stays balanced and no "
            "priority class is cleared later.",
        ),
        "unbalanced": (
            "Without the balance rule (reference)",
            "The best exchange if partners did not have to give and take alike: "
            "its saving less the optimised one's is the price of fairness.",
        ),
        "pooled": (
            "Pooled (reference)",
            "Every fleet may plow every road at its own speeds: it gains mostly "
            "where one fleet is faster; a reference, not a target for an exchange "
            "between equals.",
        ),
        "pooled_equal_speed": (
            "Pooled at equal speeds (reference)",
            "The same with every fleet at the same speeds, against each "
            "administrator on its own roads at those speeds: what sharing roads "
            "alone is worth.",
        ),
        "swapped": ("Swapped", "A plan with sections handed over."),
        "patrol": ("Patrol", "Road patrol routes of one day."),
    },
    "ja": {
        "baseline": (
            "現行",
            "各道路管理者が自らの車両で自らの道路を除雪します（現状）。",
        ),
        "given": ("協定案", "シナリオの交換除雪路線一覧（相手方と合意した案）です。"),
        "optimized": (
            "最適化案",
            "相手方ごとの均衡を保ちつつ、作業時間が最も短くなる交換です。",
        ),
        "unbalanced": (
            "均衡条件なし（参考）",
            "相手方との均衡を問わない場合の最良の交換です。その削減と最適化案の削減の差が"
            "公平性の代価です。",
        ),
        "pooled": (
            "共同化（参考）",
            "すべての車両が自らの速度ですべての道路を除雪できるとした場合です。速い車両の"
            "効果が大半で、対等な交換の目標ではなく参考値です。",
        ),
        "pooled_equal_speed": (
            "同一速度での共同化（参考）",
            "すべての車両を同じ速度とした共同化を、同じ速度で各自の道路を除雪する場合と"
            "比べたもので、道路の共有だけの効果です。",
        ),
        "swapped": ("交換案", "区間を交換した計画です。"),
        "patrol": ("巡回", "1日の道路パトロール経路です。"),
    },
}

#: Priority classes (雪みちネットワーク) per language.
PRIORITY_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "emergency": "Emergency routes",
        "arterial": "Main arterials",
        "collector": "Local arterials",
        "local": "Residential roads",
    },
    "ja": {
        "emergency": "緊急路線",
        "arterial": "主要幹線",
        "collector": "生活幹線",
        "local": "一般生活道路",
    },
}


def plan_name(plan: str, lang: str) -> str:
    """Display name of plan ``plan`` (its id where unknown).

    >>> plan_name("optimized", "ja"), plan_name("patrol-1", "en")
    ('最適化案', 'patrol-1')
    """
    check_lang(lang)
    return PLAN_TEXTS[lang].get(plan, (plan, ""))[0]


def fiscal_year_text(year: int, lang: str) -> str:
    """Write a Japanese fiscal year (April to March): 平成20年度 or FY2008.

    >>> fiscal_year_text(2008, "ja"), fiscal_year_text(2019, "ja")
    ('平成20年度', '令和元年度')
    >>> fiscal_year_text(2008, "en")
    'FY2008'
    """
    check_lang(lang)
    if lang == "en":
        return f"FY{year}"
    era, first = ("令和", 2019) if year >= 2019 else ("平成", 1989)
    number = year - first + 1
    return f"{era}{'元' if number == 1 else number}年度"


def date_text(date: dt.date, lang: str) -> str:
    """Write a date as people do: 12月1日(火) or Tue 1 Dec (Babel, CLDR data).

    >>> date_text(dt.date(2026, 12, 1), "ja"), date_text(dt.date(2026, 12, 1), "en")
    ('12月1日(火)', 'Tue 1 Dec')
    """
    check_lang(lang)
    pattern = "M月d日(E)" if lang == "ja" else "EEE d MMM"
    return str(format_date(date, pattern, locale=lang))


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
