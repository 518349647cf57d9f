"""What the PDF writer does once per process: print.css parsed once, the /ID without a second
compression pass; and the chart cache `build` and `watch` share across reports."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.document.model import Document, Paragraph, Run, Title
from reportgen.templating.templateset import find_template_set
from reportgen.writers import pdf_writer
from reportgen.writers.pdf_writer import PdfWriter, stylesheet, with_identifier

ROOT = Path(__file__).resolve().parents[2]


def _pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<p>调研报告</p>").write_pdf(pdf_identifier=False)


def test_identifier_is_the_hash_of_the_file_and_keeps_offsets_right() -> None:
    raw = _pdf()
    assert b"/ID" not in raw
    pdf = with_identifier(raw)
    assert with_identifier(raw) == pdf  # same bytes in, same bytes out
    ids = re.findall(rb"/ID \[<([0-9a-f]{32})> <([0-9a-f]{32})>\]", pdf)
    assert len(ids) == 1 and ids[0][0] == ids[0][1]
    start = pdf.rindex(b"startxref")
    offset = int(pdf[start + len(b"startxref"):].split()[0])
    assert re.match(rb"\d+ 0 obj\s*<</ID", pdf[offset:])  # the xref stream, found where said
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        result = subprocess.run([pdfinfo, "-"], input=pdf, capture_output=True, check=False)
        assert result.returncode == 0 and not result.stderr, result.stderr


def test_identifier_in_a_classic_trailer() -> None:
    body = (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\nxref\n0 1\ntrailer\n<</Size 1>>\n"
            b"startxref\n9\n%%EOF\n")
    pdf = with_identifier(body)
    assert b"trailer\n<</ID [<" in pdf and pdf.endswith(b"startxref\n9\n%%EOF\n")


def test_print_css_is_parsed_once_until_the_file_changes(tmp_path: Path) -> None:
    src = find_template_set("default").root
    root = tmp_path / "set"
    shutil.copytree(src, root)
    template_set = find_template_set("set", tmp_path)
    first, hit = stylesheet(template_set)
    assert not hit
    again, hit = stylesheet(template_set)
    assert hit and again is first
    css = template_set.css
    css.write_text(css.read_text(encoding="utf-8") + "\np { color: black; }\n",
                   encoding="utf-8")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed, hit = stylesheet(template_set)
    assert not hit and changed is not first


@pytest.mark.expected_warnings("^已拒绝加载资源", logger="reportgen.writers.pdf_writer")
def test_a_refused_url_in_print_css_is_reported_for_every_report(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "set"
    shutil.copytree(find_template_set("default").root, root)
    css = root / "print.css"
    css.write_text('@import url("file:///etc/passwd");\n' + css.read_text(encoding="utf-8"),
                   encoding="utf-8")
    template_set = find_template_set("set", tmp_path)
    document = Document([Title("报告"), Paragraph([Run("调研报告")])], title="报告",
                        meta={"date": "2025-03-15"})
    pdfs = []
    for _ in range(2):  # the second report takes print.css from the cache
        caplog.clear()
        writer = PdfWriter()
        out = io.BytesIO()
        writer.write(document, template_set, out)
        pdfs.append(out.getvalue())
        assert writer.refused == ["file:///etc/passwd"]
        assert any("/etc/passwd" in r.getMessage() for r in caplog.records)
    assert pdfs[0] == pdfs[1]


def test_one_font_configuration_per_process() -> None:
    assert pdf_writer.font_config() is pdf_writer.font_config()


def test_build_file_reuses_the_charts_of_this_process(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen import charts
    from reportgen.build import chart_cache, pipeline

    monkeypatch.setattr(chart_cache, "_process_cache", None)
    drawn: list[str] = []
    real = charts.render_png

    def counting(spec: charts.ChartSpec, width_cm: float = 15.0) -> bytes:
        drawn.append(spec.title)
        return real(spec, width_cm)

    monkeypatch.setattr(charts, "render_png", counting)
    survey = ROOT / "inputs" / "zhucheng.yaml"
    first = pipeline.build_file(survey, tmp_path / "a", ("docx",))
    assert first.ok and drawn
    count = len(drawn)
    second = pipeline.build_file(survey, tmp_path / "b", ("docx",))
    assert second.ok and len(drawn) == count  # a second report drew no chart again
    assert len(chart_cache.process_chart_cache()) == count
    assert (tmp_path / "a" / "zhucheng.docx").read_bytes() == (
        tmp_path / "b" / "zhucheng.docx").read_bytes()


def test_an_imported_stylesheet_edit_is_seen_too(tmp_path: Path) -> None:
    """print.css @imports another file of the set: editing that file must not be hidden by
    the parsed-once cache (the template editor's preview and watch depend on it)."""
    import shutil

    from reportgen.templating.templateset import TemplateSet
    from reportgen.writers.pdf_writer import stylesheet

    root = tmp_path / "set"
    shutil.copytree(ROOT / "templates" / "default", root)
    (root / "extra.css").write_text("p { color: black; }\n", encoding="utf-8")
    css = root / "print.css"
    css.write_text('@import "extra.css";\n' + css.read_text(encoding="utf-8"), encoding="utf-8")
    template_set = TemplateSet("default", root)
    first, _ = stylesheet(template_set)
    assert stylesheet(template_set)[1] is True  # parsed once
    (root / "extra.css").write_text("p { color: red; }\n/* edited */\n", encoding="utf-8")
    again, cached = stylesheet(template_set)
    assert cached is False and again is not first
