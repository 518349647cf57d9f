"""The command line: `reportgen build` and `reportgen check`.

The only place where exceptions become messages and exit codes:
    0  every input succeeded
    1  at least one input failed (the others were still built)
    2  usage error (unknown option, a path that does not exist)
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from reportgen.errors import ReportgenError, SurveyError, TemplateError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_INPUTS = Path("inputs")
DEFAULT_OUTPUTS = Path("outputs")

app = typer.Typer(
    name="reportgen",
    help="把调研数据（YAML）生成为标准格式的产业集群发展情况调研报告（DOCX 和 PDF）。",
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="调研数据文件或文件夹（默认：inputs/ 中的全部 .yaml 文件）",
                   show_default=False),
]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def format_error(error: ReportgenError) -> str:
    """What staff read for a failed input."""
    if isinstance(error, TemplateError) and error.source_line is not None:
        return f"{error}\n    {error.source_line.strip()}"
    return str(error)


def _inputs(paths: list[Path] | None) -> list[Path]:
    from reportgen.build import expand_paths

    try:
        found = expand_paths(paths or [DEFAULT_INPUTS])
    except FileNotFoundError as exc:
        _err(f"错误：找不到文件或文件夹 {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    if not found:
        _err("错误：没有找到调研数据文件（.yaml）")
        raise typer.Exit(EXIT_USAGE)
    return found


@app.command()
def build(
    paths: PathsArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件夹")] = DEFAULT_OUTPUTS,
    fmt: Annotated[list[str] | None, typer.Option(
        "--format", "-f", help="只生成某种格式：docx 或 pdf（可重复）")] = None,
) -> None:
    """生成报告：每个调研数据文件生成一份 DOCX 和一份 PDF。"""
    from reportgen.build import DEFAULT_FORMATS, build_file
    from reportgen.writers import WRITER_NAMES

    formats = tuple(fmt) if fmt else DEFAULT_FORMATS
    unknown = [f for f in formats if f not in WRITER_NAMES]
    if unknown:
        _err(f"错误：未知的输出格式 {'、'.join(unknown)}；可用：docx、pdf")
        raise typer.Exit(EXIT_USAGE)
    failed = 0
    for path in _inputs(paths):
        result = build_file(path, out, formats)
        if result.ok:
            typer.echo(f"已生成 {'、'.join(str(p) for p in result.outputs)}")
        else:
            failed += 1
            assert result.error is not None
            _err(format_error(result.error))
            _err(f"未生成：{path}")
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


@app.command()
def check(paths: PathsArg = None) -> None:
    """检查调研数据文件，不生成任何文件。"""
    from reportgen.survey import check_survey

    failed = 0
    for path in _inputs(paths):
        problems = check_survey(path)
        if problems:
            failed += 1
            for problem in problems:
                _err(str(problem))
        else:
            typer.echo(f"{path}：检查通过")
    if failed:
        _err(f"共 {failed} 个文件有错误")
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def main() -> None:
    # Warnings from the writers (characters that fell back to another font, refused
    # resources) are meant for staff: print them plainly, before the line of their report.
    logging.basicConfig(level=logging.WARNING, format="提示：%(message)s", stream=sys.stderr)
    try:
        app()
    except SurveyError as exc:  # pragma: no cover - commands catch these themselves
        _err(str(exc))
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
