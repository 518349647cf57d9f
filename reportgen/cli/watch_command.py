"""`reportgen watch`: keep the reports up to date while staff edit surveys and templates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reportgen.cli.base import (
    EXIT_FAILED,
    EXIT_OK,
    PATHS,
    command,
    err,
    find_inputs,
    terminate_as_interrupt,
)
from reportgen.cli.build_commands import FORMATS, JOBS, OUT
from reportgen.errors import os_reason


@command("监视调研数据和模板集，文件一保存就重新生成受影响的报告。\n\n"
         "先像 build 一样生成所有需要更新的报告，然后持续监视：\n\n"
         "调研数据文件保存后只重新生成它的报告；\n\n"
         "模板集中的文件保存后重新生成使用该模板集的全部报告。\n\n"
         "生成失败时显示错误（文件和行号）并继续监视。按 Ctrl-C 停止。")
@PATHS
@OUT
@FORMATS
@JOBS
@click.option("--quiet", "-q", is_flag=True, help="只显示错误和每次的汇总")
@click.option("--verbose", "-v", is_flag=True, help="也列出无需更新的报告和每份用时")
def watch(paths: tuple[Path, ...], out: Path, formats: tuple[str, ...], jobs: int | None,
          quiet: bool, verbose: bool) -> None:
    from reportgen.build.watch import WatchSession
    from reportgen.cli.progress import make_reporter
    from reportgen.writers import DEFAULT_FORMATS

    if quiet and verbose:
        raise click.UsageError("--quiet 和 --verbose 不能同时使用")
    find_inputs(paths)  # the same usage errors as build: missing path, no survey at all
    session = WatchSession(list(paths) or [Path("inputs")], out, formats or DEFAULT_FORMATS,
                           jobs, lambda: make_reporter(quiet, verbose))
    try:
        with terminate_as_interrupt():
            session.run()
    except KeyboardInterrupt:
        err("已停止监视")
        sys.exit(EXIT_OK)
    except OSError as exc:  # the output folder cannot be written, a folder vanished …
        err(f"错误：{os_reason(exc)}：{exc.filename or out}")
        sys.exit(EXIT_FAILED)
    except RuntimeError as exc:  # the file watcher itself failed (e.g. a watched folder gone)
        err(f"错误：无法继续监视：{exc}")
        sys.exit(EXIT_FAILED)
