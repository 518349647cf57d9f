"""The preview server's routes, answered by a real server on port 0 (no browser)."""

from __future__ import annotations

import html
import io
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import docx
import pytest

from reportgen.preview.watch import Watcher
from tests.conftest import SAMPLES, need, run_cli
from tests.preview.conftest import SURVEY, Preview

TITLE = "灵溪县产业集群发展情况调研报告"
_LINE = re.compile(r'<span style="[^"]*" data-width="[^"]*">(.*?)</span>', re.S)


def page_text(fragment: str) -> str:
    """The text layer of the current pages (not the greyed last-good ones), lines joined."""
    current = fragment.split('<div class="stale">')[0]
    return "".join(html.unescape(t) for t in _LINE.findall(current))


def break_template(template: Path, line: str) -> int:
    """Insert `line` after the report title; returns its line number."""
    lines = template.read_text(encoding="utf-8").split("\n")
    at = next(i for i, text in enumerate(lines) if text.startswith("<h1>")) + 1
    lines.insert(at, line)
    template.write_text("\n".join(lines), encoding="utf-8")
    return at + 1


def test_page_shows_the_printed_report_page_by_page(preview: Preview) -> None:
    reply = preview.get("/")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    page = reply.text
    assert f"<title>预览 · {TITLE}</title>" in page
    assert "现将有关情况报告如下" in page_text(page)
    # The picker lists the folder's survey and the template sets.
    assert '<option value="lingxi" selected>lingxi.yaml</option>' in page
    assert '<option value="default">default</option>' in page

    ids = re.findall(r'src="/pages/([0-9a-f]{16})/(\d+)\.svg"', page)
    assert [int(n) for _, n in ids] == [1, 2, 3, 4, 5]
    svg = preview.get(f"/pages/{ids[0][0]}/1.svg")
    assert svg.status == 200
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert svg.body.startswith(b"<?xml") and b"<svg" in svg.body
    assert preview.get(f"/pages/{ids[0][0]}/6.svg").status == 404
    # Page 2 holds the charts: they are drawn into the page as images.
    assert b"<image" in preview.get(f"/pages/{ids[0][0]}/2.svg").body


