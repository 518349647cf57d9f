"""The command line. Each command group lives in its own module and is added here.

The only place where exceptions become messages and exit codes:
    0  every input succeeded
    1  at least one input failed (the others were still built)
    2  usage error (unknown option, a path that does not exist)
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from reportgen.cli import (
    build_commands,
    preview_command,
    template_commands,
    upgrade_command,
    watch_command,
    workbook_command,
)
from reportgen.cli.base import CONTEXT, EXIT_USAGE, HELP_OPTION, ChineseGroup, chinese, err


@click.group(cls=ChineseGroup, context_settings=CONTEXT,
             help="把调研数据（YAML）生成为标准格式的产业集群发展情况调研报告（DOCX 和 PDF）。")
@click.help_option("-h", "--help", **HELP_OPTION)
@click.version_option(package_name="reportgen", message="reportgen %(version)s",
                      help="显示版本并退出。")
def app() -> None:
    pass


# One line per command module; keep the order in which staff meet them.
app.add_command(build_commands.build)
app.add_command(build_commands.check)
app.add_command(watch_command.watch)
app.add_command(preview_command.preview)
app.add_command(template_commands.templates)
app.add_command(upgrade_command.upgrade)
app.add_command(workbook_command.workbook)


def main(argv: list[str] | None = None) -> Any:
    # Warnings from the writers (characters that fell back to another font, refused
    # resources) are meant for staff: print them plainly, before the line of their report.
    logging.basicConfig(level=logging.WARNING, format="提示：%(message)s", stream=sys.stderr)
    try:
        return app.main(args=argv, prog_name="reportgen", standalone_mode=False)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `reportgen`: show the help
            err(chinese(exc.format_message()))
            sys.exit(EXIT_USAGE)
        err(f"用法错误：{chinese(exc.format_message())}")
        err("运行 reportgen --help 查看用法")
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        err(f"错误：{chinese(exc.format_message())}")
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        err("已中断")
        sys.exit(130)


def run() -> None:
    """The `reportgen` command: main(), then exit without the interpreter's tear-down.

    By then every report is written, synced and renamed and every worker has been reaped;
    what is left is freeing matplotlib, WeasyPrint and their C libraries object by object,
    0.3–0.5 s that staff would wait for the prompt. An unexpected exception still gets the
    normal exit with its traceback.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message"): printed like the interpreter would
            print(exc.code, file=sys.stderr)
            code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (reportgen … | head): nothing to add
            code = code or 1
    os._exit(code)
