"""`reportgen preview`: a local web page showing the report as it will print, live."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from reportgen.cli.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE, command, err, find_inputs


def _survey_and_folder(survey: Path | None) -> tuple[Path, Path]:
    """The survey to show first and the folder whose surveys the picker lists."""
    if survey is None:
        first = find_inputs(())[0]
        return first, first.parent
    if survey.is_dir():
        return find_inputs((survey,))[0], survey
    if not survey.is_file():
        err(f"错误：找不到调研数据文件 {survey}")
        sys.exit(EXIT_USAGE)
    return survey, survey.parent


def _can_open_browser() -> bool:
    # On Linux without a desktop, webbrowser falls back to text browsers (lynx, w3m) that
    # would take over this terminal; only open one when there is a screen or $BROWSER says so.
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("BROWSER")):
        return False
    return True


def _open_browser(url: str) -> None:
    import webbrowser

    def run() -> None:
        with contextlib.suppress(Exception):  # no browser is no error: the address is printed
            webbrowser.open(url)

    threading.Thread(target=run, daemon=True).start()


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@command("实时预览：在浏览器中显示报告打印出来的样子，保存模板或调研数据后自动刷新。\n\n"
         "SURVEY 是调研数据文件，默认为 inputs/ 中的第一个；页面上可以切换同一文件夹中的"
         "其他调研数据和模板集，也可以下载当前的 DOCX 和 PDF。按 Ctrl-C 停止。")
@click.argument("survey", required=False, type=click.Path(path_type=Path))
@click.option("--template", "-t", metavar="NAME",
              help="模板集名称；默认用调研数据中 report.template 指定的模板集")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=0,
              help="端口；默认自动选择一个空闲端口")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器")
def preview(survey: Path | None, template: str | None, port: int, no_browser: bool) -> None:
    from reportgen.preview.server import PreviewServer
    from reportgen.preview.state import PreviewState
    from reportgen.preview.watch import Watcher
    from reportgen.templating.templateset import available_sets

    first, folder = _survey_and_folder(survey)
    if template is not None and template not in available_sets():
        known = "、".join(available_sets()) or "（无）"
        err(f"错误：找不到模板集“{template}”；可用的模板集：{known}")
        sys.exit(EXIT_USAGE)

    state = PreviewState(folder, first, template)
    try:
        server = PreviewServer(state, port)
    except OSError as exc:
        err(f"错误：无法在端口 {port} 启动预览服务：{exc.strerror or exc}"
            "；换一个端口（--port）或不指定端口")
        sys.exit(EXIT_FAILED)

    watcher = Watcher(state)
    watcher.start()
    # Render the first page while the browser starts: loading WeasyPrint takes a second.
    threading.Thread(target=state.rendering, args=(state.choose(),), daemon=True).start()
    click.echo(f"预览地址：{server.url} 按 Ctrl-C 停止")
    if not no_browser:
        if _can_open_browser():
            _open_browser(server.url)
        else:
            click.echo("没有找到图形界面，请在浏览器中打开上面的地址")

    # Ctrl-C and `kill` both stop cleanly, also when started from a script that ignores
    # SIGINT for background jobs (Python then installs no KeyboardInterrupt of its own).
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
        watcher.stop()
    click.echo("已停止预览")
    sys.exit(EXIT_OK)
