"""Numbers come from the tree: consecutive, per level, never typed."""

from __future__ import annotations

from reportgen.document.html_parser import parse_html
from reportgen.document.model import Figure, Heading, ListBlock, RunIn, Table
from reportgen.document.numbering import number_document

CHART = ('<figure class="chart" data-chart=\'{"chart": "bar", "title": "t", '
         '"categories": ["a"], "series": [["s", [1]]]}\'><figcaption>c</figcaption></figure>')
TABLE = "<table><caption>t</caption><tbody><tr><td>x</td></tr></tbody></table>"


def numbered(html: str) -> list:
    return number_document(parse_html(f"<html><body>{html}</body></html>")).blocks


def test_headings_count_per_level_and_reset_deeper_levels() -> None:
    blocks = numbered("<h2>a</h2><h3>b</h3><h3>c</h3><h4>d</h4><h2>e</h2><h3>f</h3><h5>g</h5>")
    assert [b.number for b in blocks if isinstance(b, Heading)] == [
        "一、", "（一）", "（二）", "1.", "二、", "（一）", "（1）"]


def test_runins_take_the_level_below_the_last_heading() -> None:
    blocks = numbered('<h2>a</h2><p class="runin"><b>x</b>t</p><p class="runin"><b>y</b>t</p>'
                      '<h2>b</h2><p class="runin"><b>z</b>t</p>')
    runins = [b for b in blocks if isinstance(b, RunIn)]
    assert [(r.level, r.number) for r in runins] == [(2, "（一）"), (2, "（二）"), (2, "（一）")]


def test_lists_take_the_level_below_the_last_runin_and_restart() -> None:
    blocks = numbered('<h2>a</h2><p class="runin"><b>x</b></p><ol><li>1</li><li>2</li></ol>'
                      '<p class="runin"><b>y</b></p><ol><li>3</li></ol>')
    lists = [b for b in blocks if isinstance(b, ListBlock)]
    assert [[i.number for i in lst.items] for lst in lists] == [["1.", "2."], ["1."]]
    assert [b.number for b in blocks if isinstance(b, RunIn)] == ["（一）", "（二）"]


def test_dropping_a_section_moves_the_following_ones_up() -> None:
    blocks = numbered("<h2>现状</h2><h2>问题</h2><h2>建议</h2>")
    assert [b.number + b.text for b in blocks] == ["一、现状", "二、问题", "三、建议"]


def test_tables_and_figures_are_counted_through_the_document() -> None:
    blocks = numbered(f"<h2>a</h2>{TABLE}{CHART}<h2>b</h2>{TABLE}{CHART}{CHART}")
    assert [b.label for b in blocks if isinstance(b, Table)] == ["表1", "表2"]
    assert [b.label for b in blocks if isinstance(b, Figure)] == ["图1", "图2", "图3"]


def test_four_levels_with_explicit_levels_for_nested_items() -> None:
    # 一、section （一）finding 1. its item （1）the item's item; then a list of measures of a
    # level-3 item, and the next finding resets the deeper levels.
    blocks = numbered(
        '<h2>问题</h2><p class="runin"><b>a</b></p>'
        '<p class="runin" data-level="3"><b>b</b></p>'
        '<p class="runin" data-level="4"><b>c</b></p><p class="runin" data-level="4"><b>d</b></p>'
        '<p class="runin" data-level="3"><b>e</b></p><ol data-level="4"><li>m</li><li>n</li></ol>'
        '<p class="runin"><b>f</b></p><p class="runin" data-level="3"><b>g</b></p>'
        "<ol><li>o</li></ol>")
    runins = [(b.level, b.number + b.heading) for b in blocks if isinstance(b, RunIn)]
    assert runins == [(2, "（一）a"), (3, "1.b"), (4, "（1）c"), (4, "（2）d"), (3, "2.e"),
                      (2, "（二）f"), (3, "1.g")]
    lists = [[i.number for i in b.items] for b in blocks if isinstance(b, ListBlock)]
    assert lists == [["（1）", "（2）"], ["（1）"]]
