"""The command line as staff use it: exit codes, messages, atomic outputs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from tests.conftest import BARE_OUTPUT_SURVEY, SAMPLES, need, run_cli

BAD_OUTPUT = BARE_OUTPUT_SURVEY


def small_inputs(tmp_path: Path, bad: bool = False) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(SAMPLES / "yongan.yaml", folder / "yongan.yaml")
    if bad:
        (folder / "bad.yaml").write_text(BAD_OUTPUT, encoding="utf-8")
    return folder


def test_check_reports_file_line_and_key_and_writes_nothing(tmp_path: Path) -> None:
    folder = small_inputs(tmp_path, bad=True)
    result = run_cli("check", str(folder), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{folder / 'bad.yaml'}:10:11: clusters[0].output" in result.stderr
    assert "Traceback" not in result.stderr
    assert "yongan.yaml：检查通过" in result.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["bad.yaml", "yongan.yaml"]
    assert not (tmp_path / "outputs").exists()


def test_check_of_good_files_exits_zero(tmp_path: Path) -> None:
    result = run_cli("check", str(SAMPLES))
    assert result.returncode == 0, result.stderr


def test_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = small_inputs(tmp_path, bad=True)
    out = tmp_path / "out"
    result = run_cli("build", str(folder), "--out", str(out))
    assert result.returncode == 1
    assert (out / "yongan.docx").is_file() and (out / "yongan.pdf").is_file()
    assert not (out / "bad.docx").exists() and not (out / "bad.pdf").exists()
    assert "bad.yaml:10:11" in result.stderr and "Traceback" not in result.stderr


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "找不到" in result.stderr


def test_unknown_option_is_a_usage_error() -> None:
    assert run_cli("build", "--no-such-option").returncode == 2


def test_help_is_in_chinese() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "生成报告" in result.stdout and "检查调研数据" in result.stdout
    assert "用法：" in result.stdout and "选项：" in result.stdout
    assert "Usage" not in result.stdout and "Show this message" not in result.stdout
    build_help = run_cli("build", "--help").stdout
    assert "输出文件夹" in build_help and "[默认：outputs]" in build_help


def test_usage_errors_are_explained_in_chinese() -> None:
    result = run_cli("buil")
    assert result.returncode == 2
    assert "没有这个命令" in result.stderr and "build" in result.stderr
    result = run_cli("build", "--format", "doc")
    assert result.returncode == 2 and "取值无效" in result.stderr


def test_failed_build_keeps_the_previous_report(tmp_path: Path) -> None:
    folder = small_inputs(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", str(folder), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    survey = folder / "yongan.yaml"
    text = survey.read_text(encoding="utf-8")
    survey.write_text(text.replace("output: 12.7亿元", "output: 12.7"), encoding="utf-8")
    result = run_cli("build", str(folder), "--out", str(out))
    assert result.returncode == 1
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before, "a failed build must leave the previous outputs untouched"


def test_markup_typed_by_staff_comes_out_literally(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    text = (SAMPLES / "yongan.yaml").read_text(encoding="utf-8")
    typed = "含<b>粗体</b>和<img src=\"file:///etc/passwd\">以及{{ x }}与**星号**"
    text = text.replace("description: 建材工业主要以水泥生产企业为主",
                        f"description: '{typed}建材工业主要以水泥生产企业为主")
    text = text.replace("年产水泥336万吨、商品熟料62万吨。", "年产水泥336万吨、商品熟料62万吨。'")
    (folder / "markup.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", str(folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    body = "\n".join(p.text for p in docx.Document(str(out / "markup.docx")).paragraphs)
    assert typed in body
    need("pdftotext")
    pdf_text = subprocess.run(["pdftotext", str(out / "markup.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout.replace("\n", "")
    for piece in ("<b>粗体</b>", '<img src="file:///etc/passwd">', "{{ x }}", "**星号**"):
        assert piece in pdf_text, piece
    assert "root:" not in pdf_text


def test_build_and_watch_options_are_explained_and_checked() -> None:
    build_help = run_cli("build", "--help").stdout
    for option in ("--force", "--jobs", "--quiet", "--verbose"):
        assert option in build_help
    assert "全部重新生成" in build_help
    watch_help = run_cli("watch", "--help")
    assert watch_help.returncode == 0 and "Ctrl-C" in watch_help.stdout
    assert "用法：" in watch_help.stdout and "Usage" not in watch_help.stdout
    assert "监视" in run_cli("--help").stdout
    zero = run_cli("build", str(SAMPLES), "--jobs", "0")
    assert zero.returncode == 2 and "至少为 1" in zero.stderr
    both = run_cli("build", str(SAMPLES), "--quiet", "--verbose")
    assert both.returncode == 2 and "不能同时使用" in both.stderr
    missing = run_cli("watch", "no-such-folder")
    assert missing.returncode == 2 and "找不到" in missing.stderr


@pytest.mark.parametrize("args", [
    ["build", "--jobs", "abc"], ["preview", "--port", "x", "--no-browser"],
    ["templates", "list", "extra"], ["build", "--out", "/etc/passwd", "inputs/lingxi.yaml"],
    ["build", "--jobs"], ["build", "-f", "xls"], ["watch", "--zz"], ["upgrade"],
    ["check", "a", "--nope"], ["frobnicate"],
])
def test_usage_errors_are_chinese(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2, result.stderr
    # Option names and the values staff typed may be Latin; no English sentence may remain.
    words = set(re.findall(r"[A-Za-z]{4,}", result.stderr))
    allowed = {a.strip("-") for a in args} | {"reportgen", "help", "jobs", "port", "docx",
                                              "format", "browser", "passwd", "yaml", "lingxi",
                                              "inputs"}
    assert words <= allowed, result.stderr


class _Exited(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


@pytest.mark.parametrize(("raised", "code"), [(None, 0), (SystemExit(1), 1),
                                              (SystemExit(130), 130), (SystemExit(None), 0),
                                              (SystemExit("出错了"), 1)])
def test_the_command_exits_with_its_code_and_everything_printed(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        raised: SystemExit | None, code: int) -> None:
    """`reportgen` skips the interpreter's tear-down (os._exit) after flushing its output."""
    import reportgen.cli as cli

    def main() -> None:
        print("已生成 1 / 无需更新 0 / 失败 0")
        if raised is not None:
            raise raised

    def exit_now(status: int) -> None:
        raise _Exited(status)

    monkeypatch.setattr(cli, "main", main)
    monkeypatch.setattr(cli.os, "_exit", exit_now)
    with pytest.raises(_Exited) as exited:
        cli.run()
    assert exited.value.code == code
    out, err = capsys.readouterr()
    assert out == "已生成 1 / 无需更新 0 / 失败 0\n"
    assert err == ("出错了\n" if code == 1 and isinstance(raised, SystemExit)
                   and isinstance(raised.code, str) else "")


def test_the_installed_command_is_the_fast_exit() -> None:
    import tomllib

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["reportgen"] == "reportgen.cli:run"
    assert (root / "reportgen" / "__main__.py").read_text(
        encoding="utf-8").strip().endswith("run()")
