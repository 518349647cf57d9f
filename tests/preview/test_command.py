"""`reportgen preview` as a command: the address it prints, usage errors, a clean Ctrl-C."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import psutil

from tests.conftest import run_cli
from tests.preview.conftest import SURVEY, PreviewProcess, copy_workspace


def test_preview_serves_on_loopback_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    templates, _ = copy_workspace(tmp_path)
    # No SURVEY argument: the first survey of inputs/ in the working folder.
    preview = PreviewProcess(cwd=tmp_path, templates=templates)
    try:
        url = preview.address()
        port = int(url.rsplit(":", 1)[1].strip("/"))
        listening = [c.laddr for c in psutil.Process(preview.process.pid).net_connections("inet")
                     if c.status == psutil.CONN_LISTEN]
        assert [(a.ip, a.port) for a in listening] == [("127.0.0.1", port)]
        with urllib.request.urlopen(url, timeout=60) as response:
            page = response.read().decode("utf-8")
        assert "灵溪县产业集群发展情况调研报告" in page
        assert f'<option value="{SURVEY}" selected>' in page
    finally:
        code, output = preview.interrupt()
    assert code == 0, output
    assert output.rstrip().endswith("已停止预览")
    assert "Traceback" not in output


def test_unknown_survey_or_template_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("preview", "--no-browser", str(tmp_path / "nosuch.yaml"))
    assert result.returncode == 2
    assert "找不到调研数据文件" in result.stderr and "nosuch.yaml" in result.stderr

    _, survey = copy_workspace(tmp_path)
    result = run_cli("preview", "--no-browser", "--template", "nosuch", str(survey))
    assert result.returncode == 2
    assert "找不到模板集“nosuch”" in result.stderr and "default" in result.stderr

    result = run_cli("preview", "--port", "70000")
    assert result.returncode == 2


def test_busy_port_is_reported(tmp_path: Path) -> None:
    _, survey = copy_workspace(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("preview", "--no-browser", "--port", str(port), str(survey))
    assert result.returncode == 1
    assert f"无法在端口 {port} 启动预览服务" in result.stderr


def test_help_is_chinese() -> None:
    result = run_cli("preview", "--help")
    assert result.returncode == 0
    assert "实时预览" in result.stdout and "--no-browser" in result.stdout
    assert "用法：" in result.stdout
