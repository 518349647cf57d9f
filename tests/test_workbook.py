"""The fill-in workbook (.xlsx): written by `reportgen workbook new`, read like a YAML survey.

- every sample and random surveys go YAML → workbook → survey unchanged (model equality),
  and workbook → `workbook export` YAML → survey unchanged;
- each kind of mistake is refused once, named by its sheet and cell;
- drop-downs (on a hidden sheet, behind defined names) and input prompts exist;
- formulas: a saved value is used, a formula never calculated is refused with its cell;
- `reportgen build` and `check` take a workbook; a copy re-saved by LibreOffice reads the same.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.errors import Problem, SurveyError
from reportgen.survey import check_survey, load_survey
from reportgen.survey.model import Survey
from reportgen.survey.workbook import export_yaml
from reportgen.survey.workbook_write import survey_data, write_workbook
from tests.conftest import ROOT, run_cli
from tests.random_surveys2 import random_survey2

SAMPLES = sorted((ROOT / "inputs").glob("*.yaml"))


def _plain(survey: Survey) -> Survey:
    return survey.model_copy(update={"source": None})


def _workbook(yaml_path: Path, folder: Path, name: str = "莱州.xlsx") -> Path:
    target = folder / name
    write_workbook(target, survey_data(yaml_path))
    return target


def _round_trip(yaml_path: Path, folder: Path) -> None:
    expected = _plain(load_survey(yaml_path))
    book = _workbook(yaml_path, folder)
    assert check_survey(book) == []
    assert _plain(load_survey(book)) == expected
    back = folder / "back.yaml"
    back.write_text(export_yaml(book), encoding="utf-8")
    assert _plain(load_survey(back)) == expected


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_round_trips(sample: Path, tmp_path: Path) -> None:
    _round_trip(sample, tmp_path)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=100_000))
def test_random_surveys_round_trip(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("random")
    source = folder / "random.yaml"
    source.write_text(random_survey2(seed), encoding="utf-8")
    _round_trip(source, folder)


# --- refusals: one per kind of mistake, each named by sheet!cell ---------------------------

def _damaged(tmp_path: Path, damage: Callable[[Any], None],
             sample: str = "jinjiang") -> list[Problem]:
    book = _workbook(ROOT / "inputs" / f"{sample}.yaml", tmp_path)
    wb = openpyxl.load_workbook(book)
    damage(wb)
    wb.save(book)
    return check_survey(book)


def _cell(wb: Any, sheet: str, ref: str, value: Any) -> None:
    wb[sheet][ref] = value


def _append(sheet: str, *values: Any) -> Callable[[Any], None]:
    return lambda wb: wb[sheet].append(list(values))


MISTAKES: list[tuple[str, Callable[[Any], None], str, str]] = [
    ("bad money", lambda wb: _cell(wb, "产业集群", "D2", "很多"), "产业集群!D2 (产值)",
     "不是可识别的"),
    ("bad count", lambda wb: _cell(wb, "产业集群", "H2", "三千"), "产业集群!H2 (企业数)",
     "“三千”不是"),
    ("bad percent", lambda wb: _cell(wb, "产业集群", "G2", "快"), "产业集群!G2 (同比增长)", ""),
    ("missing required", lambda wb: _cell(wb, "基本信息", "B6", None), "基本信息!B6 (调研单位)",
     "调研单位没有填写"),
    ("impossible date", lambda wb: _cell(wb, "基本信息", "B7", "2025年2月30日"),
     "基本信息!B7 (成文日期)", "不是真实存在的日期"),
    ("line break in a name", lambda wb: _cell(wb, "产业集群", "A2", "纺织\n服装业"),
     "产业集群!A2 (集群名称)", "不能换行"),
    ("duplicate cluster", lambda wb: _cell(wb, "产业集群", "A3", wb["产业集群"]["A2"].value),
     "产业集群!A3 (集群名称)", "“产业集群”表第 2 行"),
    ("unknown owner", _append("集群指标", "不存在的集群", "指标", "产量", "5吨"), "集群指标!A",
     "不是“产业集群”表中的集群"),
    ("unknown unit", lambda wb: wb["集群指标"].append(
        [wb["产业集群"]["A2"].value, "指标", "产量", "5罗"]), "集群指标!D", "未知单位"),
    ("bad category", lambda wb: wb["集群指标"].append(
        [wb["产业集群"]["A2"].value, "杂项", "产量", "5吨"]), "集群指标!B", "不是可选的类别"),
    ("history year too late", lambda wb: wb["历年数据"].append(
        [wb["产业集群"]["A2"].value, 2030, "10亿元"]), "历年数据!B2 (历年产值)", "不早于统计年度"),
    ("target year too early", lambda wb: wb["目标"].append(
        [wb["产业集群"]["A2"].value, 2020, "产值", "300亿元"]), "目标!B", "目标"),
    ("level jump", _append("问题", "3", "跳了一级"), "问题!A", "上面没有级别 2"),
    ("bad level", _append("问题", "甲", "不知几级"), "问题!A", "不是可选的级别"),
    ("section anchor", lambda wb: _cell(wb, "其他章节", "C2", "结尾"), "其他章节!C2 (章节位置)",
     "不是可选的位置"),
    ("unknown sheet", lambda wb: wb.create_sheet("备注"), "备注!A1", "未知的工作表"),
    ("unknown column", lambda wb: _cell(wb, "产业集群", "Z1", "备注"), "产业集群!Z1 (表头)",
     "未知的列"),
    ("unreferenced table", lambda wb: _cell(wb, "表1", "B1", "孤表"), "表1!A1 (表格)",
     "没有被引用"),
    ("missing table sheet", lambda wb: _cell(wb, "产业集群", "V2", "表99"), "产业集群!V2 (表格)",
     "没有名为“表99”的工作表"),
    ("unsaved formula", lambda wb: _cell(wb, "产业集群", "H2", "=1+2"), "产业集群!H2",
     "公式没有保存的计算结果"),
]


@pytest.mark.parametrize(("damage", "where", "fragment"),
                         [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_refused_at_its_cell(tmp_path: Path, damage: Callable[[Any], None],
                                             where: str, fragment: str) -> None:
    problems = _damaged(tmp_path, damage)
    shown = [str(p) for p in problems]
    assert any(f"莱州.xlsx!{where}" in text and fragment in text for text in shown), shown


def test_table_cell_is_named_by_its_column(tmp_path: Path) -> None:
    source = tmp_path / "t.yaml"
    source.write_text(random_survey2(0).replace("units: [罗]\n", "units: [罗]\n") + (
        "tables:\n- caption: 企业表\n  columns: [名称, 企业数（家）]\n  rows:\n  - [甲, 12]\n"),
        encoding="utf-8")
    if check_survey(source):  # the random survey already has top-level tables
        pytest.skip("sample has tables already")
    book = _workbook(source, tmp_path)
    wb = openpyxl.load_workbook(book)
    sheet = [s for s in wb.sheetnames if s.startswith("表")][-1]
    wb[sheet]["B6"] = "许多"
    wb.save(book)
    shown = [str(p) for p in check_survey(book)]
    assert any(f"莱州.xlsx!{sheet}!B6 (企业数（家）)" in text for text in shown), shown


def test_problem_wording_of_yaml_is_unchanged() -> None:
    problem = Problem("a.yaml", 3, 5, "clusters[0].output", "产值", "不对")
    assert str(problem) == "a.yaml:3:5: clusters[0].output (产值): 不对"


def test_not_a_workbook_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "假的.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    problems = check_survey(fake)
    assert len(problems) == 1 and "不是有效的 Excel 工作簿" in str(problems[0])
    with pytest.raises(SurveyError):
        load_survey(fake)


def test_empty_workbook_says_what_to_fill(tmp_path: Path) -> None:
    book = tmp_path / "空.xlsx"
    write_workbook(book)
    shown = "\n".join(str(p) for p in check_survey(book))
    assert "空.xlsx!基本信息!B3 (调研地区): 调研地区没有填写" in shown
    assert "产业集群!A2" in shown
    assert "问题!A2" in shown


# --- what the workbook offers staff ----------------------------------------------------------

def test_drop_downs_prompts_and_frozen_headers(tmp_path: Path) -> None:
    book = _workbook(ROOT / "inputs" / "jinjiang.yaml", tmp_path)
    wb = openpyxl.load_workbook(book)
    assert wb["选项"].sheet_state == "hidden"
    assert {"级别", "位置", "指标类别", "所属列表", "集群名称", "是否"} <= set(wb.defined_names)
    assert wb.defined_names["位置"].attr_text.startswith("选项!")

    def validations(sheet: str) -> dict[str, Any]:
        return {str(v.sqref).split(":")[0]: v for v in wb[sheet].data_validations.dataValidation}

    problems = validations("问题")
    assert problems["A2"].type == "list" and problems["A2"].formula1 == "级别"
    assert problems["A2"].showErrorMessage and problems["A2"].errorStyle in (None, "stop")
    assert problems["B2"].promptTitle == "标题" and problems["B2"].prompt
    assert validations("其他章节")["C2"].formula1 == "位置"
    assert validations("集群指标")["A2"].formula1 == "所属列表"
    assert validations("历年数据")["B2"].type == "whole"
    group = validations("产业集群")["C2"]  # groups once typed: offered, not imposed
    assert group.formula1 == "集群分组" and not group.showErrorMessage
    basic = validations("基本信息")
    assert basic["B7"].prompt  # 成文日期
    for sheet in ("产业集群", "问题", "基本信息"):
        assert wb[sheet].freeze_panes is not None
    assert wb["产业集群"]["D1"].value == "产值（亿元）"
    assert wb["产业集群"].column_dimensions["A"].width > 10


def test_bare_numbers_take_the_unit_of_their_header(tmp_path: Path) -> None:
    book = _workbook(ROOT / "inputs" / "lingxi.yaml", tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["产业集群"]["D2"] = 104.5  # typed as a number in 产值（亿元）
    wb["产业集群"]["F2"] = None  # 上年产值: growth is then taken as written
    wb["产业集群"]["G2"] = "12.5"  # 同比增长（%）
    wb.save(book)
    survey = load_survey(book)
    assert str(survey.clusters[0].output) in ("10450000000", "10450000000.0")
    assert float(survey.clusters[0].growth) == 12.5


# --- formulas -------------------------------------------------------------------------------

def _with_saved_formula(book: Path) -> None:
    """Make 基本信息!B8 (统计年度) a formula whose saved value is the year, as Excel does."""
    with zipfile.ZipFile(book) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet2.xml"  # 说明 is sheet1, 基本信息 sheet2
    xml = files[sheet].decode("utf-8")
    xml, count = re.subn(r'(<c r="B8"[^>]*>)(<v>)', r"\1<f>2000+24</f>\2", xml)
    assert count == 1
    files[sheet] = xml.encode("utf-8")
    with zipfile.ZipFile(book, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_formula_cells_use_their_saved_values(tmp_path: Path) -> None:
    sample = ROOT / "inputs" / "jinjiang.yaml"
    book = _workbook(sample, tmp_path)
    _with_saved_formula(book)
    assert openpyxl.load_workbook(book)["基本信息"]["B8"].value == "=2000+24"
    assert _plain(load_survey(book)) == _plain(load_survey(sample))


def test_formula_without_saved_value_is_refused(tmp_path: Path) -> None:
    problems = _damaged(tmp_path, lambda wb: _cell(wb, "基本信息", "B8", "=2000+24"))
    shown = [str(p) for p in problems]
    assert any("莱州.xlsx!基本信息!B8" in text and "公式没有保存的计算结果" in text
               for text in shown), shown


# --- the command line -----------------------------------------------------------------------

def test_cli_new_check_export_and_build(tmp_path: Path) -> None:
    book = tmp_path / "莱州.xlsx"
    made = run_cli("workbook", "new", str(book), "--from", str(ROOT / "inputs" / "yongan.yaml"))
    assert made.returncode == 0, made.stderr
    again = run_cli("workbook", "new", str(book))
    assert again.returncode == 2 and "已存在" in again.stderr
    checked = run_cli("check", str(book))
    assert checked.returncode == 0, checked.stderr
    exported = run_cli("workbook", "export", str(book), "-o", str(tmp_path / "莱州.yaml"))
    assert exported.returncode == 0, exported.stderr
    assert _plain(load_survey(tmp_path / "莱州.yaml")) == _plain(
        load_survey(ROOT / "inputs" / "yongan.yaml"))
    out = tmp_path / "out"
    built = run_cli("build", str(book), "--out", str(out))
    assert built.returncode == 0, built.stdout + built.stderr
    assert (out / "莱州.docx").exists() and (out / "莱州.pdf").exists()


def test_cli_reports_cells(tmp_path: Path) -> None:
    book = tmp_path / "莱州.xlsx"
    assert run_cli("workbook", "new", str(book)).returncode == 0
    checked = run_cli("check", str(book))
    assert checked.returncode == 1
    assert "莱州.xlsx!基本信息!B" in checked.stderr + checked.stdout
    exported = run_cli("workbook", "export", str(book))
    assert exported.returncode == 1 and "未导出" in exported.stderr


# --- LibreOffice (as Excel and WPS re-save the file) -----------------------------------------

def _calc_available() -> bool:
    soffice = shutil.which("soffice")
    if soffice is None:
        return False
    return any(Path(p).exists() for p in ("/usr/lib/libreoffice/program/libscalo.so",
                                           "/usr/lib/libreoffice/program/libsclo.so"))


@pytest.mark.skipif(not _calc_available(), reason="LibreOffice Calc is not installed")
@pytest.mark.parametrize("sample", ["jinjiang", "lingxi"])
def test_resaved_by_libreoffice_reads_the_same(sample: str, tmp_path: Path) -> None:
    source = ROOT / "inputs" / f"{sample}.yaml"
    book = _workbook(source, tmp_path, "填写.xlsx")
    wb = openpyxl.load_workbook(book)
    year = int(wb["基本信息"]["B8"].value)
    wb["基本信息"]["B8"] = f"=2000+{year - 2000}"  # a formula LibreOffice calculates and saves
    wb.save(book)
    out = tmp_path / "resaved"
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=300)
    resaved = out / "填写.xlsx"
    assert check_survey(resaved) == []
    assert _plain(load_survey(resaved)) == _plain(load_survey(source))


# --- filled in by hand (openpyxl), as staff do, then re-saved and built ---------------------

EQUIVALENT = """\
schema: 2
region: {name: 莱州市, kind: 县级市}
report: {author: 莱州市工业和信息化局, date: 2025年3月15日, year: 2024}
clusters:
- name: 石材产业
  output: 120亿元
  growth: 8.5%
  enterprises: 350
  products: [花岗岩板材, 大理石]
  indicators:
  - {name: 年产石材, value: 1200万平方米, growth: 5%}
  history: {2022: 100亿元, 2023: 110亿元}
  targets:
  - {year: 2027, value: 200亿元}
  tables:
  - caption: 骨干企业
    columns: [企业, 产值（亿元）]
    rows: [[甲公司, 12.50], [乙公司, 8]]
    total: true
  parts:
  - name: 花岗岩
    output: 50亿元
    topics: [开采与加工]
