from pathlib import Path

import pytest

from snowroute._errors import TaggingError
from snowroute.network.rules import load_rules

JAPAN = load_rules("japan")
WISCONSIN = load_rules("wisconsin")


@pytest.mark.parametrize(
    ("tags", "admin", "kind", "ref"),
    [
        ({"highway": "trunk", "ref": "７"}, "mlit", "national", "7"),
        ({"highway": "trunk", "ref": "285"}, "05", "national", "285"),
        ({"highway": "trunk_link", "ref": "46"}, "mlit", "national", "46"),
        ({"highway": "primary", "ref": "13"}, "05", "prefectural_major", "13"),
        ({"highway": "secondary", "ref": "２３３"}, "05", "prefectural", "233"),
        (
            {"highway": "secondary", "name": "県道２８号"},
            "05",
            "prefectural_major",
            "28",
        ),
        (
            {"highway": "residential", "ref": "1", "name": "市道1号線"},
            "@boundary",
            "municipal",
            "",
        ),
        ({"highway": "primary", "name": "中央通り"}, "@boundary", "municipal", ""),
        ({"highway": "motorway", "ref": "E7"}, "nexco", "expressway", "E7"),
        (
            {"highway": "motorway", "name": "日本海東北自動車道"},
            "nexco",
            "expressway",
            "",
        ),
        ({"highway": "motorway_link"}, "nexco", "expressway", ""),
        ({"highway": "trunk", "ref": "56;13"}, "mlit", "national", "13"),
        (
            {"highway": "tertiary", "rel_routes": "JP:national=101"},
            "05",
            "national",
            "101",
        ),
        (
            {"highway": "tertiary", "rel_routes": "JP:prefectural:akita=56"},
            "05",
            "prefectural_major",
            "56",
        ),
        # a relation of another prefecture is not ours
        (
            {"highway": "tertiary", "rel_routes": "JP:prefectural:aomori=56"},
            "@boundary",
            "municipal",
            "",
        ),
    ],
)
def test_japan_rules_classify(
    tags: dict[str, str], admin: str, kind: str, ref: str
) -> None:
    got = JAPAN.classify(tags)
    assert (got.admin_id, got.route_kind, got.route_ref) == (admin, kind, ref)


@pytest.mark.parametrize(
    ("tags", "admin", "ref"),
    [
        ({"highway": "primary", "ref": "US 12;US 14;CTH M"}, "WI", "US 12"),
        ({"highway": "secondary", "ref": "CTH M;CTH Q"}, "dane", "CTH M"),
        ({"highway": "secondary", "ref": "WIS 113"}, "WI", "WIS 113"),
        ({"highway": "motorway_link"}, "WI", ""),
        ({"highway": "residential", "name": "Elm Street"}, "@boundary", ""),
    ],
)
def test_wisconsin_rules_classify(tags: dict[str, str], admin: str, ref: str) -> None:
    got = WISCONSIN.classify(tags)
    assert (got.admin_id, got.route_ref) == (admin, ref)


def test_motorway_bypass_joins_a_national_route_seen_elsewhere() -> None:
    rows = [{"highway": "trunk", "ref": "285"}, {"highway": "motorway", "ref": "285"}]
    bypass = JAPAN.classify_all(rows)[1]
    assert (bypass.admin_id, bypass.route_kind, bypass.route_ref) == (
        "05",
        "national",
        "285",
    )
    alone = JAPAN.classify({"highway": "motorway", "ref": "285"})
    assert alone.route_kind == "prefectural"  # without the evidence it is a 県道


def test_mlit_routes_are_configurable_per_prefecture() -> None:
    aomori = load_rules("japan", prefecture_code="02", mlit_routes="4,7,45")
    got = aomori.classify({"highway": "trunk", "ref": "4"})
    assert (got.admin_id, got.route_kind) == ("mlit", "national")
    got = aomori.classify({"highway": "trunk", "ref": "13"})
    assert got.admin_id == "02"


def test_unknown_parameter_is_rejected() -> None:
    with pytest.raises(TaggingError, match="no parameter `prefcode`"):
        load_rules("japan", prefcode="05")


_HEADER = """
name = "t"
[params]
p = "x"
[defaults]
speed_kph = {residential = 30}
service_grade = {residential = 3}
priority = {residential = "local"}
"""


@pytest.mark.parametrize(
    ("rules", "match"),
    [
        # bad regex
        (
            '[[rules]]\nid="a"\nref="("\nset={admin_class="c",admin_id="i",route_kind="k",route_ref="",route_name=""}',
            "not a valid regex",
        ),
        # template names neither a parameter nor a regex group
        (
            '[[rules]]\nid="a"\nset={admin_class="c",admin_id="{nope}",route_kind="k",route_ref="",route_name=""}',
            "`{nope}`",
        ),
        # unknown condition key
        (
            '[[rules]]\nid="a"\nhighways=["x"]\nset={admin_class="c",admin_id="i",route_kind="k",route_ref="",route_name=""}',
            "unknown key `highways`",
        ),
        # `set` misses a field
        ('[[rules]]\nid="a"\nset={admin_class="c"}', "`set` must give exactly"),
        # num_in names a missing list
        (
            '[[rules]]\nid="a"\nref="(?P<num>\\\\d+)"\nnum_in="lst"\nset={admin_class="c",admin_id="i",route_kind="k",route_ref="",route_name=""}',
            "unknown parameter `lst`",
        ),
        # two rules with one id
        (
            '[[rules]]\nid="a"\nset={admin_class="c",admin_id="i",route_kind="k",route_ref="",route_name=""}\n[[rules]]\nid="a"\nset={admin_class="c",admin_id="i",route_kind="k",route_ref="",route_name=""}',
            "two rules named `a`",
        ),
        # no rules at all
        ("", "no `\\[\\[rules\\]\\]`"),
    ],
)
def test_malformed_rule_files_name_the_rule_and_field(
    tmp_path: Path, rules: str, match: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(_HEADER + rules, encoding="utf-8")
    with pytest.raises(TaggingError, match=match):
        load_rules(path)


def test_rule_file_that_is_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("name = [", encoding="utf-8")
    with pytest.raises(TaggingError, match="not valid TOML"):
        load_rules(path)


def test_unknown_rule_set_name() -> None:
    with pytest.raises(TaggingError, match="neither built in"):
        load_rules("atlantis")
