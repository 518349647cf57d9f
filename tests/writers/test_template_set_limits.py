"""A template set's files are read within limits: a zip-bomb reference.docx, a huge image."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from reportgen.build import build_file
from reportgen.checks import check_template_set
from reportgen.templating.templateset import find_template_set
from tests.conftest import ROOT, SAMPLES


def _bomb(source: Path, target: Path) -> None:
    """The default reference.docx with a styles.xml padded to 67 MB (it zips to ~70 KB)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(
            target, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "word/styles.xml":
                head, _, tail = data.partition(b"?>")
                data = head + b"?>" + b"<!--" + b" " * (67 * 1024 * 1024) + b"-->" + tail
            bomb.writestr(item, data)


@pytest.fixture
def bombed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    _bomb(ROOT / "templates" / "default" / "reference.docx",
          root / "default" / "reference.docx")
    assert (root / "default" / "reference.docx").stat().st_size < 1024 * 1024
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(root))
    return root


def test_a_zip_bomb_reference_docx_is_refused_by_build(bombed: Path, tmp_path: Path) -> None:
    result = build_file(SAMPLES / "lingxi.yaml", tmp_path / "out", ("docx",))
    assert result.error is not None
    assert "参考文档" in str(result.error) and "解压后过大" in str(result.error)
    assert not (tmp_path / "out" / "lingxi.docx").exists()


def test_a_zip_bomb_reference_docx_is_refused_by_templates_check(bombed: Path) -> None:
    report = check_template_set(find_template_set("default", bombed), [])
    assert any("解压后过大" in p.message for p in report.problems), report.problems


@pytest.mark.expected_warnings("已拒绝加载资源")
def test_a_huge_resource_is_not_loaded_into_the_pdf(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    from reportgen.writers import pdf_writer

    monkeypatch.setattr(pdf_writer, "RESOURCE_MAX_BYTES", 1024)
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"0" * 4096)
    policy = pdf_writer.ResourcePolicy(tmp_path)
    with pytest.raises(pdf_writer.ResourceRefused, match="文件过大"):
        policy.load(big.as_uri())
    assert policy.refused == [big.as_uri()]
