"""`reportgen build` and `reportgen check`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from reportgen.cli.base import (
    DEFAULT_OUTPUTS,
    EXIT_FAILED,
    EXIT_OK,
    PATHS,
    command,
    err,
    find_inputs,
    terminate_as_interrupt,
)
from reportgen.errors import os_reason
from reportgen.writers import WRITERS

EXIT_INTERRUPTED = 130  # as a shell reports a Ctrl-C


def _positive(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter("至少为 1", ctx=ctx, param=param)
    return value


JOBS = click.option("--jobs", "-j", type=int, default=None, callback=_positive, metavar="N",
                    help="同时生成的进程数  [默认：CPU 核数]")
FORMATS = click.option("--format", "-f", "formats", multiple=True,
                       type=click.Choice(list(WRITERS)),
                       help="只生成某种格式（可重复）；默认全部生成："
                            + "、".join(entry.label for entry in WRITERS.values()))
OUT = click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False),
                   default=DEFAULT_OUTPUTS, show_default=True, help="输出文件夹")


def run_batch(paths: list[Path], out: Path, formats: tuple[str, ...], force: bool,
              jobs: int | None, reporter: Any) -> int:
    """One incremental batch under the output folder's lock; the exit code."""
    from reportgen.build.batch import build_batch
    from reportgen.writers import DEFAULT_FORMATS

    try:
        summary = build_batch(paths, out, reporter, formats=formats or DEFAULT_FORMATS,
                              force=force, jobs=jobs)
    except OSError as exc:  # the output folder (or its lock file) cannot be created
        err(f"错误：无法写入输出文件夹 {out}：{os_reason(exc)}")
        return EXIT_FAILED
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if summary.ok else EXIT_FAILED


@command("生成报告：每个调研数据文件生成一份 DOCX 和一份 PDF。\n\n"
         "路径可以是调研数据文件或文件夹，默认为 inputs/ 中的全部 .yaml 文件。\n\n"
         "只重新生成有变化的报告（调研数据、模板集或工具版本变了，或输出文件被删除）；"
         "--force 全部重新生成。")
@PATHS
@OUT
@FORMATS
@click.option("--force", is_flag=True, help="全部重新生成，不管是否已是最新")
@JOBS
@click.option("--quiet", "-q", is_flag=True, help="只显示错误和最后的汇总")
@click.option("--verbose", "-v", is_flag=True, help="也列出无需更新的报告和每份用时")
def build(paths: tuple[Path, ...], out: Path, formats: tuple[str, ...], force: bool,
          jobs: int | None, quiet: bool, verbose: bool) -> None:
    from reportgen.cli.progress import make_reporter

    if quiet and verbose:
        raise click.UsageError("--quiet 和 --verbose 不能同时使用")
    inputs = find_inputs(paths)
    with terminate_as_interrupt():
        sys.exit(run_batch(inputs, out, formats, force, jobs, make_reporter(quiet, verbose)))


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
