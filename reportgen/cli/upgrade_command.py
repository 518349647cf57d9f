"""`reportgen upgrade`: rewrite format-1 survey files as format 2, keeping their layout."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reportgen.cli.base import EXIT_FAILED, EXIT_OK, command, err, find_inputs, report_problems
from reportgen.errors import OutputError, SurveyError, describe


@command("把第 1 版格式的调研数据文件升级为第 2 版格式（schema: 2）。\n\n"
         "只改必须改的地方：添加 schema: 2（或把 schema: 1 改为 2）；第 2 版中名称、标题、"
         "列表项等不能换行，多行的改为一行；intro、detail、description 中的空行在第 2 版中"
         "表示另起一段，而第 1 版中不起作用，所以删去。注释、键的顺序和其他各行保持原样。\n\n"
         "默认直接改写原文件（改写前先检查文件，有错误的文件不会改动）；"
         "--check 只显示需要改动的地方，不写任何文件。\n\n"
         "路径可以是调研数据文件或文件夹（其中的全部 .yaml 文件）。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="文件...")
@click.option("--check", is_flag=True,
              help="只检查，不写文件：列出需要的改动；有文件需要升级时退出码为 1")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              metavar="文件", help="把结果写到这个文件，原文件不动（只能升级一个文件时使用）")
def upgrade(paths: tuple[Path, ...], check: bool, output: Path | None) -> None:
    from reportgen.survey.upgrade import upgrade_file

    if check and output is not None:
        raise click.UsageError("--check 不写任何文件，不能与 -o/--output 同时使用")
    files = find_inputs(paths)
    if output is not None and len(files) != 1:
        raise click.UsageError(f"-o/--output 只能与一个文件一起使用（现在是 {len(files)} 个）")
    failed = pending = upgraded = 0
    for path in files:
        try:
            result = upgrade_file(path, output, write=not check)
        except SurveyError as exc:
            failed += 1
            report_problems(exc, f"{path}：有错误，未改动")
            continue
        except OutputError as exc:
            failed += 1
            err(f"错误：{describe(exc)}")
            continue
        target = f"，写入 {output}" if output is not None else ""
        if result.already:
            click.echo(f"{path}：已是第 2 版格式（schema: 2），无需升级{target}")
            continue
        for change in result.changes:
            click.echo(f"  {change}")
        if check:
            pending += 1
            click.echo(f"{path}：需要升级为第 2 版格式（以上 {len(result.changes)} 处改动），"
                       "未写入")
        else:
            upgraded += 1
            click.echo(f"{path}：已升级为第 2 版格式（schema: 2）{target}")
    if len(files) > 1:
        _summary(check, upgraded, pending, failed)
    sys.exit(EXIT_FAILED if failed or pending else EXIT_OK)


def _summary(check: bool, upgraded: int, pending: int, failed: int) -> None:
    done = f"共 {pending} 个文件需要升级" if check else f"共升级 {upgraded} 个文件"
    click.echo(done)
    if failed:
        err(f"共 {failed} 个文件有错误，未改动")
