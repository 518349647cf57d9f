"""`reportgen upgrade` as staff run it: messages, exit codes, files written or left alone."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from tests.conftest import BARE_OUTPUT_SURVEY, SAMPLES, run_cli

BAD = BARE_OUTPUT_SURVEY

MULTI_LINE = """\
# 诸城
region:
  name: 诸城
    市
report:
  author: 某局
  date: 2025-03-15
  year: 2024
clusters:
- name: 纺织业
  output: 142亿元
  description: |
    第一行

    第二行
problems: [问题]
suggestions: [建议]
"""


def _format1_samples(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for sample in SAMPLES.glob("*.yaml"):
        if "schema: 2" not in sample.read_text(encoding="utf-8"):
            shutil.copy(sample, folder / sample.name)
    assert list(folder.iterdir())
    return folder


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_upgrade_rewrites_in_place_and_then_has_nothing_to_do(tmp_path: Path) -> None:
    folder = _format1_samples(tmp_path)
    before = _contents(folder)
    result = run_cli("upgrade", *sorted(str(p) for p in folder.iterdir()), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name, raw in before.items():
        path = folder / name
        assert f"{path}：已升级为第 2 版格式（schema: 2）" in result.stdout
        assert path.read_bytes() == raw.replace(b"schema: 1\n", b"schema: 2\n", 1)
    assert f"共升级 {len(before)} 个文件" in result.stdout
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)  # no temporary left

    check = run_cli("check", str(folder), cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    again = run_cli("upgrade", str(folder), "--check", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "已是第 2 版格式（schema: 2），无需升级" in again.stdout


def test_check_lists_changes_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "诸城.yaml"
    path.write_text(MULTI_LINE, encoding="utf-8")
    result = run_cli("upgrade", "--check", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_text(encoding="utf-8") == MULTI_LINE
    assert f"{path}:2:1: schema (格式版本): 在第 2 行前添加 schema: 2" in result.stdout
    assert f"{path}:3:9: region.name (地区名称): 第 2 版中这里不能换行" in result.stdout
    assert f"{path}:12:16: clusters[0].description (集群说明): 删去 1 个空行" in result.stdout
    assert f"{path}：需要升级为第 2 版格式" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["诸城.yaml"]


def test_upgrade_of_multi_line_values_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "诸城.yaml"
    path.write_text(MULTI_LINE, encoding="utf-8")
    os.chmod(path, 0o640)
    result = run_cli("upgrade", "诸城.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "诸城.yaml：已升级为第 2 版格式（schema: 2）" in result.stdout
    assert path.read_text(encoding="utf-8") == MULTI_LINE.replace(
        "# 诸城\n", "# 诸城\nschema: 2\n").replace("诸城\n    市", "诸城市").replace(
        "第一行\n\n", "第一行\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert run_cli("check", "诸城.yaml", cwd=tmp_path).returncode == 0


def test_invalid_file_is_refused_located_and_left_unchanged(tmp_path: Path) -> None:
    folder = _format1_samples(tmp_path)
    bad = folder / "bad.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = run_cli("upgrade", str(folder), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{bad}:10:11: clusters[0].output (产值): " in result.stderr
    assert f"{bad}：有错误，未改动" in result.stderr
    assert "Traceback" not in result.stderr
    assert bad.read_text(encoding="utf-8") == BAD
    # The other files are still upgraded.
    others = [p for p in folder.iterdir() if p != bad]
    assert all(b"schema: 2\n" in p.read_bytes() for p in others)


def test_output_writes_elsewhere_and_leaves_the_source(tmp_path: Path) -> None:
    source = tmp_path / "a.yaml"
    source.write_text(MULTI_LINE, encoding="utf-8")
    out = tmp_path / "b.yaml"
    result = run_cli("upgrade", str(source), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"，写入 {out}" in result.stdout
    assert source.read_text(encoding="utf-8") == MULTI_LINE
    assert out.read_text(encoding="utf-8").startswith("# 诸城\nschema: 2\n")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        path.write_text(MULTI_LINE, encoding="utf-8")
    two = run_cli("upgrade", str(a), str(b), "-o", str(tmp_path / "c.yaml"), cwd=tmp_path)
    assert two.returncode == 2
    assert "用法错误：-o/--output 只能与一个文件一起使用" in two.stderr
    both = run_cli("upgrade", str(a), "--check", "-o", str(tmp_path / "c.yaml"), cwd=tmp_path)
    assert both.returncode == 2
    missing = run_cli("upgrade", str(tmp_path / "none.yaml"), cwd=tmp_path)
    assert missing.returncode == 2 and "找不到文件或文件夹" in missing.stderr
    bare = run_cli("upgrade", cwd=tmp_path)
    assert bare.returncode == 2 and "缺少参数" in bare.stderr
    assert a.read_text(encoding="utf-8") == MULTI_LINE == b.read_text(encoding="utf-8")
    assert not (tmp_path / "c.yaml").exists()


def test_help_is_chinese() -> None:
    result = run_cli("upgrade", "--help")
    assert result.returncode == 0
    assert "用法：" in result.stdout and "--check" in result.stdout
    assert "-o, --output" in result.stdout
    assert "upgrade" in run_cli("--help").stdout  # listed among the commands