- name: 黄金产业
  output: 80亿元
problems:
- title: 产业链短
  items:
  - title: 深加工少
    detail: 初级产品多。
suggestions:
- title: 延伸产业链
  measures: [建设园区, 引进企业]
sections:
- title: 调研体会
  after: 对策
  intro: 一点体会。
"""


def _fill(book: Path) -> None:
    """Fill an empty workbook the way staff do: typed values, some bare numbers."""
    wb = openpyxl.load_workbook(book)

    def put(sheet: str, row: int, header: str, value: Any) -> None:
        ws = wb[sheet]
        col = next(c.column for c in ws[1] if c.value == header)
        ws.cell(row=row, column=col, value=value)

    basic = wb["基本信息"]
    rows = {basic.cell(row=r, column=1).value: r for r in range(2, basic.max_row + 1)}
    for label, value in (("地区名称", "莱州市"), ("地区类型", "县级市"),
                         ("调研单位", "莱州市工业和信息化局"), ("成文日期", "2025年3月15日"),
                         ("统计年度", 2024)):
        basic.cell(row=rows[label], column=2, value=value)
    clusters = (
        (2, {"集群名称": "石材产业", "产值（亿元）": 120, "同比增长（%）": 8.5,
             "企业数（家）": 350, "主要产品": "花岗岩板材\n大理石", "表格": "表1"}),
        (3, {"集群名称": "黄金产业", "产值（亿元）": "80亿元"}),
        (4, {"集群名称": "花岗岩", "所属集群": "石材产业", "产值（亿元）": "50亿元"}))
    for row, values in clusters:
        for header, value in values.items():
            put("产业集群", row, header, value)
    for header, value in (("所属", "石材产业"), ("名称", "年产石材"), ("数值", "1200万平方米"),
                          ("同比增长（%）", "5%")):
        put("集群指标", 2, header, value)
    for row, year, value in ((2, 2022, "100亿元"), (3, 2023, "110亿元")):
        for header, cell in (("集群名称", "石材产业"), ("年份", year), ("产值（亿元）", value)):
            put("历年数据", row, header, cell)
    for header, value in (("所属", "石材产业"), ("目标年份", 2027), ("目标值", "200亿元")):
        put("目标", 2, header, value)
    for header, value in (("所属集群", "花岗岩"), ("级别", "1"), ("标题", "开采与加工")):
        put("集群专题", 2, header, value)
    put("问题", 2, "级别", "1")
    put("问题", 2, "标题", "产业链短")
    put("问题", 3, "级别", "2")
    put("问题", 3, "标题", "深加工少")
    put("问题", 3, "详细说明", "初级产品多。")
    put("建议", 2, "标题", "延伸产业链")
    put("建议", 2, "具体措施", "建设园区\n引进企业")
    for header, value in (("级别", "章节"), ("标题", "调研体会"), ("位置", "对策"),
                          ("详细说明", "一点体会。")):
        put("其他章节", 2, header, value)
    table = wb["表1"]
    table["B1"], table["B2"] = "骨干企业", "是"
    for col, header in enumerate(("企业", "产值（亿元）"), start=1):
        table.cell(row=5, column=col, value=header)
    for row, cells in enumerate((("甲公司", "12.50"), ("乙公司", 8)), start=6):
        for col, value in enumerate(cells, start=1):
            table.cell(row=row, column=col, value=value)
    wb.save(book)


def test_filled_by_hand_resaved_builds_the_same_report(tmp_path: Path) -> None:
    yaml_dir, book_dir = tmp_path / "yaml", tmp_path / "book"
    yaml_dir.mkdir()
    book_dir.mkdir()
    (yaml_dir / "莱州.yaml").write_text(EQUIVALENT, encoding="utf-8")
    book = book_dir / "莱州.xlsx"
    assert run_cli("workbook", "new", str(book)).returncode == 0
    _fill(book)
    if _calc_available():  # as Excel, WPS and LibreOffice save it
        resaved = tmp_path / "resaved"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                        "--headless", "--norestore", "--convert-to", "xlsx", "--outdir",
                        str(resaved), str(book)], check=True, capture_output=True, timeout=300)
        shutil.copy(resaved / "莱州.xlsx", book)
    assert [str(p) for p in check_survey(book)] == []
    assert _plain(load_survey(book)) == _plain(load_survey(yaml_dir / "莱州.yaml"))
    for folder, name in ((yaml_dir, "莱州.yaml"), (book_dir, "莱州.xlsx")):
        built = run_cli("build", str(folder / name), "--out", str(folder / "out"))
        assert built.returncode == 0, built.stdout + built.stderr
    for suffix in (".docx", ".pdf"):
        assert (yaml_dir / "out" / f"莱州{suffix}").read_bytes() == \
            (book_dir / "out" / f"莱州{suffix}").read_bytes()


def test_cells_excel_converted_read_as_typed(tmp_path: Path) -> None:
    """Excel turns a typed 12.5% into 0.125 and 2025/1/20 into a date: both read as typed."""
    import datetime as dt

    sample = ROOT / "inputs" / "jinjiang.yaml"
    book = _workbook(sample, tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["基本信息"]["B7"] = dt.datetime(2025, 3, 20)  # 成文日期 as an Excel date
    wb["基本信息"]["B7"].number_format = "yyyy/m/d"
    cell = wb["产业集群"]["G2"]  # 同比增长 of 纺织服装业 (output, no output_prev)
    cell.value, cell.number_format = 0.125, "0.0%"
    wb.save(book)
    survey = load_survey(book)
    assert survey.report.date == dt.date(2025, 3, 20)
    assert float(survey.clusters[0].growth) == 12.5


def test_watch_and_preview_take_a_workbook_like_a_survey(tmp_path: Path) -> None:
    """A saved workbook is a survey to watch (it is rebuilt), and the preview renders it."""
    from reportgen.build.watch import WatchSession
    from reportgen.preview.state import Choice, PreviewState

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    book = _workbook(ROOT / "inputs" / "lingxi.yaml", inputs, "灵溪.xlsx")
    session = WatchSession([inputs], tmp_path / "out", ("pdf",))
    assert session.surveys() == [book]
    rebuild, deleted = session.affected([book])
    assert rebuild == [book] and deleted == []
    assert session.affected([inputs / "~$灵溪.xlsx"]) == ([], [])  # Excel's lock file
    state = PreviewState(inputs, book, None)
    rendering = state.rendering(Choice(book))
    assert rendering.ok, rendering.error
    assert rendering.pdf.startswith(b"%PDF") and rendering.title
