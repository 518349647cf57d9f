"""Reading the sheets of a fill-in workbook into a survey's plain data, with positions.

The cells of each sheet (values only, from `workbook._open`) become the dicts, lists and
scalars the YAML loader produces for the same survey; every value's cell is recorded in the
WorkbookMap, and mistakes only a workbook can make (an unknown sheet or column, a row naming a
cluster that is not there, a level that skips one) are refused here, at their cell. Everything
else is left to the loader's rules and model, so the wording is the same as for YAML.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from reportgen.errors import Problem
from reportgen.survey.workbook_layout import (
    BASIC,
    BASIC_ROWS,
    CLUSTERS,
    FINDING_SHEETS,
    HISTORY,
    INDICATORS,
    KIND_HONOR,
    KIND_INDICATOR,
    KIND_SHARE,
    LEVEL_INTRO,
    LEVEL_OUTRO,
    LEVEL_SECTION,
    OVERVIEW,
    OVERVIEW_ROWS,
    OWNER_ALL,
    ROW_SHEETS,
    SECTIONS,
    SHEET_ORDER,
    TABLE_HEAD,
    TABLE_HEADER_ROW,
    TABLE_MAX_COLUMNS,
    TABLE_PREFIX,
    TARGETS,
    TOPICS,
    Column,
)

if TYPE_CHECKING:
    from reportgen.survey.workbook import WorkbookMap

Path_ = tuple[Any, ...]
ROWS = 1_000_000  # rows per sheet in an encoded position
_BARE = re.compile(r"(约|近|超过|超|逾|不到|不足)?([0-9０-９]+(?:[.．][0-9０-９]+)?)(多|余)?"
                   r"(以上|以下|左右)?")

def cell_name(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


@dataclass
class _Cell:
    value: Any
    number_format: str = "General"
    unsaved: bool = False  # a formula with no saved value


Grid = dict[tuple[int, int], _Cell]


def _number_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return repr(value)


def _percent_text(value: float | int, number_format: str) -> str:
    """A cell Excel turned into a percentage (12.5% typed → 0.125): its text as typed."""
    try:
        number = (Decimal(repr(value)) * 100).normalize()
    except InvalidOperation:  # pragma: no cover - repr of a float is a number
        return str(value)
    text = format(number, "f")
    return f"{text}‰" if "‰" in number_format else f"{text}%"


class _Reader:
    """Builds the plain data of one workbook, with positions and workbook-only problems."""

    def __init__(self, grids: dict[str, Grid], where: WorkbookMap) -> None:
        self.grids = grids
        self.where = where
        self.problems: list[Problem] = []
        self.data: dict[Any, Any] = {}
        self.owners: dict[str, tuple[Path_, dict[Any, Any]]] = {}
        self.table_refs: list[tuple[dict[Any, Any], Path_, list[str], str, int, int]] = []
        for sheet in grids:
            where.pos(sheet, 1, 1)  # sheets numbered in workbook order

    # --- cells --------------------------------------------------------------------------

    def refuse(self, sheet: str, row: int, col: int, label: str, message: str) -> None:
        self.problems.append(self.where.cell_problem(sheet, row, col, label, message))

    def read(self, sheet: str, row: int, col: int, column: Column, path: Path_ | None,
             ) -> Any:
        """The value of a cell as the YAML loader would see it; None when empty."""
        if path is not None:
            self.where.cells[path] = self.where.pos(sheet, row, col)
        cell = self.grids[sheet].get((row, col))
        if cell is None:
            return None
        if cell.unsaved:
            self.refuse(sheet, row, col, column.header.split("（")[0],
                        "公式没有保存的计算结果；请在 Excel 或 WPS 中打开并保存一次，"
                        "或直接填写数值")
            return None
        value = _convert(cell, column)
        if value is None:
            return None
        if path is not None:
            at = self.where.pos(sheet, row, col)
            self.where.values[path] = at
            self.where.keys[path] = at
        return value

    # --- the sheets ---------------------------------------------------------------------

    def run(self) -> dict[Any, Any]:
        known = set(SHEET_ORDER)
        for sheet in self.grids:
            if sheet not in known and not sheet.startswith(TABLE_PREFIX):
                self.refuse(sheet, 1, 1, "", f"未知的工作表“{sheet}”；表格工作表的名称以"
                            f"“{TABLE_PREFIX}”开头（如 表1），其他工作表请删去")
        for sheet in (BASIC, CLUSTERS):
            if sheet not in self.grids:
                self.problems.append(self.where.file_problem(
                    f"缺少工作表“{sheet}”；请用 reportgen workbook new 生成的填写表填写", 0, 0))
        self.where.values[()] = self.where.pos(BASIC, 1, 1) if BASIC in self.grids else (0, 0)
        self.vertical(BASIC, BASIC_ROWS)
        self.vertical(OVERVIEW, OVERVIEW_ROWS)
        self.clusters()
        self.indicators()
        self.history()
        self.targets()
        self.topics()
        for key, sheet in FINDING_SHEETS:
            self.findings(key, sheet)
        self.sections()
        self.tables()
        return _ordered(self.data)

    def vertical(self, sheet: str, rows: tuple[tuple[Path_, Column], ...]) -> None:
        grid = self.grids.get(sheet)
        if grid is None:
            return
        by_label = {column.header: (path, column) for path, column in rows}
        seen: dict[str, int] = {}
        last = max((r for r, _ in grid), default=1)
        for row in range(2, last + 1):
            label = _text(grid.get((row, 1)))
            value_cell = grid.get((row, 2))
            if not label:
                if value_cell is not None:
                    self.refuse(sheet, row, 1, "项目", "这一行没有项目名称；请不要在表中添加行，"
                                "或删去这一行的内容")
                continue
            if label not in by_label:
                if value_cell is not None:
                    self.refuse(sheet, row, 1, "项目", f"未知的项目“{label}”；请不要改动项目列")
                continue
            if label in seen:
                self.refuse(sheet, row, 1, "项目", f"项目“{label}”与第 {seen[label]} 行重复")
                continue
            seen[label] = row
            path, column = by_label[label]
            parent = path[:-1]
            if parent and parent not in self.where.cells:
                self.where.cells[parent] = self.where.pos(sheet, row, 2)
            value = self.read(sheet, row, 2, column, path)
            if value is not None:
                _put(self.data, path, value)
                for i in range(1, len(path)):
                    self.where.values.setdefault(path[:i], self.where.pos(sheet, row, 2))

    def header(self, sheet: str) -> dict[int, Column] | None:
        grid = self.grids.get(sheet)
        if grid is None:
            return None
        columns = {c.header: c for c in ROW_SHEETS[sheet]}
        found: dict[int, Column] = {}
        seen: dict[str, int] = {}
        for (row, col), cell in sorted(grid.items()):
            if row != 1:
                continue
            text = _text(cell)
            if not text:
                continue
            if text in seen:
                self.refuse(sheet, 1, col, "表头", f"列“{text}”与 {cell_name(1, seen[text])} "
                            "重复；每列只能出现一次")
            elif text in columns:
                found[col] = columns[text]
                seen[text] = col
            else:
                choices = "、".join(columns)
                self.refuse(sheet, 1, col, "表头", f"未知的列“{text}”；这张表的列有：{choices}")
        rows = [r for r, _ in grid if r > 1]
        for column in ROW_SHEETS[sheet]:
            needed = column is ROW_SHEETS[sheet][0] or column.header == "级别"
            if needed and column.header not in seen and rows:
                self.refuse(sheet, 1, 1, "表头", f"缺少列“{column.header}”；请不要删改表头"
                            "（可用 reportgen workbook new 生成一份新表对照）")
        return found

    def rows(self, sheet: str) -> list[int]:
        grid = self.grids.get(sheet, {})
        return sorted({r for r, _ in grid if r > 1})

    def row_values(self, sheet: str, row: int, header: dict[int, Column], base: Path_,
                   skip: tuple[str, ...] = (), rename: dict[str, str] | None = None,
                   ) -> dict[Any, Any]:
        """The keyed cells of one row as a mapping at `base` (unkeyed columns left out)."""
        item: dict[Any, Any] = {}
        for col, column in header.items():
            if not column.key or column.key in skip:
                continue
            key = (rename or {}).get(column.key, column.key)
            value = self.read(sheet, row, col, column, (*base, key))
            if value is None:
                continue
            if key == "tables":
                self.table_refs.append((item, (*base, key), value, sheet, row, col))
            item[key] = value
        return item

    def column_of(self, header: dict[int, Column], name: str) -> int | None:
        for col, column in header.items():
            if column.header == name:
                return col
        return None

    def text_at(self, sheet: str, row: int, col: int | None) -> str:
        if col is None:
            return ""
        cell = self.grids[sheet].get((row, col))
        if cell is not None and cell.unsaved:
            self.refuse(sheet, row, col, "", "公式没有保存的计算结果；请在 Excel 或 WPS 中打开"
                        "并保存一次，或直接填写")
            return ""
        return _text(cell)

    def clusters(self) -> None:
        header = self.header(CLUSTERS)
        if header is None:
            return
        self.where.cells[("clusters",)] = self.where.pos(CLUSTERS, 2, 1)
        parent_col = self.column_of(header, "所属集群")
        clusters: list[dict[Any, Any]] = []
        parts: list[tuple[int, str]] = []
        for row in self.rows(CLUSTERS):
            parent = self.text_at(CLUSTERS, row, parent_col)
            if parent:
                parts.append((row, parent))
                continue
            path = ("clusters", len(clusters))
            self.where.values[path] = self.where.pos(CLUSTERS, row, 1)
            self.where.sequences.add(("clusters",))
            cluster = self.row_values(CLUSTERS, row, header, path)
            clusters.append(cluster)
            name = _name_of(cluster)
            if name and name not in self.owners:
                self.owners[name] = (path, cluster)
        if clusters:
            self.data["clusters"] = clusters
        for row, parent in parts:
            owner = self.owners.get(parent)
            if owner is None or len(owner[0]) != 2:
                self.refuse(CLUSTERS, row, parent_col or 1, "所属集群",
                            f"“{parent}”不是本表中的集群（所属集群列空着的行）；子产业的所属集群"
                            "请填它所在集群的名称")
                continue
            cluster_path, cluster = owner
            siblings = cluster.setdefault("parts", [])
            path = (*cluster_path, "parts", len(siblings))
            self.where.sequences.add((*cluster_path, "parts"))
            self.where.values[path] = self.where.pos(CLUSTERS, row, 1)
            self.where.keys.setdefault((*cluster_path, "parts"), self.where.pos(CLUSTERS, row, 1))
            part = self.row_values(CLUSTERS, row, header, path)
            siblings.append(part)
            name = _name_of(part)
            if name and name not in self.owners:
                self.owners[name] = (path, part)

    def owner(self, sheet: str, row: int, col: int | None, overview: bool,
              ) -> tuple[Path_, dict[Any, Any]] | None:
        name = self.text_at(sheet, row, col)
        if overview and name == OWNER_ALL:
            overview_data = self.data.setdefault("overview", {})
            self.where.values.setdefault(("overview",), self.where.pos(sheet, row, col or 1))
            return ("overview",), overview_data
        found = self.owners.get(name)
        if found is None and CLUSTERS in self.grids:  # (a missing sheet is reported once)
            label = "所属" if overview else "集群名称" if sheet == HISTORY else "所属集群"
            whole = f"，或“{OWNER_ALL}”" if overview else ""
            what = f"“{name}”不是" if name else "没有填写；应填"
            self.refuse(sheet, row, col or 1, label,
                        f"{what}“{CLUSTERS}”表中的集群或子产业名称{whole}；请从下拉列表中选择")
        return found

    def indicators(self) -> None:
        header = self.header(INDICATORS)
        if header is None:
            return
        owner_col = self.column_of(header, "所属")
        kind_col = self.column_of(header, "类别")
        honors_seen: dict[tuple[Path_, str], int] = {}
        for row in self.rows(INDICATORS):
            found = self.owner(INDICATORS, row, owner_col, overview=True)
            if found is None:
                continue
            path, owner = found
            kind = self.text_at(INDICATORS, row, kind_col) or KIND_INDICATOR
            if kind not in (KIND_INDICATOR, KIND_HONOR, KIND_SHARE):
                self.refuse(INDICATORS, row, kind_col or 1, "类别", f"“{kind}”不是可选的类别；"
                            f"请写以下之一：{KIND_INDICATOR}、{KIND_HONOR}、{KIND_SHARE}")
                continue
            if kind != KIND_INDICATOR and path == ("overview",):
                self.refuse(INDICATORS, row, kind_col or 1, "类别",
                            f"{kind}只能属于集群或子产业，不能属于{OWNER_ALL}；"
                            "全地区的数字请写成指标")
                continue
            allowed = {KIND_INDICATOR: ("name", "value", "growth", "rank", "year", "note"),
                       KIND_HONOR: ("name", "value"),
                       KIND_SHARE: ("name", "value", "scope")}[kind]
            if not self._only(INDICATORS, row, header, allowed, kind):
                continue
            if kind == KIND_INDICATOR:
                items = owner.setdefault("indicators", [])
                base = (*path, "indicators", len(items))
                self.where.sequences.add((*path, "indicators"))
                self.where.values[base] = self.where.pos(INDICATORS, row, owner_col or 1)
                self.where.keys.setdefault((*path, "indicators"), self.where.values[base])
                items.append(self.row_values(INDICATORS, row, header, base, skip=("scope",)))
            elif kind == KIND_SHARE:
                if not isinstance(owner.get("market_share", []), list):
                    self.refuse(INDICATORS, row, kind_col or 1, "类别",
                                "这个集群已在“产业集群”表填写了国内市场占有率；分范围、分产品的"
                                "市场占有率与它只能用一种，请把那一格也写到这张表"
                                "（市场范围写 国内）")
                    continue
                items = owner.setdefault("market_share", [])
                base = (*path, "market_share", len(items))
                self.where.sequences.add((*path, "market_share"))
                self.where.values[base] = self.where.pos(INDICATORS, row, owner_col or 1)
                self.where.keys.setdefault((*path, "market_share"), self.where.values[base])
                items.append(self.row_values(INDICATORS, row, header, base,
                                             rename={"name": "product"}))
            else:
                self._honor(row, header, path, owner, honors_seen)

    def _only(self, sheet: str, row: int, header: dict[int, Column], allowed: tuple[str, ...],
              kind: str) -> bool:
        for col, column in header.items():
            if column.key and column.key not in allowed and \
                    self.grids[sheet].get((row, col)) is not None:
                self.refuse(sheet, row, col, column.header,
                            f"{kind}不填“{column.header}”；请删去这一格，或改正类别")
                return False
        return True

    def _honor(self, row: int, header: dict[int, Column], path: Path_, owner: dict[Any, Any],
               seen: dict[tuple[Path_, str], int]) -> None:
        name_col = self.column_of(header, "名称")
        value_col = self.column_of(header, "数值")
        name = self.text_at(INDICATORS, row, name_col)
        if not name:
            self.refuse(INDICATORS, row, name_col or 1, "名称", "名牌或商标的种类没有填写；"
                        "请填写，如 国家名牌产品")
            return
        if (path, name) in seen:
            self.refuse(INDICATORS, row, name_col or 1, "名称", f"“{name}”与第 "
                        f"{seen[(path, name)]} 行重复；每种名牌或商标只能写一次")
            return
        seen[(path, name)] = row
        honors = owner.setdefault("honors", {})
        key_path = (*path, "honors", name)
        self.where.values.setdefault((*path, "honors"),
                                     self.where.pos(INDICATORS, row, name_col or 1))
        value = None
        if value_col is not None:
            value = self.read(INDICATORS, row, value_col, header[value_col], key_path)
        self.where.keys[key_path] = self.where.pos(INDICATORS, row, name_col or 1)
        if value is None:
            self.refuse(INDICATORS, row, value_col or 1, "数值",
                        f"“{name}”没有填写件数；请填写，或删去这一行")
            return
        honors[name] = value

    def history(self) -> None:
        header = self.header(HISTORY)
        if header is None:
            return
        owner_col = self.column_of(header, "集群名称")
        year_col = self.column_of(header, "年份")
        value_col = self.column_of(header, "产值（亿元）")
        seen: dict[tuple[Path_, Any], int] = {}
        for row in self.rows(HISTORY):
            found = self.owner(HISTORY, row, owner_col, overview=False)
            if found is None:
                continue
            path, owner = found
            year = None
            if year_col is not None:
                year = self.read(HISTORY, row, year_col, header[year_col], None)
            if isinstance(year, str) and year.isdigit():
                year = int(year)
            if year is None:
                self.refuse(HISTORY, row, year_col or 1, "年份", "年份没有填写；请填写，如 2022")
                continue
            if (path, year) in seen:
                self.refuse(HISTORY, row, year_col or 1, "年份",
                            f"年份 {year} 与第 {seen[(path, year)]} 行重复；每年只能写一次")
                continue
            seen[(path, year)] = row
            key_path = (*path, "history", year)
            value = None
            if value_col is not None:
                value = self.read(HISTORY, row, value_col, header[value_col], key_path)
            self.where.keys[key_path] = self.where.pos(HISTORY, row, year_col or 1)
            self.where.values.setdefault((*path, "history"),
                                         self.where.pos(HISTORY, row, year_col or 1))
            if value is None:
                self.refuse(HISTORY, row, value_col or 1, "产值",
                            f"{year} 年的产值没有填写；请填写，或删去这一行")
                continue
            owner.setdefault("history", {})[year] = value

    def targets(self) -> None:
        header = self.header(TARGETS)
        if header is None:
            return
        owner_col = self.column_of(header, "所属")
        for row in self.rows(TARGETS):
            found = self.owner(TARGETS, row, owner_col, overview=True)
            if found is None:
                continue
            path, owner = found
            items = owner.setdefault("targets", [])
            base = (*path, "targets", len(items))
            self.where.sequences.add((*path, "targets"))
            self.where.values[base] = self.where.pos(TARGETS, row, owner_col or 1)
            self.where.keys.setdefault((*path, "targets"), self.where.values[base])
            items.append(self.row_values(TARGETS, row, header, base))

    # --- findings -----------------------------------------------------------------------

    def level(self, sheet: str, row: int, col: int | None, words: tuple[str, ...]) -> Any:
        """A row's level: 1, 2, 3 …, or one of `words` (导语, 结语, 章节); None if invalid."""
        text = self.text_at(sheet, row, col)
        if not text:
            return 1
        if text in words:
            return text
        if text.isdigit() and int(text) >= 1:
            return int(text)
        choices = "、".join([*words, "1", "2", "3"])
        self.refuse(sheet, row, col or 1, "级别",
                    f"“{text}”不是可选的级别；请写以下之一：{choices}")
        return None

    def tree(self, sheet: str, rows: list[tuple[int, int]], header: dict[int, Column],
             base: Path_, top: list[dict[Any, Any]] | None = None) -> list[dict[Any, Any]]:
        """Findings nested by level: level 1 in a list at `base`, level n+1 in `items`."""
        top = [] if top is None else top
        stack: list[tuple[Path_, dict[Any, Any]]] = []
        level_col = self.column_of(header, "级别")
        for row, level in rows:
            if level > len(stack) + 1:
                self.refuse(sheet, row, level_col or 1, "级别",
                            f"级别 {level} 的上面没有级别 {level - 1} 的条目；分项请紧接在它所属的"
                            "条目下面")
                continue
            del stack[level - 1:]
            if stack:
                parent_path, parent = stack[-1]
                siblings = parent.setdefault("items", [])
                list_path = (*parent_path, "items")
            else:
                siblings, list_path = top, base
            path = (*list_path, len(siblings))
            self.where.sequences.add(list_path)
            self.where.values[path] = self.where.pos(sheet, row, level_col or 1)
            self.where.keys.setdefault(list_path, self.where.values[path])
            finding = self.row_values(sheet, row, header, path)
            siblings.append(finding)
            stack.append((path, finding))
        return top

    def findings(self, key: str, sheet: str) -> None:
        header = self.header(sheet)
        if header is None:
            return
        level_col = self.column_of(header, "级别")
        detail_col = self.column_of(header, "详细说明")
        self.where.cells[(key,)] = self.where.pos(sheet, 2, 1)
        rows: list[tuple[int, int]] = []
        ends: dict[str, int] = {}
        for row in self.rows(sheet):
            level = self.level(sheet, row, level_col, (LEVEL_INTRO, LEVEL_OUTRO))
            if level is None:
                continue
            if isinstance(level, str):
                if level in ends:
                    self.refuse(sheet, row, level_col or 1, "级别",
                                f"{level}与第 {ends[level]} 行重复；只能有一行{level}")
                    continue
                if self._only(sheet, row, header, ("detail",), level):
                    ends[level] = row
                continue
            rows.append((row, level))
        mapping = bool(ends)
        base = (key, "items") if mapping else (key,)
        items = self.tree(sheet, rows, header, base)
        if not (items or ends):
            return
        if not mapping:
            self.data[key] = items
            return
        section: dict[Any, Any] = {}
        for word, name in ((LEVEL_INTRO, "intro"), (LEVEL_OUTRO, "outro")):
            if word in ends and detail_col is not None:
                value = self.read(sheet, ends[word], detail_col, header[detail_col], (key, name))
                if value is not None:
                    section[name] = value
        section["items"] = items
        self.data[key] = section

    def topics(self) -> None:
        header = self.header(TOPICS)
        if header is None:
            return
        owner_col = self.column_of(header, "所属集群")
        level_col = self.column_of(header, "级别")
        groups: list[tuple[Path_, dict[Any, Any], list[tuple[int, int]]]] = []
        for row in self.rows(TOPICS):
            found = self.owner(TOPICS, row, owner_col, overview=False)
            level = self.level(TOPICS, row, level_col, ())
            if found is None or level is None:
                continue
            if not groups or groups[-1][0] != found[0]:
                groups.append((found[0], found[1], []))
            groups[-1][2].append((row, level))
        for path, owner, rows in groups:
            # Rows of one owner written apart are numbered on from its earlier ones.
            self.tree(TOPICS, rows, header, (*path, "topics"), owner.setdefault("topics", []))

    def sections(self) -> None:
        header = self.header(SECTIONS)
        if header is None:
            return
        level_col = self.column_of(header, "级别")
        detail_col = self.column_of(header, "详细说明")
        sections: list[tuple[int, list[tuple[int, int]], list[int]]] = []
        for row in self.rows(SECTIONS):
            level = self.level(SECTIONS, row, level_col, (LEVEL_SECTION, LEVEL_OUTRO))
            if level is None:
                continue
            if level == LEVEL_SECTION:
                sections.append((row, [], []))
            elif not sections:
                self.refuse(SECTIONS, row, level_col or 1, "级别",
                            f"这一行上面没有“{LEVEL_SECTION}”行；请先写一行级别为{LEVEL_SECTION}"
                            "的章节标题")
            elif level == LEVEL_OUTRO:
                if self._only(SECTIONS, row, header, ("detail",), LEVEL_OUTRO):
                    sections[-1][2].append(row)
            else:
                sections[-1][1].append((row, level))
        if not sections:
            return
        out = []
        for i, (row, items, outros) in enumerate(sections):
            path = ("sections", i)
            self.where.values[path] = self.where.pos(SECTIONS, row, level_col or 1)
            section = self.row_values(SECTIONS, row, header, path,
                                      skip=("measures", "clusters"),
                                      rename={"detail": "intro"})
            for col, column in header.items():
                if column.key in ("measures", "clusters") and \
                        self.grids[SECTIONS].get((row, col)) is not None:
                    self.refuse(SECTIONS, row, col, column.header,
                                f"章节行不填“{column.header}”；请写在它下面的条目行")
            if items:
                section["items"] = self.tree(SECTIONS, items, header, (*path, "items"))
            for extra in outros[:1]:
                if detail_col is not None:
                    value = self.read(SECTIONS, extra, detail_col, header[detail_col],
                                      (*path, "outro"))
                    if value is not None:
                        section["outro"] = value
            for extra in outros[1:]:
                self.refuse(SECTIONS, extra, level_col or 1, "级别",
                            f"这一章节已有一行结语（第 {outros[0]} 行）")
            out.append(section)
        self.where.sequences.add(("sections",))
        self.data["sections"] = out

    # --- staff tables -------------------------------------------------------------------

    def tables(self) -> None:
        names = [s for s in self.grids if s.startswith(TABLE_PREFIX)]
        used: set[str] = set()
        for owner, path, value, sheet, row, col in self.table_refs:
            refs = value if isinstance(value, list) else [value]
            tables: list[dict[Any, Any]] = []
            for name in refs:
                name = str(name).strip()
                if name not in names:
                    self.refuse(sheet, row, col, "表格", f"没有名为“{name}”的工作表；"
                                f"请填写表格工作表的名称（如 {TABLE_PREFIX}1）")
                    continue
                used.add(name)
                tables.append(self.table(name, (*path, len(tables))))
            self.where.sequences.add(path)
            owner[path[-1]] = tables
        tables_path = ("tables",)
        top = self.data.get("tables")
        if top is not None:
            refs = top if isinstance(top, list) else [top]
            row, col = divmod(self.where.cells.get(tables_path, (0, 0))[0], ROWS)[1], 2
            tables = []
            for name in refs:
                name = str(name).strip()
                if name not in names:
                    self.refuse(OVERVIEW, row, col, "现状表格", f"没有名为“{name}”的工作表；"
                                f"请填写表格工作表的名称（如 {TABLE_PREFIX}1）")
                    continue
                used.add(name)
                tables.append(self.table(name, (*tables_path, len(tables))))
            self.where.sequences.add(tables_path)
            self.data["tables"] = tables
        for name in names:
            if name not in used and _filled_table(self.grids[name]):
                self.refuse(name, 1, 1, "表格", f"表格“{name}”没有被引用；请在它所属的集群、"
                            "条目或章节的“表格”列（现状一节的表格在“总体情况”表的“现状表格”）"
                            "填写这个工作表的名称，或删去这张工作表")

    def table(self, sheet: str, path: Path_) -> dict[Any, Any]:
        grid = self.grids[sheet]
        table: dict[Any, Any] = {}
        self.where.values[path] = self.where.pos(sheet, 1, 1)
        for row, (key, label) in enumerate(TABLE_HEAD, start=1):
            text = _text(grid.get((row, 1)))
            if text != label:
                self.refuse(sheet, row, 1, label, f"这一格应为“{label}”；请不要改动表格工作表的"
                            "前三行的项目名称")
                continue
            kind = "bool" if key == "total" else "para" if key == "note" else "text"
            value = self.read(sheet, row, 2, Column(label, key, kind), (*path, key))
            if value is not None:
                table[key] = value
        header_cols = [c for (r, c) in grid if r == TABLE_HEADER_ROW]
        width = max(header_cols, default=0)
        if width > TABLE_MAX_COLUMNS:
            self.refuse(sheet, TABLE_HEADER_ROW, TABLE_MAX_COLUMNS + 1, "列名",
                        f"表格最多 {TABLE_MAX_COLUMNS} 列")
            width = TABLE_MAX_COLUMNS
        columns = []
        text_column = Column("", "", "text")
        self.where.cells[(*path, "columns")] = self.where.pos(sheet, TABLE_HEADER_ROW, 1)
        self.where.sequences.add((*path, "columns"))
        for col in range(1, width + 1):
            value = self.read(sheet, TABLE_HEADER_ROW, col, text_column,
                              (*path, "columns", col - 1))
            columns.append("" if value is None else value)
        if columns:
            table["columns"] = columns
        rows: list[list[Any]] = []
        self.where.cells[(*path, "rows")] = self.where.pos(sheet, TABLE_HEADER_ROW + 1, 1)
        self.where.sequences.add((*path, "rows"))
        for row in sorted({r for r, _ in grid if r > TABLE_HEADER_ROW}):
            last = max(c for r, c in grid if r == row)
            row_path = (*path, "rows", len(rows))
            self.where.values[row_path] = self.where.pos(sheet, row, 1)
            self.where.sequences.add(row_path)
            cells = []
            for col in range(1, max(last, width) + 1):
                value = self.read(sheet, row, col, text_column, (*row_path, col - 1))
                cells.append("" if value is None else value)
            rows.append(cells)
        if rows:
            table["rows"] = rows
        return table


