"""Upgrading format-1 surveys to format 2: a text edit that keeps everything else as written."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reportgen.errors import SurveyError
from reportgen.survey import check_survey, parse_survey_text
from reportgen.survey.upgrade import join_value, plan_upgrade, upgrade_file, upgrade_text
from tests.conftest import BARE_OUTPUT_SURVEY, ROOT

SAMPLES = sorted((ROOT / "tests" / "goldens" / "inputs").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "survey" / "data").glob("*.yaml"))
FILE = "inputs/test.yaml"

BASE = """\
region:
  name: 测试县
report:
  author: 某局
  date: 2025-03-15
  year: 2024
clusters:
- name: 纺织业
  output: 142亿元
problems: [问题]
suggestions: [建议]
"""


def _schema_of(text: str) -> int:
    return parse_survey_text(text, FILE).schema_


def _sample_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _is_format2(text: str) -> bool:
    return any(line.strip().split("#")[0].strip() == "schema: 2" for line in text.splitlines())


def _render(text: str, name: str) -> str:
    from reportgen.build import render_document

    return render_document(parse_survey_text(text, name)).to_json()


# --- the samples ---------------------------------------------------------------------------

@pytest.mark.parametrize("sample", SAMPLES, ids=_sample_id)
def test_sample_keeps_every_other_line_byte_for_byte(sample: Path) -> None:
    text = sample.read_text(encoding="utf-8")
    upgrade = plan_upgrade(text, str(sample))
    if _is_format2(text):
        assert upgrade.already and upgrade.text == text and not upgrade.changes
        return
    old, new = text.splitlines(keepends=True), upgrade.text.splitlines(keepends=True)
    edits = [op for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
             if op[0] != "equal"]
    # Exactly one edit: `schema: 1` became `schema: 2`, or `schema: 2` was added.
    assert len(edits) == 1, edits
    kind, a1, a2, b1, b2 = edits[0]
    assert new[b1:b2] == ["schema: 2\n"]
    if kind == "replace":
        assert [line.split("#")[0].strip() for line in old[a1:a2]] == ["schema: 1"]
    else:
        assert kind == "insert"
    comments = [line for line in old if line.lstrip().startswith("#")]
    assert [line for line in new if line.lstrip().startswith("#")] == comments
    assert [c.path for c in upgrade.changes] == ["schema"]


@pytest.mark.parametrize("sample", [s for s in SAMPLES
                                    if not _is_format2(s.read_text(encoding="utf-8"))],
                         ids=_sample_id)
def test_upgraded_sample_loads_as_format_2_and_builds_the_same_document(
        sample: Path, tmp_path: Path) -> None:
    from tests.goldens import render_json

    copy = tmp_path / sample.name  # the same stem: the document names its source
    shutil.copy(sample, copy)
    result = upgrade_file(copy)
    assert result.changed and check_survey(copy) == []
    assert _schema_of(copy.read_text(encoding="utf-8")) == 2
    assert render_json(copy) == render_json(sample)


def test_format_2_samples_are_left_alone() -> None:
    # The goldens include format-2 surveys; upgrading one is a no-op, never an error.
    for sample in SAMPLES:
        text = sample.read_text(encoding="utf-8")
        if _is_format2(text):
            assert upgrade_text(text, str(sample)) == text


# --- what must change ----------------------------------------------------------------------

MULTI_LINE = """\
# 头部注释
# 第二行

# 地区
region:
  name: 诸城
    市
  kind: &k "县级
    市"
  parent: |
    山东省
    潍坊市
