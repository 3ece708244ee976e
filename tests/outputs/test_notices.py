from pathlib import Path

from snowroute.outputs.notices import COLUMNS, notice_html, save_notices


def _row(**kw: str) -> dict[str, str]:
    base = dict.fromkeys(COLUMNS, "")
    base.update(finding="1", date="2026-12-02", lat="39.7", lon="140.1")
    base.update(category="pothole", category_ja="ポットホール", route_id="r1")
    return {**base, **kw}


def test_a_notice_lists_findings_by_date_and_escapes_text() -> None:
    rows = [_row(finding="2", date="2026-12-03"), _row(note="<b>deep</b> & wide")]
    page = notice_html("05201", rows, admin_name="秋田市", sender="秋田県 (05)")
    assert "宛先 To: 秋田市 (05201)" in page
    assert "&lt;b&gt;deep&lt;/b&gt; &amp; wide" in page
    assert page.index("2026-12-02") < page.index("2026-12-03")
    assert "件数 Findings: 2" in page


def test_save_notices_writes_every_list(tmp_path: Path) -> None:
    counts = {"findings": 3, "to_municipalities": {"05201": 1}}
    save_notices(
        {"05201": [_row()]},
        [_row(finding="2")],
        [_row(finding="3", reason="no road")],
        counts,
        tmp_path,
        sender="patrol",
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "findings_summary.json",
        "notice_05201.csv",
        "notice_05201.html",
        "other_roads.csv",
        "unmatched.csv",
    ]
    assert (tmp_path / "unmatched.csv").read_text(encoding="utf-8").count("\n") == 2
