"""The one exception tree of reportgen.

Everything the toolkit raises on purpose derives from ReportgenError. Errors carry where they
are as fields (a Problem's file, line, column and key path; a TemplateError's file, line,
column and source line); `describe` is the one function that words any error for staff, used
by build, watch, the preview and the command line alike. Only the command line turns errors
into exit codes.

    ReportgenError
    ├── SurveyError        a survey file is invalid (carries every Problem found in it)
    ├── TemplateError      a template set cannot be loaded or rendered, or wrote HTML outside
    │                      the supported subset (file, line, column, source line as fields)
    ├── DocumentError      rendered HTML outside the subset, not (yet) traced to a template line
    ├── FontError          a font the report needs is not installed
    ├── OutputError        an output file cannot be written (disk full, no permission)
    └── InternalError      a bug in reportgen itself, caught so a batch goes on
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path

# Characters that must never reach a terminal or a message as they are: control characters
# (a NUL or an escape sequence from a file would garble or drive the terminal), lone
# surrogates (they cannot even be encoded) and invisible format characters.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u202a-\u202e"
                          "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\uffff]")


def printable(text: str) -> str:
    """`text` with unprintable characters written as escapes (a NUL becomes \\x00)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace")
                            .decode("ascii"), text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, located to line and column (1-based).

    In a workbook (.xlsx) `cell` is the sheet and cell, `产业集群!C5`: the message then
    reads `莱州.xlsx!产业集群!C5 (产值): …` (the key path means nothing to who fills it in),
    and `line` only orders the problems.
    """

    file: str
    line: int
    col: int
    path: str
    label: str
    message: str
    cell: str = ""

    def __str__(self) -> str:
        if self.cell:
            where = f"{self.file}!{self.cell}"
            text = f"{where} ({self.label}): {self.message}" if self.label else \
                f"{where}: {self.message}"
            return printable(text)
        # Line 0: the whole file (a workbook that is not one), never a line of a YAML file.
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        key = f"{self.path} ({self.label})" if self.label else self.path
        text = f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"
        return printable(text)


class ReportgenError(Exception):
    """Base of every error reportgen raises on purpose."""


class SurveyError(ReportgenError):
    """A survey file is invalid; `problems` lists every problem found, in file order."""

    def __init__(self, file: str | Path, problems: list[Problem]) -> None:
        self.file = str(file)
        self.problems = sorted(problems, key=lambda p: (p.line, p.col, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))


class TemplateError(ReportgenError):
    """A template set is broken: syntax error, undefined variable, bad helper call, or HTML
    outside the subset (traced back to the template line that wrote it).

    Where it is, as fields: `file` (as staff see it), `line` and `column` (1-based, None when
    not known), and `source_line`, the text of that template line.
    """

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 source_line: str | None = None, column: int | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.source_line = source_line
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")


class DocumentError(ReportgenError):
    """The HTML a template produced uses markup the writers do not support.

    `html_line` is the line of the rendered HTML the parser was reading, and `html_text` the
    markup or text it refused as it stands in that HTML (such as "<a" or a stray sentence):
    what build.pipeline needs to trace the mistake back to a template line.
    """

    def __init__(self, message: str, html_line: int | None = None,
                 html_text: str | None = None) -> None:
        self.message = message
        self.html_line = html_line
        self.html_text = html_text
        where = f"模板生成的 HTML 第 {html_line} 行：" if html_line else ""
        super().__init__(f"{where}{message}")


class FontError(ReportgenError):
    """A font the report needs is missing; the message names the package to install."""


class OutputError(ReportgenError):
    """An output file could not be written; the previous file, if any, is untouched."""


class InternalError(ReportgenError):
    """An unexpected failure inside reportgen (a bug); reported, never hidden."""


# Why a file operation failed, as staff read it; other errors keep the system's wording.
_OS_REASONS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有读写权限",
    errno.EROFS: "文件系统是只读的",
    errno.EFBIG: "文件超过了允许的大小",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
}


def os_reason(exc: OSError) -> str:
    """The reason of an OSError in Chinese (with the system's words when not known)."""
    known = _OS_REASONS.get(exc.errno or 0)
    return known if known else str(exc.strerror or exc)


def internal_error(exc: BaseException, source: str | Path | None = None) -> InternalError:
    """A bug caught so that a batch (or the preview) goes on, worded for staff."""
    where = f"{source}: " if source else ""
    error = InternalError(f"{where}内部错误 {type(exc).__name__}: {exc}；请把此信息报告给维护人员")
    error.__cause__ = exc
    return error


def describe(error: BaseException) -> str:
    """What staff read for any error: the one wording used by build, watch, preview and
    templates check. A template error shows the template line it points at."""
    if isinstance(error, TemplateError) and error.source_line is not None:
        return f"{printable(str(error))}\n    {printable(error.source_line.strip())}"
    if isinstance(error, ReportgenError):
        # A SurveyError lists one problem a line: keep the lines, escape inside them.
        return "\n".join(printable(line) for line in str(error).split("\n"))
    if isinstance(error, OSError):
        return printable(f"{getattr(error, 'filename', '') or ''}：{os_reason(error)}".lstrip("："))
    return printable(str(internal_error(error)))
