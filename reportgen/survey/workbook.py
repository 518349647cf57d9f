"""Reading a fill-in workbook (.xlsx) as a survey: the same rules and wording as YAML.

The workbook (see `workbook_layout`) is read with openpyxl, values only, into the plain data
the YAML loader produces, with a position for every value; then the loader's own pipeline
(normalise → rules → model) runs on it. A position is encoded as (sheet number × 10⁶ + row,
column) so that the SourceMap, the rules and the sorting of problems work unchanged;
`WorkbookMap` turns it back into `产业集群!C5` when it makes a Problem.

Files staff saved are only read, never written. A formula cell is read by its saved value;
a formula without one (the file was never opened in a spreadsheet program) is refused with
its cell rather than read as empty.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.errors import Problem
from reportgen.survey.labels import SourceMap, format_path, label_for
from reportgen.survey.loader import _read, check_data
from reportgen.survey.model import Survey
from reportgen.survey.workbook_layout import BASIC, CHOICES, MAX_ROWS, README
from reportgen.survey.workbook_read import ROWS, Grid, _Cell, _Reader, cell_name

Path_ = tuple[Any, ...]
MAX_COLUMNS = 60
MAX_UNPACKED = 64 * 1024 * 1024  # a zip bomb is refused before openpyxl unpacks it
_LINE_REF = re.compile(r"第 (\d+) 行")
# YAML advice that means nothing in a workbook, in the workbook's words.
_WORDING = (
    (re.compile(r"缺少必填项“[A-Za-z_]+”（([^）]*)）"), r"\1没有填写"),
    (re.compile(r"请在这里添加 [A-Za-z_]+: …"), "请在这一格填写"),
    (re.compile(r"请在文件开头写 schema: 2"), f"请在“{BASIC}”表的“格式版本”填写 2"),
    (re.compile(r"请删除这一行，或填入实际的值"), "请清空这一格，或填入实际的值"),
    (re.compile(r"（intro/items/outro 的写法需要 schema: 2）"), "（导语、结语需要格式版本 2）"),
    (re.compile(r"请每项单独写一行，以“- ”开头"), "请每项写一行"),
)
_NOT_A_WORKBOOK = "不是有效的 Excel 工作簿（.xlsx）；请用 reportgen workbook new 生成表样，" \
                  "在 Excel 或 WPS 中填写后另存为 .xlsx"


@dataclass
class WorkbookMap(SourceMap):
    """A SourceMap whose positions are cells of sheets."""

    sheets: list[str] = field(default_factory=list)
    # The cell of every field of every row read, filled in or not: a missing required
    # value is reported at the cell where it should be written.
    cells: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def pos(self, sheet: str, row: int, col: int) -> tuple[int, int]:
        if sheet not in self.sheets:
            self.sheets.append(sheet)
        return (self.sheets.index(sheet) + 1) * ROWS + row, col

    def place(self, line: int, col: int) -> str:
        index, row = divmod(line, ROWS)
        if not 1 <= index <= len(self.sheets):
            return ""
        return f"{self.sheets[index - 1]}!{cell_name(row, col)}"

    def _line_text(self, message: str) -> str:
        # Rules say 与第 N 行重复: name the sheet and its row instead of an encoded line.
        def shown(match: re.Match[str]) -> str:
            index, row = divmod(int(match.group(1)), ROWS)
            if 1 <= index <= len(self.sheets):
                return f"“{self.sheets[index - 1]}”表第 {row} 行"
            return match.group()
        message = _LINE_REF.sub(shown, message)
        for pattern, replacement in _WORDING:
            message = pattern.sub(replacement, message)
        return message

    def _make(self, path: Path_, label: str, message: str,
              where: tuple[int, int] | None) -> Problem:
        written = self.as_written(path)
        # A value not filled in is reported at the cell where it belongs.
        empty = self.cells.get(written) if written not in self.values else None
        line, col = empty or where or self.value_at(path)
        return Problem(self.file, line, col, format_path(written, self.sequences), label,
                       self._line_text(message), self.place(line, col) or "")

    def problem(self, path: Path_, message: str, where: tuple[int, int] | None = None,
                ) -> Problem:
        return self._make(path, label_for(path), message, where)

    def labelled_problem(self, path: Path_, label: str, message: str) -> Problem:
        return self._make(path, label, message, None)

    def file_problem(self, message: str, line: int = 1, col: int = 1) -> Problem:
        return Problem(self.file, line, col, "", "", self._line_text(message),
                       self.place(line, col))

    def cell_problem(self, sheet: str, row: int, col: int, label: str, message: str,
                     ) -> Problem:
        line, col = self.pos(sheet, row, col)
        return Problem(self.file, line, col, "", label, message, self.place(line, col))


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _open(raw: bytes, where: WorkbookMap) -> dict[str, Grid]:
    """Every sheet's non-empty cells (values only), in workbook order."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise _Refused(where.file_problem("工作簿解压后过大；请检查是否选错了文件", 0, 0))
    except zipfile.BadZipFile as exc:
        raise _Refused(where.file_problem(_NOT_A_WORKBOOK, 0, 0)) from exc
    try:
        values = load_workbook(io.BytesIO(raw), data_only=True, read_only=True)
        formulas = load_workbook(io.BytesIO(raw), data_only=False, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _Refused(where.file_problem(_NOT_A_WORKBOOK, 0, 0)) from exc
    grids: dict[str, Grid] = {}
    try:
        for sheet in values.worksheets:
            if sheet.title in (README, CHOICES):
                continue
            grid: Grid = {}
            formula_sheet = formulas[sheet.title]
            for row in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS):
                for cell in row:
                    if getattr(cell, "value", None) is not None:
                        grid[(cell.row, cell.column)] = _Cell(cell.value, cell.number_format)
            for row in formula_sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS):
                for cell in row:
                    if getattr(cell, "data_type", None) == "f" and \
                            (cell.row, cell.column) not in grid:
                        grid[(cell.row, cell.column)] = _Cell(None, unsaved=True)
            grids[sheet.title] = grid
    except Exception as exc:
        raise _Refused(where.file_problem(_NOT_A_WORKBOOK, 0, 0)) from exc
    finally:
        values.close()
        formulas.close()
    return grids


