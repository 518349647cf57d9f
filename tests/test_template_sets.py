"""Template sets as a staff feature: list, new, both shipped sets build every sample, check."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from reportgen.templating.templateset import templates_root
from tests.conftest import ROOT, SAMPLES, need, run_cli

SHIPPED = ("brief", "default")


def with_template(source: Path, target: Path, template: str) -> Path:
    """A copy of a sample survey that asks for another template set."""
    text = source.read_text(encoding="utf-8")
    assert "\nreport:\n" in text
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace("\nreport:\n", f"\nreport:\n  template: {template}\n", 1),
                      encoding="utf-8")
    return target


@pytest.fixture
def own_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped sets as the templates folder (REPORTGEN_TEMPLATES)."""
    root = tmp_path / "templates"
    for name in SHIPPED:
        shutil.copytree(templates_root() / name, root / name)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(root))
    return root


def test_shipped_sets_are_there() -> None:
    for name in SHIPPED:
        folder = templates_root() / name
        for file in ("report.html", "print.css", "reference.docx", "set.yaml"):
            assert (folder / file).is_file(), folder / file
    # the 简报 really is another set: its own templates and CSS
    brief, default = templates_root() / "brief", templates_root() / "default"
    for file in ("report.html", "print.css", "reference.docx"):
        assert (brief / file).read_bytes() != (default / file).read_bytes(), file


def test_list_shows_names_descriptions_and_users(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    with_template(SAMPLES / "lingxi.yaml", inputs / "lingxi.yaml", "brief")
    shutil.copy(SAMPLES / "yongan.yaml", inputs / "yongan.yaml")
    with_template(SAMPLES / "zhucheng.yaml", inputs / "zhucheng.yaml", "gone")
    result = run_cli("templates", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^brief +简报$", out, re.M) and re.search(r"^default +调研报告$", out, re.M)
    assert "一到两页" in out
    brief_part, default_part = out.split("\ndefault")
    assert "inputs/lingxi.yaml" in brief_part and "yongan" not in brief_part
    assert "inputs/yongan.yaml" in default_part and "lingxi" not in default_part
    assert "找不到模板集“gone”" in result.stderr and "inputs/zhucheng.yaml" in result.stderr


def test_new_copies_a_set_and_refuses_bad_or_taken_names(own_templates: Path,
                                                         tmp_path: Path) -> None:
    outside = tmp_path / "private.txt"
    outside.write_text("private", encoding="utf-8")
    os.symlink(outside, own_templates / "brief" / "link.txt")
    result = run_cli("templates", "new", "我的简报", "--from", "brief")
    assert result.returncode == 0, result.stderr
    created = own_templates / "我的简报"
    assert "已创建模板集“我的简报”" in result.stdout and "template: 我的简报" in result.stdout
    for file in ("report.html", "print.css", "reference.docx"):
        assert (created / file).read_bytes() == (own_templates / "brief" / file).read_bytes()
    assert not (created / "link.txt").exists()  # nothing from outside the source set
    listed = run_cli("templates", "list").stdout
    assert re.search(r"^我的简报 +我的简报$", listed, re.M)
    assert "由“简报”（brief）复制而来" in listed
    # a survey may now choose it
    survey = with_template(SAMPLES / "yongan.yaml", tmp_path / "in" / "yongan.yaml", "我的简报")
    assert run_cli("check", str(survey)).returncode == 0

    again = run_cli("templates", "new", "我的简报")
    assert again.returncode == 1 and "已经存在" in again.stderr
    assert run_cli("templates", "new", "DEFAULT").returncode == 1  # same folder on Windows
    for bad in ("../escape", ".hidden", "a b", "x/y", "-x"):
        result = run_cli("templates", "new", "--", bad) if bad.startswith("-") else (
            run_cli("templates", "new", bad))
        assert result.returncode == 2 and "不能用作模板集名称" in result.stderr, bad
    assert not (own_templates.parent / "escape").exists()
    result = run_cli("templates", "new", "x", "--from", "nosuch")
    assert result.returncode == 2 and "找不到模板集“nosuch”" in result.stderr


@pytest.mark.slow
def test_both_shipped_sets_build_every_sample(built: Path, samples: list[Path],
                                              tmp_path: Path) -> None:
    """default: the session build of every sample; brief: every sample asking for it."""
    inputs = tmp_path / "inputs"
    for sample in samples:
        with_template(sample, inputs / sample.name, "brief")
    out = tmp_path / "out"
    result = run_cli("build", str(inputs), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    pdfinfo, pdftotext = need("pdfinfo"), need("pdftotext")
    for sample in samples:
        for suffix in (".docx", ".pdf"):
            assert (built / f"{sample.stem}{suffix}").is_file()
        pdf, docx_path = out / f"{sample.stem}.pdf", out / f"{sample.stem}.docx"
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        assert 1 <= pages <= 2, (sample.name, pages)
        default_info = subprocess.run([pdfinfo, str(built / f"{sample.stem}.pdf")],
                                      capture_output=True, text=True, check=True).stdout
        assert pages < int(re.search(r"Pages:\s+(\d+)", default_info).group(1))  # type: ignore[union-attr]
        text = re.sub(r"\s+", "", subprocess.run([pdftotext, str(pdf), "-"],
                                                 capture_output=True, text=True,
                                                 check=True).stdout)
        for phrase in ("产业集群发展简报", "一、总体情况", "表1", "合计", "二、主要问题",
                       "三、对策建议", "（三）"):
            assert phrase in text, (sample.name, phrase)
        assert "原因分析" not in text and "现将有关情况报告如下" not in text
        document = docx.Document(str(docx_path))
        title = document.paragraphs[0]
        assert title.style.name == "Title" and title.text.endswith("产业集群发展简报")
        assert str(title.style.font.color.rgb) == "C00000"  # the red masthead
        assert document.paragraphs[1].style.name == "Body Text Center"
        assert len(document.tables) == 1
        assert round(document.sections[0].left_margin.mm) == 25  # the brief's own page setup
    # the default report of the same survey keeps its causes section
    default_text = subprocess.run([pdftotext, str(built / "lingxi.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout
    assert "原因分析" in default_text


@pytest.mark.slow
def test_brief_docx_is_at_most_two_pages_in_a_word_processor(tmp_path: Path) -> None:
    """The longest sample's 简报 DOCX, laid out by LibreOffice."""
    survey = with_template(SAMPLES / "zhucheng.yaml", tmp_path / "zhucheng.yaml", "brief")
    result = run_cli("build", str(survey), "--out", str(tmp_path), "--format", "docx")
    assert result.returncode == 0, result.stderr
    profile = tmp_path / "profile"
    converted = subprocess.run(
        [need("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
         "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"),
         str(tmp_path / "zhucheng.docx")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)})
    assert converted.returncode == 0, converted.stderr
    info = subprocess.run([need("pdfinfo"), str(tmp_path / "lo" / "zhucheng.pdf")],
                          capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 2  # type: ignore[union-attr]


def test_check_passes_for_every_shipped_set() -> None:
    result = run_cli("templates", "check", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in SHIPPED:
        inputs = len(list((ROOT / "inputs").glob("*.yaml")))
        passed = f"模板集“{name}”（templates/{name}）：检查通过（用 {inputs} 份调研数据渲染）"
        assert passed in result.stdout