def test_preview_pdf_is_the_built_pdf(preview: Preview, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """"As it will print": the pages shown are drawn from exactly the PDF `build` writes."""
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(preview.templates))
    out = tmp_path / "built"
    result = run_cli("build", str(preview.survey), "--out", str(out), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    reply = preview.get(f"/download/pdf?survey={SURVEY}")
    assert reply.status == 200
    assert reply.body.startswith(b"%PDF")
    assert reply.body == (out / f"{SURVEY}.pdf").read_bytes()
    pages = subprocess.run([need("pdfinfo"), "-"], input=reply.body, capture_output=True,
                           check=True).stdout.decode()
    assert re.search(r"Pages:\s+5\b", pages)
    assert "共 5 页" in preview.content()["html"]


def test_downloads_are_real_files_named_after_the_report(preview: Preview) -> None:
    reply = preview.get(f"/download/docx?survey={SURVEY}&template=")
    assert reply.status == 200
    assert reply.headers["Content-Type"].endswith("wordprocessingml.document")
    disposition = reply.headers["Content-Disposition"]
    assert disposition == (f"attachment; filename=\"{SURVEY}.docx\"; "
                           f"filename*=UTF-8''{quote(TITLE + '.docx')}")
    document = docx.Document(io.BytesIO(reply.body))
    assert TITLE in [p.text for p in document.paragraphs]

    pdf = preview.get("/download/pdf")
    assert pdf.body.startswith(b"%PDF")
    assert f"filename*=UTF-8''{quote(TITLE + '.pdf')}" in pdf.headers["Content-Disposition"]


def test_saved_template_shows_and_broken_template_gets_an_error_panel(preview: Preview) -> None:
    first = preview.content()
    assert first["ok"] and "现将有关情况报告如下" in page_text(first["html"])
    original = preview.template.read_text(encoding="utf-8")

    preview.template.write_text(original.replace("现将有关情况报告如下", "现将调研情况汇报如下"),
                                encoding="utf-8")
    edited = preview.content()
    assert edited["id"] != first["id"]
    assert "现将调研情况汇报如下" in page_text(edited["html"])

    line = break_template(preview.template, "<p>{{ nosuchvar }}<b>粗</b></p>")
    broken = preview.content()
    assert not broken["ok"]
    panel = broken["html"]
    assert '<section class="error-panel" role="alert">' in panel
    assert "<h2>模板有错误</h2>" in panel
    assert str(preview.template) in panel
    assert f"第 {line} 行" in panel
    assert "nosuchvar" in panel
    # The offending source line, highlighted and escaped (never markup in the page).
    assert (f'<span class="line hit"><span class="ln">{line}</span>'
            "&lt;p&gt;{{ nosuchvar }}&lt;b&gt;粗&lt;/b&gt;&lt;/p&gt;</span>") in panel
    # The last good pages stay visible under the panel, greyed.
    assert "上一次成功生成的预览" in panel and "现将调研情况汇报如下" in panel
    assert preview.get(f"/download/docx?survey={SURVEY}").status == 409
    page = preview.get("/").text
    assert 'class="button disabled"' in page and "有错误" in page

    preview.template.write_text(original, encoding="utf-8")
    fixed = preview.content()
    assert fixed["ok"] and "error-panel" not in fixed["html"]
    assert fixed["id"] == first["id"]  # the same files give the same PDF, byte for byte


def test_unclosed_block_names_the_file_and_line(preview: Preview) -> None:
    line = break_template(preview.template, "{% if clusters %}")
    panel = preview.content()["html"]
    assert "<h2>模板有错误</h2>" in panel and str(preview.template) in panel
    assert f"第 {line} 行" in panel and "endif" in panel
    assert f'<span class="line hit"><span class="ln">{line}</span>{{% if clusters %}}' in panel


def test_broken_survey_names_file_line_column_and_key(preview: Preview) -> None:
    text = preview.survey.read_text(encoding="utf-8")
    preview.survey.write_text(text.replace("industrial_output: 386.5亿元",
                                           "industrial_output: 很多<i>亿元"), encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "industrial_output:" in t)
    data = preview.content()
    assert not data["ok"]
    panel = data["html"]
    assert "<h2>调研数据有错误（共 1 处）</h2>" in panel
    assert f"{SURVEY}.yaml" in panel
    assert f"第 {line} 行，第 22 列" in panel
    assert "<code>totals.industrial_output</code>（工业总产值）" in panel
    assert "不是可识别的金额" in panel
    # The faulty value is marked where the column points, and escaped.
    assert "industrial_output: <mark>很</mark>多&lt;i&gt;亿元" in panel

    preview.survey.write_text(text, encoding="utf-8")
    assert preview.content()["ok"]


def test_survey_text_is_escaped_in_the_page(preview: Preview) -> None:
    text = preview.survey.read_text(encoding="utf-8")
    preview.survey.write_text(
        text.replace("intro: 本次调研", "intro: <img src=x onerror=alert(1)>本次调研"),
        encoding="utf-8")
    data = preview.content()
    assert data["ok"], data["html"]
    assert "<img src=x" not in data["html"]
    assert "<img src=x onerror=alert(1)>" in page_text(data["html"])


@pytest.mark.parametrize("path", [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/../../etc/passwd",
    "/static/",
    "/pages/",
    "/pages/../../../etc/passwd",
    "/pages/0000000000000000/1.svg",
    "/inputs/lingxi.yaml",
    "/templates/default/report.html",
    "/templates/default/print.css",
    "/etc/passwd",
    "//etc/passwd",
    "/?survey=../../../etc/passwd",
    "/?survey=/etc/passwd",
    "/?template=../../etc",
    "/content?survey=..%2F..%2Fetc%2Fpasswd",
    "/download/pdf?survey=/etc/passwd",
    "/download/docx?template=../default",
])
def test_nothing_but_the_preview_is_served(preview: Preview, path: str) -> None:
    reply = preview.get(path)
    assert reply.status == 404, path
    assert b"root:" not in reply.body
    assert b"{{" not in reply.body and b"@page" not in reply.body


def test_other_methods_and_foreign_hosts_are_refused(preview: Preview) -> None:
    assert preview.get("/", method="POST").status == 405
    assert preview.get("/", method="DELETE").status == 405
    # A web page that rebinds its own name to 127.0.0.1 still sends its own Host.
    refused = preview.get("/", host="evil.example")
    assert refused.status == 403
    assert TITLE not in refused.text
    assert preview.get("/", host=f"localhost:{preview.server.port}").status == 200


def test_server_listens_on_loopback_only(preview: Preview) -> None:
    assert preview.server.socket.getsockname()[0] == "127.0.0.1"
    try:
        found = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except socket.gaierror:  # a machine without a resolvable name: nothing else to probe
        found = []
    addresses = {str(a[4][0]) for a in found} - {"127.0.0.1", "127.0.1.1"}
    for address in addresses:
        with socket.socket() as probe:
            probe.settimeout(1)
            assert probe.connect_ex((address, preview.server.port)) != 0


def test_picker_switches_survey_and_template_set(preview: Preview) -> None:
    assert "yongan" not in preview.content()["picker"]
    shutil.copytree(preview.templates / "default", preview.templates / "second")
    (preview.templates / "second" / "report.html").write_text(
        (preview.templates / "default" / "report.html").read_text(encoding="utf-8")
        .replace("现将有关情况报告如下", "第二套模板的开头"), encoding="utf-8")
    shutil.copy(SAMPLES / "yongan.yaml", preview.survey.parent / "yongan.yaml")

    # Added while the preview runs: the menus sent with the next refresh list them.
    picker = preview.content()["picker"]
    assert '<option value="yongan">yongan.yaml</option>' in picker
    assert '<option value="second">second</option>' in picker

    switched = preview.get("/?survey=yongan&template=second").text
    assert "永安" in switched and "模板集：second" in switched
    assert "第二套模板的开头" in page_text(switched)
    assert '<option value="second" selected>second</option>' in switched
    assert 'href="/download/pdf?survey=yongan&amp;template=second"' in switched
    assert preview.get("/?survey=nosuch").status == 404
    assert "找不到调研数据“nosuch”" in preview.get("/?survey=nosuch").text


def _read_until(sock: socket.socket, received: bytes, wanted: bytes, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while wanted not in received and time.monotonic() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


def test_event_stream_announces_a_save(preview: Preview) -> None:
    watcher = Watcher(preview.server.state)
    watcher.start()
    port = preview.server.port
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(f"GET /events HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            received = _read_until(sock, b"", b"retry: 1000", 10)
            assert b"text/event-stream" in received
            assert b"event: change" not in received
            time.sleep(0.3)  # let the watcher settle before the save
            (preview.templates / "default" / "print.css").write_text("/* 改了 */", "utf-8")
            received = _read_until(sock, received, b"event: change", 5)
            assert b"event: change\ndata: " in received
    finally:
        watcher.stop()