def _workbook_data(path: str | Path) -> tuple[dict[Any, Any], WorkbookMap, list[Problem]]:
    where = WorkbookMap(str(path))
    raw = _read(path)
    if isinstance(raw, Problem):
        return {}, where, [raw]
    try:
        grids = _open(raw, where)
    except _Refused as refused:
        return {}, where, [refused.problem]
    reader = _Reader(grids, where)
    data = reader.run()
    return data, where, reader.problems


def check_workbook(path: str | Path) -> tuple[Survey | None, list[Problem]]:
    """The survey in a workbook and every problem found in it (by sheet and cell)."""
    data, where, problems = _workbook_data(path)
    if problems and not data:
        return None, problems
    survey, found = check_data(data, where, problems, set())
    return survey, found


def read_workbook_data(path: str | Path) -> dict[Any, Any] | None:
    """The plain data of a workbook, unvalidated (None when it cannot be read at all)."""
    data, _, problems = _workbook_data(path)
    return data if data or not problems else None


def export_yaml(path: str | Path) -> str:
    """The survey in a valid workbook written as a YAML survey (format 2 layout).

    Raises SurveyError when the workbook has problems: only a survey that builds is exported.
    """
    from reportgen.errors import SurveyError

    data, where, problems = _workbook_data(path)
    kept = copy.deepcopy(data)
    survey, found = check_data(data, where, problems, set()) if data else (None, problems)
    if survey is None or found:
        raise SurveyError(str(path), found)
    return dump_yaml(kept)


def dump_yaml(data: dict[Any, Any]) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter

    class _Representer(RoundTripRepresenter):
        pass

    def text(representer: Any, value: str) -> Any:
        if "\n" in value:
            return representer.represent_scalar("tag:yaml.org,2002:str", value.rstrip() + "\n",
                                                style="|")
        return representer.represent_str(value)

    _Representer.add_representer(str, text)
    yaml = YAML()
    yaml.Representer = _Representer
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    out = io.StringIO()
    out.write("# 调研数据，由 reportgen workbook export 从 Excel 填写表导出\n")
    yaml.dump(data, out)
    return out.getvalue()


__all__ = ["WorkbookMap", "check_workbook", "dump_yaml", "export_yaml", "read_workbook_data"]
