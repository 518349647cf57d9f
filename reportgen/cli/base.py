"""What every command shares: Chinese help, exit codes, error wording, input discovery."""

from __future__ import annotations

import contextlib
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import click

from reportgen.errors import SurveyError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_INPUTS = Path("inputs")
DEFAULT_OUTPUTS = Path("outputs")

# Click writes its own framework words in English; staff read Chinese.
_HELP_WORDS = [
    ("Usage:", "用法："), ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."),
    ("Options:", "选项："), ("Commands:", "命令："), ("[default: ", "[默认："),
    ("[PATHS]...", "[路径]..."), ("DIRECTORY", "文件夹"),
    # usage errors
    ("No such option", "没有这个选项"), ("No such command", "没有这个命令"),
    ("Invalid value for", "取值无效："), ("is not one of", "不是以下之一："),
    ("Did you mean", "是不是要写"), ("Missing argument", "缺少参数"),
    ("Option '", "选项 '"), ("requires an argument.", "后面需要一个值。"),
    ("does not exist.", "不存在。"), ("is a file.", "是文件，不是文件夹。"),
]


# Click's messages with a value in them; translated whole, so no English is left around it.
_HELP_PATTERNS = [
    (re.compile(r"'([^']*)' is not a valid integer range\."), r"“\1”不是有效的整数"),
    (re.compile(r"'([^']*)' is not a valid integer\."), r"“\1”不是整数"),
    (re.compile(r"'([^']*)' is not a valid float\."), r"“\1”不是数字"),
    (re.compile(r"'([^']*)' is not a valid boolean\."), r"“\1”不是 true 或 false"),
    (re.compile(r"Got unexpected extra arguments? \((.*)\)"), r"多余的参数：\1"),
    (re.compile(r"(?:Directory|File|Path) '([^']*)'"), r"“\1”"),
    (re.compile(r"is a directory\."), "是文件夹，不是文件。"),
    (re.compile(r"is not writable\."), "不能写入。"),
    (re.compile(r"is not readable\."), "不能读取。"),
    (re.compile(r"Missing option '([^']*)'"), r"缺少选项 '\1'"),
    (re.compile(r"\(choose from ([^)]*)\)"), r"（可选：\1）"),
    (re.compile(r"File exists"), "文件已存在"),
]


def chinese(text: str) -> str:
    for pattern, replacement in _HELP_PATTERNS:
        text = pattern.sub(replacement, text)
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)
    return text


class _ChineseHelp:
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)  # type: ignore[misc]
        formatter.buffer[:] = [chinese("".join(formatter.buffer))]


class ChineseGroup(_ChineseHelp, click.Group):
    pass


class ChineseCommand(_ChineseHelp, click.Command):
    pass


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
HELP_OPTION = {"help": "显示本帮助并退出。"}


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """`kill` (SIGTERM) stops a command as cleanly as Ctrl-C: reports in progress finish or
    leave the old files, temporary files are removed, and the command says it stopped."""
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def err(message: str) -> None:
    click.echo(message, err=True)


def report_problems(error: SurveyError, outcome: str) -> None:
    """Every located problem of a refused file, then what became of it (未改动, 未导出 …)."""
    for problem in error.problems:
        err(str(problem))
    err(outcome)


def find_inputs(paths: tuple[Path, ...]) -> list[Path]:
    from reportgen.build import expand_paths

    try:
        found = expand_paths(paths or [DEFAULT_INPUTS])
    except FileNotFoundError as exc:
        err(f"错误：找不到文件或文件夹 {exc}")
        sys.exit(EXIT_USAGE)
    if not found:
        err("错误：没有找到调研数据文件（.yaml）")
        sys.exit(EXIT_USAGE)
    return found


PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def command(help_text: str) -> Any:
    """A subcommand with Chinese help and -h/--help."""
    def decorate(function: Any) -> Any:
        function = click.help_option("-h", "--help", **HELP_OPTION)(function)
        return click.command(cls=ChineseCommand, context_settings=CONTEXT, help=help_text)(function)
    return decorate