def _filled_table(grid: Grid) -> bool:
    """A table sheet with something filled in (the labels of an empty one do not count)."""
    return any(row >= TABLE_HEADER_ROW or col > 1 for row, col in grid)


def _name_of(owner: dict[Any, Any]) -> str:
    name = owner.get("name")
    return name.strip() if isinstance(name, str) else ""


def _text(cell: _Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()


def _convert(cell: _Cell, column: Column) -> Any:
    """A cell's value as the YAML loader would read `key: value` for this column."""
    value = cell.value
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if column.kind != "para":
            value = value.strip()
        elif not value.strip():
            return None
        if value == "":
            return None
    if column.kind == "bool":
        if isinstance(value, str) and value.lower() in ("是", "true"):
            return True
        if isinstance(value, str) and value.lower() in ("否", "false"):
            return False
        return value
    if column.kind == "lines":
        text = _text(_Cell(value))
        items = [line.strip() for line in text.split("\n") if line.strip()]
        return items or None
    if column.kind in ("text", "para"):
        if isinstance(value, str):
            return value
        return _text(_Cell(value))
    # value: figures, dates and integers
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float):
        if "%" in cell.number_format or "‰" in cell.number_format:
            return _percent_text(value, cell.number_format)
        text = _number_text(float(value)) if isinstance(value, float) else str(value)
        if column.unit:
            return text + column.unit
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else text
    if isinstance(value, str) and column.unit:
        match = _BARE.fullmatch(value)
        if match:
            before, number, more, after = match.groups()
            return f"{before or ''}{number}{more or ''}{column.unit}{after or ''}"
    if isinstance(value, str) and re.fullmatch(r"[-+]?[0-9]{1,18}", value):
        return int(value)  # as YAML reads a plain 169
    return value


def _put(data: dict[Any, Any], path: Path_, value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


_TOP_ORDER = ("schema", "units", "region", "report", "totals", "overview", "clusters", "tables",
              "problems", "causes", "suggestions", "sections")


def _ordered(data: dict[Any, Any]) -> dict[Any, Any]:
    return {key: data[key] for key in _TOP_ORDER if key in data}
