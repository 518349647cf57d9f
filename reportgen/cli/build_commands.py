"""`reportgen build` and `reportgen check`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reportgen.cli.base import (
    DEFAULT_OUTPUTS,
    EXIT_FAILED,
    EXIT_OK,
    PATHS,
    command,
    err,
    find_inputs,
    format_error,
)


@command("生成报告：每个调研数据文件生成一份 DOCX 和一份 PDF。\n\n"
         "路径可以是调研数据文件或文件夹，默认为 inputs/ 中的全部 .yaml 文件。")
@PATHS
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUTPUTS, show_default=True, help="输出文件夹")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(["docx", "pdf"]),
              help="只生成某种格式（可重复）；默认两种都生成")
def build(paths: tuple[Path, ...], out: Path, formats: tuple[str, ...]) -> None:
    from reportgen.build import DEFAULT_FORMATS, build_file

    failed = 0
    for path in find_inputs(paths):
        result = build_file(path, out, formats or DEFAULT_FORMATS)
        if result.ok:
            click.echo(f"已生成 {'、'.join(str(p) for p in result.outputs)}")
        else:
            failed += 1
            assert result.error is not None
            err(format_error(result.error))
            err(f"未生成：{path}")
    if failed:
        err(f"共 {failed} 个文件未能生成")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@command("检查调研数据文件，不生成任何文件。\n\n"
         "路径可以是调研数据文件或文件夹，默认为 inputs/ 中的全部 .yaml 文件。")
@PATHS
def check(paths: tuple[Path, ...]) -> None:
    from reportgen.survey import check_survey

    failed = 0
    for path in find_inputs(paths):
        problems = check_survey(path)
        if problems:
            failed += 1
            for problem in problems:
                err(str(problem))
        else:
            click.echo(f"{path}：检查通过")
    if failed:
        err(f"共 {failed} 个文件有错误")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)
