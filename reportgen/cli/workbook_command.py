"""`reportgen workbook`: the fill-in Excel workbook (表样) for staff who do not write YAML."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from reportgen.cli.base import (
    CONTEXT,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    HELP_OPTION,
    ChineseGroup,
    command,
    err,
    report_problems,
)
from reportgen.errors import SurveyError, os_reason
from reportgen.files import temporary_beside


@click.group(cls=ChineseGroup, context_settings=CONTEXT,
             help="Excel 填写表（.xlsx）：生成表样、把填好的表导出为 YAML。\n\n"
                  "填好的工作簿可以直接用于 build、check、watch、preview，与 YAML 调研数据"
                  "文件一样；有错误时写明工作表和单元格。")
@click.help_option("-h", "--help", **HELP_OPTION)
def workbook() -> None:
    pass


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder (reportgen.files), so a failure
    leaves no half file and the workbook gets an ordinary file's permissions."""
    with temporary_beside(target) as (temp, _stream):
        write(temp)  # XlsxWriter writes the file by its name
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@command("生成调研数据填写表（Excel 工作簿）。\n\n"
         "工作簿有说明、基本信息、总体情况、产业集群、集群指标、历年数据、目标、集群专题、问题、"
         "原因、建议、其他章节和表格工作表，带下拉列表和填写提示。--from 用一份 YAML 调研数据"
         "填好各表。")
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False), metavar="文件.xlsx")
@click.option("--from", "source", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              metavar="调研数据.yaml", help="用这份调研数据填写工作簿")
@click.option("--force", is_flag=True, help="文件已存在时覆盖它")
def new(target: Path, source: Path | None, force: bool) -> None:
    from reportgen.survey.workbook_write import survey_data, write_workbook

    if target.suffix.lower() != ".xlsx":
        err("错误：工作簿的文件名应以 .xlsx 结尾")
        sys.exit(EXIT_USAGE)
    if target.exists() and not force:
        err(f"错误：{target} 已存在；不会覆盖已填写的工作簿（确需覆盖请加 --force）")
        sys.exit(EXIT_USAGE)
    data = None
    if source is not None:
        try:
            data = survey_data(source)
        except SurveyError as exc:
            report_problems(exc, f"{source}：有错误，未生成工作簿")
            sys.exit(EXIT_FAILED)
    try:
        _atomic_write(target, lambda temp: write_workbook(temp, data))
    except OSError as exc:
        err(f"错误：无法写入 {target}（{os_reason(exc)}）")
        sys.exit(EXIT_FAILED)
    filled = f"，已按 {source} 填写" if source is not None else ""
    click.echo(f"已生成 {target}{filled}")
    sys.exit(EXIT_OK)


@command("把填好的工作簿导出为 YAML 调研数据文件。\n\n"
         "工作簿有错误时不导出，列出每个错误的工作表和单元格。不写 -o 时输出到屏幕。")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                metavar="文件.xlsx")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              metavar="文件.yaml", help="写到这个文件")
def export(source: Path, output: Path | None) -> None:
    from reportgen.survey.workbook import export_yaml

    try:
        text = export_yaml(source)
    except SurveyError as exc:
        report_problems(exc, f"{source}：有错误，未导出")
        sys.exit(EXIT_FAILED)
    if output is None:
        click.echo(text, nl=False)
        sys.exit(EXIT_OK)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        err(f"错误：无法写入 {output}（{os_reason(exc)}）")
        sys.exit(EXIT_FAILED)
    click.echo(f"已导出 {output}")
    sys.exit(EXIT_OK)


workbook.add_command(new)
workbook.add_command(export)
