"""Writing the fill-in workbook (表样) with XlsxWriter, empty or filled from a YAML survey.

Every input cell is formatted as text (@), so that Excel and WPS keep what staff type
(12.5% stays 12.5%, 1.50 stays 1.50) — except year columns, which take whole numbers and
have an integer check. Closed choices are drop-down lists kept on a hidden sheet behind
defined names; every column has an input prompt; header rows are frozen.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

from reportgen.survey.workbook_layout import (
    BASIC,
    BASIC_ROWS,
    CHOICES,
    CLUSTER_COLUMNS,
    CLUSTERS,
    FINDING_COLUMNS,
    FINDING_SHEETS,
    HISTORY,
    HISTORY_COLUMNS,
    INDICATOR_COLUMNS,
    INDICATORS,
    KIND_HONOR,
    KIND_INDICATOR,
    KIND_SHARE,
    LEVEL_INTRO,
    LEVEL_OUTRO,
    LEVEL_SECTION,
    LISTS,
    OVERVIEW,
    OVERVIEW_ROWS,
    OWNER_ALL,
    README,
    SECTION_COLUMNS,
    SECTIONS,
    TABLE_HEAD,
    TABLE_HEADER_ROW,
    TABLE_PREFIX,
    TARGET_COLUMNS,
    TARGETS,
    TOPIC_COLUMNS,
    TOPICS,
    Column,
)

VALIDATED_ROWS = 500  # rows that get prompts and drop-downs
_GUIDE = (
    "调研数据填写表（第 2 版格式）",
    "",
    "填好后运行 reportgen build 本文件.xlsx 生成报告；reportgen check 本文件.xlsx 只检查。",
    "有错误时，每条错误都写明工作表和单元格，如 莱州.xlsx!产业集群!C5 (产值): ……",
    "",
    "各工作表：",
    "基本信息 —— 地区、报告落款、全地区总量；总体情况 —— 全地区产业集群的总数和现状一节的文字。",
    "产业集群 —— 每个集群一行；子产业也占一行，在“所属集群”列填它所在集群的名称。",
    "集群指标 —— 集群的其他数字（类别：指标）、名牌与商标、分范围的市场占有率；"
    f"全地区的指标在“所属”列写“{OWNER_ALL}”。",
    "历年数据 —— 集群的历年产值；目标 —— 以后年份的目标。",
    "集群专题 —— 写在集群（或子产业）下面的专题，级别 1 为专题，2 为专题的分项。",
    "问题、原因、建议 —— 每条一行；级别 1 为一条，2 为上一条的分项，3 为分项的分项；"
    f"“{LEVEL_INTRO}”“{LEVEL_OUTRO}”行的文字写在详细说明列。",
    f"其他章节 —— “{LEVEL_SECTION}”行写章节标题和位置，下面的 1、2、3 行是它的条目。",
    f"{TABLE_PREFIX}1、{TABLE_PREFIX}2 …… —— 自制表格，每张一个工作表；在所属集群、条目或章节的"
    "“表格”列填写工作表名称。复制工作表可新增表格。",
    "",
    "填写要点：",
    "· 金额带单位写，如 142亿元、7800万元；只写数字时按表头的单位计。"
    "可写约数：约1800亿元、3300多。",
    "· 一格中写多项（主要产品、骨干企业、具体措施）时，每项一行（Alt+Enter 换行）。",
    "· 说明文字中空一行表示另起一段。",
    "· 有下拉箭头的格请从列表中选择；将鼠标停在格上可看到填写提示。",
    "· 可以用公式，但文件要在 Excel 或 WPS 中保存过（保存计算结果）。",
)


class _Writer:
    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path), {
            "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False})
        self.head = self.book.add_format({
            "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
            "valign": "vcenter", "num_format": "@"})
        self.text = self.book.add_format({"num_format": "@", "text_wrap": True,
                                          "valign": "top"})
        self.number = self.book.add_format({"num_format": "0", "valign": "top"})
        self.note = self.book.add_format({"font_color": "#7F7F7F", "text_wrap": True,
                                          "valign": "top"})

    def cell(self, sheet: Any, row: int, col: int, value: Any, column: Column) -> None:
        """Write one value at 0-based (row, col) as its text (numbers in year columns)."""
        fmt = self.number if column.year else self.text
        if value is None:
            sheet.write_blank(row, col, None, fmt)
            return
        if isinstance(value, int) and not isinstance(value, bool) and column.year:
            sheet.write_number(row, col, value, fmt)
            return
        sheet.write_string(row, col, _cell_text(value, column), fmt)

    def prompt(self, sheet: Any, first: int, col: int, last: int, column: Column) -> None:
        options: dict[str, Any] = {"input_title": column.header[:32]}
        if column.prompt:
            options["input_message"] = column.prompt[:255]
        if column.choices:
            options.update(validate="list", source=f"={column.choices}",
                           error_title="请从列表中选择",
                           error_message=f"请从下拉列表中选择{column.header}。"[:255],
                           error_type="stop" if column.closed else "information")
            if not column.closed:
                options["show_error"] = False
        elif column.year:
            options.update(validate="integer", criteria="between", minimum=1900,
                           maximum=2100, error_title="年份",
                           error_message="请填写四位数的年份，如 2024。", error_type="stop")
        else:
            options["validate"] = "any"
        sheet.data_validation(first, col, last, col, options)

    def rows_sheet(self, name: str, columns: tuple[Column, ...],
                   rows: list[list[Any]]) -> None:
        sheet = self.book.add_worksheet(name)
        for col, column in enumerate(columns):
            sheet.write_string(0, col, column.header, self.head)
            sheet.set_column(col, col, column.width,
                             self.number if column.year else self.text)
            self.prompt(sheet, 1, col, VALIDATED_ROWS, column)
        for r, values in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                self.cell(sheet, r, col, values[col] if col < len(values) else None, column)
        sheet.freeze_panes(1, 1)
        sheet.set_row(0, 32)

    def vertical_sheet(self, name: str, rows: tuple[tuple[tuple[str, ...], Column], ...],
                       data: dict[Any, Any]) -> None:
        sheet = self.book.add_worksheet(name)
        for col, header in enumerate(("项目", "内容", "说明")):
            sheet.write_string(0, col, header, self.head)
        sheet.set_column(0, 0, 30)
        sheet.set_column(1, 1, 50, self.text)
        sheet.set_column(2, 2, 50, self.note)
        for r, (path, column) in enumerate(rows, start=1):
            sheet.write_string(r, 0, column.header, self.head)
            value = _get(data, path)
            if path == ("schema",) and value is None:
                value = 2
            self.cell(sheet, r, 1, value, column)
            sheet.write_string(r, 2, column.prompt or _default_hint(column), self.note)
            self.prompt(sheet, r, 1, r, column)
        sheet.freeze_panes(1, 1)

    def table_sheet(self, name: str, table: dict[Any, Any]) -> None:
        sheet = self.book.add_worksheet(name)
        text = Column("", "", "text")
        for r, (key, label) in enumerate(TABLE_HEAD):
            sheet.write_string(r, 0, label, self.head)
            value = table.get(key)
            if key == "total":
                value = None if value is None else ("是" if value is True else value)
                if value is False:
                    value = "否"
            self.cell(sheet, r, 1, value, text)
        self.prompt(sheet, 0, 1, 0, Column("表题", "", prompt="表格的标题，不带“表n”"))
        self.prompt(sheet, 1, 1, 1, Column("合计行", "", prompt="是：加一行合计（数字列求和）",
                                           choices="是否"))
        self.prompt(sheet, 2, 1, 2, Column("表注", "", prompt="印在表格下面的注释（可不填）"))
        sheet.write_string(3, 0, f"第 {TABLE_HEADER_ROW} 行写列名（数字列的列名以单位结尾，"
                           "如 企业数（家）、产值（亿元）、占比（%）），下面每行一行数据；"
                           "没有数的格写 — 或空着。", self.note)
        header_row = TABLE_HEADER_ROW - 1
        columns = table.get("columns") or []
        for c, value in enumerate(columns):
            sheet.write_string(header_row, c, _cell_text(value, text), self.head)
        for r, row in enumerate(table.get("rows") or [], start=header_row + 1):
            for c, value in enumerate(row):
                self.cell(sheet, r, c, None if value == "" else value, text)
        sheet.set_column(0, max(len(columns), 6) - 1, 16, self.text)
        sheet.freeze_panes(TABLE_HEADER_ROW, 0)

    def choices(self, names: list[str]) -> None:
        sheet = self.book.add_worksheet(CHOICES)
        col = 0
        for name, values in LISTS.items():
            for r, value in enumerate(values):
                sheet.write_string(r, col, value)
            letter = _letter(col)
            self.book.define_name(name, f"={CHOICES}!${letter}$1:${letter}${len(values)}")
            col += 1
        # 所属列表: 全地区 and the names typed in 产业集群 (formulas follow what staff type).
        letter = _letter(col)
        sheet.write_string(0, col, OWNER_ALL)
        for r in range(1, VALIDATED_ROWS + 1):
            shown = names[r - 1] if r - 1 < len(names) else ""
            sheet.write_formula(r, col, f'=IF({CLUSTERS}!A{r + 1}="","",{CLUSTERS}!A{r + 1})',
                                None, shown)
        self.book.define_name("所属列表", f"={CHOICES}!${letter}$1:${letter}${VALIDATED_ROWS + 1}")
        self.book.define_name("集群名称", f"={CLUSTERS}!$A$2:$A${VALIDATED_ROWS + 1}")
        # Groups once typed: the drop-down of 集群分组 offers the groups of the rows above.
        group = _letter([c.key for c in CLUSTER_COLUMNS].index("group"))
        self.book.define_name("集群分组",
                              f"={CLUSTERS}!${group}$2:${group}${VALIDATED_ROWS + 1}")
        sheet.hide()

    def guide(self) -> None:
        sheet = self.book.add_worksheet(README)
        title = self.book.add_format({"bold": True, "font_size": 14})
        wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        sheet.set_column(0, 0, 110)
        for r, line in enumerate(_GUIDE):
            sheet.write_string(r, 0, line, title if r == 0 else wrap)


def write_workbook(path: str | Path, data: dict[Any, Any] | None = None) -> None:
    """Write the fill-in workbook at `path`, filled from normalised survey data if given.

    `data` is the plain data of a valid survey after `normalise` (see `survey_data`).
    """
    data = data or {}
    writer = _Writer(Path(path))
    tables: list[tuple[str, dict[Any, Any]]] = []

    def table_names(owner: dict[Any, Any]) -> str | None:
        names = []
        for table in owner.get("tables") or []:
            name = f"{TABLE_PREFIX}{len(tables) + 1}"
            tables.append((name, table))
            names.append(name)
        return "\n".join(names) or None

    writer.guide()
    overview = dict(data.get("overview") or {})
    top_tables = table_names(data)
    writer.vertical_sheet(BASIC, BASIC_ROWS, data)
    writer.vertical_sheet(OVERVIEW, OVERVIEW_ROWS, {**data, "overview": overview,
                                                     "tables": top_tables})
    cluster_rows: list[list[Any]] = []
    indicator_rows: list[list[Any]] = []
    history_rows: list[list[Any]] = []
    target_rows: list[list[Any]] = []
    topic_rows: list[list[Any]] = []
    names: list[str] = []

    def owner_rows(owner: dict[Any, Any], name: str) -> None:
        for item in owner.get("indicators") or []:
            indicator_rows.append([name, KIND_INDICATOR, item.get("name"), item.get("value"),
                                   item.get("growth"), _rank(item.get("rank")),
                                   item.get("year"), item.get("note"), None])
        for honor, count in (owner.get("honors") or {}).items():
            indicator_rows.append([name, KIND_HONOR, honor, count])
        for share in owner.get("market_shares") or []:
            indicator_rows.append([name, KIND_SHARE, share.get("product"), share.get("value"),
                                   None, None, None, None, share.get("scope")])
        for year, value in (owner.get("history") or {}).items():
            history_rows.append([name, year, value])
        for target in owner.get("targets") or []:
            target_rows.append([name, target.get("year"), target.get("name"),
                                target.get("value"), target.get("text")])
        topic_rows.extend([name, *row] for row in _finding_rows(owner.get("topics") or [], 1,
                                                                table_names))

    def cluster_row(owner: dict[Any, Any], parent: str | None) -> None:
        row = []
        for column in CLUSTER_COLUMNS:
            if column.header == "所属集群":
                row.append(parent)
            elif column.key == "rank":
                row.append(_rank(owner.get("rank")))
            elif column.key == "tables":
                row.append(table_names(owner))
            elif column.key == "market_share" and "market_shares" in owner:
                row.append(None)
            else:
                row.append(owner.get(column.key))
        cluster_rows.append(row)
        names.append(_name(owner))

    clusters = [c for c in data.get("clusters") or [] if isinstance(c, dict)]
    for cluster in clusters:
        cluster_row(cluster, None)
    for cluster in clusters:
        for part in cluster.get("parts") or []:
            cluster_row(part, _name(cluster))
    if overview:
        owner_rows(overview, OWNER_ALL)
    for cluster in clusters:
        owner_rows(cluster, _name(cluster))
        for part in cluster.get("parts") or []:
            owner_rows(part, _name(part))
    writer.rows_sheet(CLUSTERS, CLUSTER_COLUMNS, cluster_rows)
    writer.rows_sheet(INDICATORS, INDICATOR_COLUMNS, indicator_rows)
    writer.rows_sheet(HISTORY, HISTORY_COLUMNS, history_rows)
    writer.rows_sheet(TARGETS, TARGET_COLUMNS, target_rows)
    writer.rows_sheet(TOPICS, TOPIC_COLUMNS, topic_rows)
    for key, sheet in FINDING_SHEETS:
        section = data.get(key) or {}
        rows: list[list[Any]] = []
        if section.get("intro") is not None:
            rows.append([LEVEL_INTRO, None, section["intro"]])
        rows.extend(_finding_rows(section.get("items") or [], 1, table_names))
        if section.get("outro") is not None:
            rows.append([LEVEL_OUTRO, None, section["outro"]])
        writer.rows_sheet(sheet, FINDING_COLUMNS, rows)
    section_rows: list[list[Any]] = []
    for section in data.get("sections") or []:
        section_rows.append([LEVEL_SECTION, section.get("title"), section.get("after"),
                             section.get("intro"), None, None, table_names(section)])
        for row in _finding_rows(section.get("items") or [], 1, table_names):
            section_rows.append([row[0], row[1], None, *row[2:]])
        if section.get("outro") is not None:
            section_rows.append([LEVEL_OUTRO, None, None, section["outro"]])
    writer.rows_sheet(SECTIONS, SECTION_COLUMNS, section_rows)
    if not tables:
        tables.append((f"{TABLE_PREFIX}1", {}))  # an empty one to copy; unused, it is ignored
    for name, table in tables:
        writer.table_sheet(name, table)
    writer.choices(names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer.book.close()


def _finding_rows(findings: list[Any], level: int, table_names: Any) -> list[list[Any]]:
    """[级别, 标题, 详细说明, 具体措施, 涉及的集群, 表格] for each finding, depth first."""
    rows: list[list[Any]] = []
    for finding in findings:
        if isinstance(finding, str):
            finding = {"title": finding}
        rows.append([str(level), finding.get("title"), finding.get("detail"),
                     finding.get("measures"), finding.get("clusters"), table_names(finding)])
        rows.extend(_finding_rows(finding.get("items") or [], level + 1, table_names))
    return rows


def _rank(rank: Any) -> Any:
    if isinstance(rank, dict):
        return f"{rank.get('scope', '')}第{rank.get('place', '')}位"
    return rank


def _name(owner: dict[Any, Any]) -> str:
    name = owner.get("name")
    return name.strip() if isinstance(name, str) else str(name or "")


def _get(data: dict[Any, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


def _cell_text(value: Any, column: Column) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "\n".join(_cell_text(v, column) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _default_hint(column: Column) -> str:
    return "可不填" if column.kind != "value" else ""


def _letter(col: int) -> str:
    return chr(65 + col)


def survey_data(path: str | Path) -> dict[Any, Any]:
    """The normalised plain data of a valid YAML survey, for `write_workbook`.

    Raises SurveyError when the survey has problems (a workbook is made from a good survey).
    """
    import warnings as _warnings

    from ruamel.yaml.error import YAMLFutureWarning, YAMLWarning

    from reportgen.errors import SurveyError
    from reportgen.survey import loader
    from reportgen.survey.labels import SourceMap
    from reportgen.survey.normalize import normalise, schema_of, strip_levels
    from reportgen.survey.values2 import survey_context

    problems = loader.check_survey(path)
    if problems:
        raise SurveyError(str(path), problems)
    raw = loader._read(path)
    assert isinstance(raw, bytes)
    where = SourceMap(str(path))
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", YAMLWarning)
        _warnings.simplefilter("ignore", YAMLFutureWarning)
        converted = loader._convert(raw, where)
    assert not isinstance(converted, loader.Problem)
    data = converted[0]
    with survey_context(schema_of(data)):
        normalise(data, where)
    strip_levels(data)
    return data


__all__ = ["survey_data", "write_workbook"]
