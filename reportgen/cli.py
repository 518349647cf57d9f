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
from typing import Any

import click

from reportgen.errors import ReportgenError, TemplateError

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


def _chinese(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)
    return text


class _ChineseHelp:
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)  # type: ignore[misc]
        formatter.buffer[:] = [_chinese("".join(formatter.buffer))]


class ChineseGroup(_ChineseHelp, click.Group):
    pass


class ChineseCommand(_ChineseHelp, click.Command):
    pass


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
HELP_OPTION = {"help": "显示本帮助并退出。"}


def _err(message: str) -> None:
    click.echo(message, err=True)


def format_error(error: ReportgenError) -> str:
    """What staff read for a failed input."""
    if isinstance(error, TemplateError) and error.source_line is not None:
        return f"{error}\n    {error.source_line.strip()}"
    return str(error)


def _inputs(paths: tuple[Path, ...]) -> list[Path]:
    from reportgen.build import expand_paths

    try:
        found = expand_paths(paths or [DEFAULT_INPUTS])
    except FileNotFoundError as exc:
        _err(f"错误：找不到文件或文件夹 {exc}")
        sys.exit(EXIT_USAGE)
    if not found:
        _err("错误：没有找到调研数据文件（.yaml）")
        sys.exit(EXIT_USAGE)
    return found


@click.group(cls=ChineseGroup, context_settings=CONTEXT,
             help="把调研数据（YAML）生成为标准格式的产业集群发展情况调研报告（DOCX 和 PDF）。")
@click.help_option("-h", "--help", **HELP_OPTION)
@click.version_option(package_name="reportgen", message="reportgen %(version)s",
                      help="显示版本并退出。")
def app() -> None:
    pass


PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@app.command(cls=ChineseCommand, context_settings=CONTEXT,
             help="生成报告：每个调研数据文件生成一份 DOCX 和一份 PDF。\n\n"
                  "路径可以是调研数据文件或文件夹，默认为 inputs/ 中的全部 .yaml 文件。")
@PATHS
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_OUTPUTS, show_default=True, help="输出文件夹")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(["docx", "pdf"]),
              help="只生成某种格式（可重复）；默认两种都生成")
@click.help_option("-h", "--help", **HELP_OPTION)
def build(paths: tuple[Path, ...], out: Path, formats: tuple[str, ...]) -> None:
    from reportgen.build import DEFAULT_FORMATS, build_file

    failed = 0
    for path in _inputs(paths):
        result = build_file(path, out, formats or DEFAULT_FORMATS)
        if result.ok:
            click.echo(f"已生成 {'、'.join(str(p) for p in result.outputs)}")
        else:
            failed += 1
            assert result.error is not None
            _err(format_error(result.error))
            _err(f"未生成：{path}")
    if failed:
        _err(f"共 {failed} 个文件未能生成")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@app.command(cls=ChineseCommand, context_settings=CONTEXT,
             help="检查调研数据文件，不生成任何文件。\n\n"
                  "路径可以是调研数据文件或文件夹，默认为 inputs/ 中的全部 .yaml 文件。")
@PATHS
@click.help_option("-h", "--help", **HELP_OPTION)
def check(paths: tuple[Path, ...]) -> None:
    from reportgen.survey import check_survey

    failed = 0
    for path in _inputs(paths):
        problems = check_survey(path)
        if problems:
            failed += 1
            for problem in problems:
                _err(str(problem))
        else:
            click.echo(f"{path}：检查通过")
    if failed:
        _err(f"共 {failed} 个文件有错误")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


def main(argv: list[str] | None = None) -> Any:
    # Warnings from the writers (characters that fell back to another font, refused
    # resources) are meant for staff: print them plainly, before the line of their report.
    logging.basicConfig(level=logging.WARNING, format="提示：%(message)s", stream=sys.stderr)
    try:
        return app.main(args=argv, prog_name="reportgen", standalone_mode=False)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `reportgen`: show the help
            _err(_chinese(exc.format_message()))
            sys.exit(EXIT_USAGE)
        _err(f"用法错误：{_chinese(exc.format_message())}")
        _err("运行 reportgen --help 查看用法")
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        _err(f"错误：{_chinese(exc.format_message())}")
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        _err("已中断")
        sys.exit(130)


if __name__ == "__main__":
    main()
