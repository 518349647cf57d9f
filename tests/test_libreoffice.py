"""A real Word client opens every sample DOCX: LibreOffice headless converts it to PDF."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.conftest import need


def test_libreoffice_converts_every_sample_docx(built: Path, samples: list[Path],
                                                tmp_path: Path) -> None:
    soffice = need("soffice")
    docs = [str(built / f"{s.stem}.docx") for s in samples]
    profile = tmp_path / "profile"  # a private profile: parallel runs must not share one
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), *docs],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    for sample in samples:
        pdf = tmp_path / f"{sample.stem}.pdf"
        assert pdf.is_file() and pdf.stat().st_size > 5_000, result.stdout + result.stderr
        text = subprocess.run([need("pdftotext"), str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "对策建议" in text
        assert re.search(r"—\s*1\s*—", text), "page number field missing"