report:
  author: >   # 调研单位
    诸城市中小企业局
    Office

  date: 2025年3月15日
  year: 2024
  title: 'It''s a
    long title'
  methods: [走访
      企业, "召开
      座谈会"]
  intro: |
    第一段第一行
    第一段第二行

    第二段。
clusters:
- name: 纺织
    服装业
  output: 142亿元
  description: 这是一段
    说明

    还有一段
  products:
  - 棉纱
  - |-
    涤棉
    纱
  honors:
    ? "国家名牌
      产品"
    : 5
- name: 机械
  output: 7800万元
  description: >
    折叠文字
      更多缩进

    另一段
problems:
- 企业布局
  分散
- title: 问题二
  detail: "第一行\\n\\n第二行"
  measures:
  - 措施
    一
suggestions:
- title: 建议
  detail: |+
    a line

    b line

  clusters: [纺织 服装业]
"""

MULTI_LINE_UPGRADED = """\
# 头部注释
# 第二行
schema: 2

# 地区
region:
  name: 诸城市
  kind: &k 县级市
  parent: 山东省潍坊市
report:
  author: 诸城市中小企业局Office   # 调研单位

  date: 2025年3月15日
  year: 2024
  title: It's a long title
  methods: [走访企业, 召开座谈会]
  intro: |
    第一段第一行
    第一段第二行
    第二段。
clusters:
- name: 纺织服装业
  output: 142亿元
  description: 这是一段
    说明
    还有一段
  products:
  - 棉纱
  - 涤棉纱
  honors:
    ? 国家名牌产品
    : 5
- name: 机械
  output: 7800万元
  description: |
    折叠文字
      更多缩进
    另一段
problems:
- 企业布局分散
- title: 问题二
  detail: 第一行第二行
  measures:
  - 措施一
suggestions:
- title: 建议
  detail: |+
    a line
    b line

  clusters: [纺织服装业]
"""


def test_multi_line_names_become_one_line_and_blank_lines_in_paragraphs_go() -> None:
    assert check_survey_text(MULTI_LINE) == []
    upgrade = plan_upgrade(MULTI_LINE, FILE)
    assert upgrade.text == MULTI_LINE_UPGRADED
    messages = [str(c) for c in upgrade.changes]
    assert messages[0] == f"{FILE}:3:1: schema (格式版本): 在第 3 行前添加 schema: 2"
    assert (f"{FILE}:6:9: region.name (地区名称): 第 2 版中这里不能换行，多行文字改写为一行："
            "“诸城市”") in messages
    assert any(m.startswith(f"{FILE}:34:16: clusters[0].description (集群说明): 删去 1 个空行")
               for m in messages)
    assert any(m.startswith(f"{FILE}:49:16: clusters[1].description") and "把 > 改为 |" in m
               for m in messages)
    # The finding named the cluster as format 1 read it (纺织 服装业): it follows the new name.
    assert any(m.startswith(f"{FILE}:69:14: suggestions[0].clusters[0] (涉及的集群)")
               for m in messages)


def test_multi_line_file_upgraded_is_valid_format_2_and_reads_the_same() -> None:
    old = parse_survey_text(MULTI_LINE, FILE)
    new = parse_survey_text(MULTI_LINE_UPGRADED, FILE)
    assert new.schema_ == 2
    assert new.region.name == "诸城市" and new.report.title == "It's a long title"
    assert new.clusters[0].name == "纺织服装业" and new.clusters[0].products[1] == "涤棉纱"
    assert new.problems[0].title == "企业布局分散"
    assert new.suggestions[0].clusters == ("纺织服装业",)
    # One paragraph each: the blank lines meant nothing in format 1.
    for text in (new.report.intro, new.clusters[0].description, new.clusters[1].description,
                 new.problems[1].detail, new.suggestions[0].detail):
        assert text and "\n\n" not in text
    assert _printed(new.report.intro) == _printed(old.report.intro)
    assert _printed(new.clusters[1].description) == _printed(old.clusters[1].description)


def test_multi_line_file_builds_the_same_report() -> None:
    # Everything the report prints is the same; only raw values that format 1 showed with the
    # line break turned into a space (chart labels, the document's properties) lose it.
    old = json.loads(_render(MULTI_LINE, FILE))
    new = json.loads(_render(MULTI_LINE_UPGRADED, FILE))
    text_blocks = [[b for b in tree["blocks"] if b["kind"] != "figure"] for tree in (new, old)]
    assert text_blocks[0] == text_blocks[1]
    printed = [json.dumps(_strings_printed(tree), ensure_ascii=False, sort_keys=True)
               for tree in (new, old)]
    assert printed[0] == printed[1]
    assert new["title"] == old["title"]
    assert new["meta"]["region"] == "诸城市" and old["meta"]["region"] == "诸城 市"


def check_survey_text(text: str) -> list[Any]:
    try:
        parse_survey_text(text, FILE)
    except SurveyError as exc:
        return exc.problems
    return []


def _printed(text: str | None) -> str:
    from reportgen.document.html_parser import normalize_space

    return normalize_space(text or "").strip()


def _strings_printed(value: Any) -> Any:
    if isinstance(value, str):
        return _printed(value)
    if isinstance(value, list):
        return [_strings_printed(v) for v in value]
    if isinstance(value, dict):
        return {k: _strings_printed(v) for k, v in value.items()}
    return value


def test_join_drops_breaks_next_to_cjk_and_keeps_one_space_otherwise() -> None:
    assert join_value("纺织\n服装业") == "纺织服装业"
    assert join_value("Foo  \n  bar") == "Foo bar"
    assert join_value("PU革\n  Office") == "PU革Office"
    assert join_value("第3\n季度") == "第3季度"
    assert join_value("a\n\n\nb\n") == "a b"
    assert join_value("（一）\nA") == "（一）A"


# --- where schema: 2 goes ------------------------------------------------------------------

@pytest.mark.parametrize(("before", "after"), [
    (BASE, "schema: 2\n" + BASE),
    ("schema: 1\n" + BASE, "schema: 2\n" + BASE),
    ("schema: 1  # 版本\n" + BASE, "schema: 2  # 版本\n" + BASE),
    ("schema: '1'\n" + BASE, "schema: 2\n" + BASE),
    ("schema: 1.0\n" + BASE, "schema: 2\n" + BASE),
    ("schema:\n" + BASE, "schema: 2\n" + BASE),
    (BASE.replace("problems", "schema: 1\nproblems"),
     BASE.replace("problems", "schema: 2\nproblems")),
    ("# 头\n# 注释\n" + BASE, "# 头\n# 注释\nschema: 2\n" + BASE),
    ("# 头\n\n# 地区\n" + BASE, "# 头\nschema: 2\n\n# 地区\n" + BASE),
    ("\n\n" + BASE, "schema: 2\n\n\n" + BASE),
    ("---\n" + BASE, "---\nschema: 2\n" + BASE),
    ("# 头\n---\n# 地区\n" + BASE, "# 头\n---\n# 地区\nschema: 2\n" + BASE),
    ("%YAML 1.2\n---\n" + BASE, "%YAML 1.2\n---\nschema: 2\n" + BASE),
    ("--- &root\n" + BASE, "--- &root\nschema: 2\n" + BASE),
    ("".join(f"  {line}\n" for line in BASE.splitlines()),
     "  schema: 2\n" + "".join(f"  {line}\n" for line in BASE.splitlines())),
])
def test_schema_is_set_where_it_belongs(before: str, after: str) -> None:
    assert upgrade_text(before, FILE) == after
    assert _schema_of(after) == 2


def test_bom_and_crlf_are_kept() -> None:
    text = "\ufeff# 头\r\n" + BASE.replace("\n", "\r\n")
    upgraded = upgrade_text(text, FILE)
    assert upgraded == "\ufeff# 头\r\nschema: 2\r\n" + BASE.replace("\n", "\r\n")


def test_crlf_multi_line_values() -> None:
    text = BASE.replace("  name: 测试县\n", "  name: |\r\n    测试\r\n    县\r\n").replace(
        "- name: 纺织业\n", "- name: 纺织业\n  description: |\n    一\n\n    二\n"
    ).replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    upgraded = upgrade_text(text, FILE)
    assert "  name: 测试县\r\n" in upgraded
    assert "  description: |\r\n    一\r\n    二\r\n" in upgraded
    assert "\n" not in upgraded.replace("\r\n", "")


def test_flow_mapping_at_the_top() -> None:
    text = ('{region: {name: "测试\n  县"}, report: {author: 某局, date: 2025-03-15, '
            "year: 2024}, clusters: [{name: 纺织业, output: 142亿元}], problems: [问题], "
            "suggestions: [建议]}\n")
    upgraded = upgrade_text(text, FILE)
    assert upgraded.startswith("{schema: 2, region: {name: 测试县}, report:")
    assert _schema_of(upgraded) == 2


def test_already_format_2_is_left_as_it_is() -> None:
    text = "schema: 2\n" + BASE.replace("测试县", "测试\n    县")  # refused by format 2
    upgrade = plan_upgrade(text, FILE)
    assert upgrade.already and not upgrade.changed and upgrade.text == text


# --- values that need care -----------------------------------------------------------------

def _with(fragment: str, where: str = "  name: 测试县\n") -> str:
    return BASE.replace(where, fragment)


@pytest.mark.parametrize(("fragment", "expected"), [
    ("  name: 测试\n    县\n", "  name: 测试县\n"),
    ("  name: Foo\n    Bar\n", "  name: Foo Bar\n"),
    ("  name: 'a:\n    b'\n", '  name: "a: b"\n'),
    ("  name: \"A\n    #1\"\n", '  name: "A #1"\n'),
    ("  name: \"测\\\n    试县\"\n", "  name: 测试县\n"),  # an escaped line break: no space
    ("  name: \"测试\\n县\"\n", "  name: 测试县\n"),  # an escaped \n is a line break too
    ("  name: \"2024\n    \"\n", '  name: "2024"\n'),  # would read as a number if plain
    ("  name: |\n    测试县\n", "  name: |\n    测试县\n"),  # one line: nothing to do
    ("  name: >-\n    测试县\n", "  name: >-\n    测试县\n"),
    ("  name: |  # 名称\n    测试\n    县\n\n", "  name: 测试县  # 名称\n\n"),
    ("  name: !!str 测试\n    县\n", "  name: !!str 测试县\n"),
    ("  name: &n 测试\n    县\n  kind: *n\n", "  name: &n 测试县\n  kind: *n\n"),
])
def test_one_line_rewrites(fragment: str, expected: str) -> None:
    assert check_survey_text(_with(fragment)) == []
    upgraded = upgrade_text(_with(fragment), FILE)
    assert upgraded == "schema: 2\n" + _with(expected)
    assert _schema_of(upgraded) == 2


def test_block_scalar_at_the_end_of_the_file() -> None:
    text = BASE.replace("suggestions: [建议]\n", "suggestions:\n- |\n  建\n  议")
    upgraded = upgrade_text(text, FILE)
    assert upgraded.endswith("suggestions:\n- 建议")
    assert _schema_of(upgraded) == 2


@pytest.mark.parametrize(("fragment", "expected"), [
    ("  description: |\n    一\n\n    二\n", "  description: |\n    一\n    二\n"),
    ("  description: |2\n     缩进\n\n    二\n", "  description: |2\n     缩进\n    二\n"),
    ("  description: |\n\n    一\n  \n    二\n", "  description: |\n    一\n    二\n"),
    ("  description: >\n    一\n\n\n    二\n", "  description: >\n    一\n    二\n"),
    ("  description: 一\n\n    二\n", "  description: 一\n    二\n"),
    ("  description: '一\n\n    二'\n", "  description: '一\n    二'\n"),
    ("  description: \"一\\n二\"\n", "  description: 一二\n"),
    ("  description: |\n    一\n    二\n", "  description: |\n    一\n    二\n"),  # no blank
])
def test_paragraph_texts_lose_their_blank_lines(fragment: str, expected: str) -> None:
    where = "  output: 142亿元\n"
    text = _with(where + fragment, where)
    assert check_survey_text(text) == []
    upgraded = upgrade_text(text, FILE)
    assert upgraded == "schema: 2\n" + _with(where + expected, where)
    assert "\n\n" not in parse_survey_text(upgraded, FILE).clusters[0].description


def test_aliases_and_merge_keys() -> None:
    text = """\
region:
  name: 测试县
report:
  author: &who |
    某
    局
  date: 2025-03-15
  year: 2024
clusters:
- &base
  name: 纺织业
  output: 142亿元
  description: &d "第一段

    第二段"
- <<: *base
  name: 食品
    业
  description: *who
problems: [问题]
suggestions:
- title: *who
  detail: *d
"""
    upgraded = upgrade_text(text, FILE)
    assert "  author: &who 某局\n" in upgraded
    assert '  description: &d "第一段\n    第二段"\n' in upgraded
    assert "  name: 食品业\n" in upgraded
    survey = parse_survey_text(upgraded, FILE)
    assert survey.suggestions[0].title == "某局" and survey.clusters[1].description == "某局"


# --- refusals ------------------------------------------------------------------------------

BAD = BARE_OUTPUT_SURVEY


def test_invalid_format_1_is_refused_with_located_problems() -> None:
    with pytest.raises(SurveyError) as caught:
        upgrade_text(BAD, FILE)
    assert str(caught.value.problems[0]).startswith(f"{FILE}:10:11: clusters[0].output (产值): ")


def test_invalid_file_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(BAD.encode("utf-8"))
    with pytest.raises(SurveyError) as caught:
        upgrade_file(path)
    assert str(caught.value.problems[0]).startswith(f"{path}:10:11: clusters[0].output")
    assert path.read_bytes() == BAD.encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


@pytest.mark.parametrize("raw", [b"\xff\xfe r\x00", b"region: \xc3(\n", b""])
def test_unreadable_files_are_refused(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(raw)
    with pytest.raises(SurveyError) as caught:
        upgrade_file(path)
    assert caught.value.problems and str(caught.value.problems[0]).startswith(f"{path}:")
    assert path.read_bytes() == raw


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SurveyError) as caught:
        upgrade_file(tmp_path / "none.yaml")
    assert "文件不存在" in str(caught.value)


# --- writing -------------------------------------------------------------------------------

def test_upgrade_file_in_place_keeps_mode_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(BASE, encoding="utf-8")
    os.chmod(path, 0o640)
    result = upgrade_file(path)
    assert result.changed
    assert path.read_text(encoding="utf-8") == "schema: 2\n" + BASE
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]
    again = upgrade_file(path)
    assert again.already and not again.changed


def test_upgrade_file_to_another_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(BASE, encoding="utf-8")
    out = tmp_path / "b.yaml"
    upgrade_file(path, out)
    assert path.read_text(encoding="utf-8") == BASE
    assert out.read_text(encoding="utf-8") == "schema: 2\n" + BASE


def test_check_only_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = upgrade_file(path, write=False)
    assert result.changed and result.text == "schema: 2\n" + BASE
    assert path.read_text(encoding="utf-8") == BASE


def test_bytes_are_kept_exactly(tmp_path: Path) -> None:
    raw = ("\ufeff# 头\r\n" + BASE.replace("\n", "\r\n")).encode("utf-8")
    path = tmp_path / "a.yaml"
    path.write_bytes(raw)
    upgrade_file(path)
    assert path.read_bytes() == raw.replace(b"\r\nregion", b"\r\nschema: 2\r\nregion")
    assert check_survey(path) == []


# --- any way of writing a text ------------------------------------------------------------

_WORDS = ["纺织", "服装业", "（一）", "PU革", "Office", "A1", "第3", "季度", "产品", "，",
          "Co.", "“甲”", "x: y", "#3", "-1", "true", "'q'", "1.5", "\"引\"", "a\\b", "[1]",
          "　"]
_NAME_PATHS = ["region.name", "report.title", "report.author", "cluster.name",
               "cluster.product", "finding.title", "finding.measure"]
_PARAGRAPH_PATHS = ["report.intro", "cluster.description", "finding.detail"]


@st.composite
def _texts(draw: st.DrawFn) -> list[str]:
    """Lines of a text, "" standing for a blank line between them."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3))
        # Some lines more indented than the others (kept as breaks in a folded block).
        lines.append(draw(st.sampled_from(["", "", "  "]))
                     + draw(st.sampled_from(["", " "])).join(words))
        if draw(st.booleans()):
            lines.append("")
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def _written(lines: list[str], style: str, indent: int) -> str:
    """`lines` as a YAML scalar in `style`, for a value whose key sits at `indent`."""
    pad = " " * (indent + 2)
    if style in ("|", ">", "|-", ">+"):
        return style + "\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in lines)
    if style == "plain":
        return "\n".join(f"{pad}{line}" if i and line else line
                         for i, line in enumerate(lines)) + "\n"
    if style == "'":
        body = "\n".join(f"{pad}{line}" if i and line else line
                         for i, line in enumerate(lines)).replace("'", "''")
        return f"'{body}'\n"
    escaped = [line.replace("\\", "\\\\").replace('"', '\\"') for line in lines]
    return '"' + "\\n".join(escaped) + '"\n'


def _survey_with(field: str, value: str) -> str:
    slots = {
        "region.name": ("  name: 测试县\n", "  name: "),
        "report.title": ("  year: 2024\n", "  year: 2024\n  title: "),
        "report.author": ("  author: 某局\n", "  author: "),
        "report.intro": ("  year: 2024\n", "  year: 2024\n  intro: "),
        "cluster.name": ("- name: 纺织业\n", "- name: "),
        "cluster.product": ("  output: 142亿元\n", "  output: 142亿元\n  products:\n  - "),
        "cluster.description": ("  output: 142亿元\n", "  output: 142亿元\n  description: "),
        "finding.title": ("problems: [问题]\n", "problems:\n- title: "),
        "finding.detail": ("problems: [问题]\n", "problems:\n- title: 问题\n  detail: "),
        "finding.measure": ("problems: [问题]\n", "problems:\n- title: 问题\n  measures:\n  - "),
    }
    old, new = slots[field]
    return BASE.replace(old, new + value)


def _field(survey: Any, field: str) -> str:
    return {
        "region.name": lambda: survey.region.name,
        "report.title": lambda: survey.report.title,
        "report.author": lambda: survey.report.author,
        "report.intro": lambda: survey.report.intro,
        "cluster.name": lambda: survey.clusters[0].name,
        "cluster.product": lambda: survey.clusters[0].products[0],
        "cluster.description": lambda: survey.clusters[0].description,
        "finding.title": lambda: survey.problems[0].title,
        "finding.detail": lambda: survey.problems[0].detail,
        "finding.measure": lambda: survey.problems[0].measures[0],
    }[field]()


# UPGRADE_EXAMPLES=3000 for a longer run (passed when written).
@settings(max_examples=int(os.environ.get("UPGRADE_EXAMPLES", "200")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(_NAME_PATHS + _PARAGRAPH_PATHS), lines=_texts(),
       style=st.sampled_from(["plain", "'", '"', "|", ">", "|-", ">+"]))
def test_any_valid_text_upgrades_to_a_valid_format_2_text(field: str, lines: list[str],
                                                          style: str) -> None:
    # Every slot's key (or list item) sits at column 2.
    text = _survey_with(field, _written(lines, style, 2))
    try:
        old = parse_survey_text(text, FILE)
    except SurveyError:
        assume(False)
        raise
    upgrade = plan_upgrade(text, FILE)
    new = parse_survey_text(upgrade.text, FILE)
    assert new.schema_ == 2
    before, after = _field(old, field), _field(new, field)
    assume(before is not None)  # `title: #3` is a comment, not a title
    assert _printed(after) == _printed(before)
    if field in _NAME_PATHS:
        assert "\n" not in after
    else:
        assert "\n\n" not in after
    # Nothing but the schema and this value changed.
    assert {c.path.split("[")[0].split(".")[0] for c in upgrade.changes} <= {
        "schema", "region", "report", "clusters", "problems"}
    kept = [line for line in text.splitlines() if line.startswith(("suggestions", "clusters"))]
    assert all(line in upgrade.text.splitlines() for line in kept)


@pytest.mark.parametrize("text", ["[" * 200_000, "a: [" + "[" * 100 + "\n" * 5, "- 1\n- 2\n",
                                  "schema: 2\n" + "x: [" * 100, "&a [*a]"])
def test_hostile_or_broken_text_is_refused_quickly(text: str) -> None:
    import time

    start = time.monotonic()
    with pytest.raises(SurveyError):
        upgrade_text(text, FILE)
    assert time.monotonic() - start < 10


def test_a_symlinked_survey_is_rewritten_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(BASE, encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    upgrade_file(link)
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "schema: 2\n" + BASE


@pytest.mark.parametrize("schema", ["2", "'2'", "２", "2.0"])
def test_every_way_of_writing_schema_2_counts_as_already_upgraded(schema: str) -> None:
    text = f"schema: {schema}\n" + BASE
    assert plan_upgrade(text, FILE).already
