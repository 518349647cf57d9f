"""Hostile text: nothing typed into a survey or a template set can read a file, reach the network
or run code, in the DOCX or in the PDF.

Everything is checked through the real CLI against a sentinel: a folder outside the toolkit
holding files with a unique token (text, CSS, PNG of an odd size, HTML), and a tiny HTTP
server on 127.0.0.1 that counts every connection. After each build, the token is in no
output (pdftotext, every XML part of the DOCX, the CLI's own messages), no image of the
sentinel's size is in the PDF, and the server saw no connection.

Three ways in are tried:
- survey text: markup, URLs, paths and Jinja typed by staff must come out literally;
- a template set whose head, CSS, SVG and reference.docx point outside (file://, ../,
  http://, @import, url(), @font-face, <image>, attached template, linked picture,
  INCLUDETEXT): the build succeeds, the fetcher refuses each with a 提示 warning and the
  DOCX writer strips each, so nothing is loaded at build time or later in Word;
- templates that try markup outside the supported subset, includes outside the set and
  sandbox escapes: refused with a message, nothing written.
"""

from __future__ import annotations

import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from ruamel.yaml import YAML

from tests.conftest import ROOT, need
from tests.writers.pngs import tiny_png

ATTACHED_TEMPLATE = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                     "attachedTemplate")
SENTINEL_PNG_SIZE = (7, 5)  # no chart has this size: an image of it in a PDF is the sentinel


@dataclass(frozen=True)
class Sentinel:
    token: str
    folder: Path

    @property
    def txt(self) -> Path:
        return self.folder / "sentinel.txt"

    @property
    def css(self) -> Path:
        return self.folder / "sentinel.css"

    @property
    def png(self) -> Path:
        return self.folder / "sentinel.png"

    @property
    def html(self) -> Path:
        return self.folder / "sentinel.html"


class _Counting(http.server.ThreadingHTTPServer):
    connections = 0

    def verify_request(self, request: object, client_address: object) -> bool:
        # Counted on accepting the connection, before any byte of a request is read.
        type(self).connections += 1
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        token = self.server.token  # type: ignore[attr-defined]
        body = f'h1::after {{ content: "{token}-HTTP"; }}'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def sentinel() -> Iterator[Sentinel]:
    token = f"SENTINEL{uuid.uuid4().hex[:12].upper()}"
    # Not under pytest's tmp folder: its name has hyphens, which pdftotext drops when a line
    # breaks after one, and the paths are compared with the PDF text.
    found = Sentinel(token, Path(tempfile.mkdtemp(prefix="rgsentinel")))
    found.txt.write_text(f"{token}-TXT\n", encoding="utf-8")
    found.css.write_text(f'h1.title::after {{ content: "{token}-CSS"; }}\n', encoding="utf-8")
    found.png.write_bytes(tiny_png(*SENTINEL_PNG_SIZE))
    found.html.write_text(f"<p>{token}-HTML</p>\n", encoding="utf-8")
    yield found
    shutil.rmtree(found.folder)


@pytest.fixture(scope="module")
def server(sentinel: Sentinel) -> Iterator[_Counting]:
    httpd = _Counting(("127.0.0.1", 0), _Handler)
    httpd.token = sentinel.token  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(server: _Counting, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/{path}"


def test_sentinel_server_counts_connections(server: _Counting) -> None:
    """The server really notices a fetch: a zero later means nothing was fetched."""
    import urllib.request

    before = server.connections
    with urllib.request.urlopen(_url(server, "probe.css"), timeout=5) as response:
        assert b"HTTP" in response.read()
    assert server.connections == before + 1
    server.__class__.connections = before  # the real tests expect zero from here on


# --- surveys and builds -------------------------------------------------------------------

def hostile_texts(sentinel: Sentinel, server: _Counting) -> list[str]:
    """What staff might type (or paste) into a survey's free text."""
    return [
        "file:///etc/passwd",
        f"file://{sentinel.txt}",
        "../../../../../../etc/passwd",
        f'<link rel="stylesheet" href="file://{sentinel.css}">',
        f"<style>@import url({_url(server, 'style.css')});</style>",
        f'<p style="background: url({_url(server, "bg.png")})">',
        f'<svg><image href="file://{sentinel.png}"/></svg>',
        f'<img src="{_url(server, "img.png")}">',
        f"url(../../{sentinel.css.name}) @import url(file://{sentinel.css})",
        "{{ 7*7 }}",
        "{% include 'report.html' %}",
        "{{ ''.__class__.__mro__ }}",
    ]


def write_survey(path: Path, texts: list[str], template: str | None = None) -> Path:
    report: dict[str, object] = {"author": "青山县工业和信息化局", "date": "2025-03-15",
                                 "year": 2024, "intro": texts[0] if texts else "本次调研。"}
    if template:
        report["template"] = template
    data = {
        "schema": 1,
        "region": {"name": "青山县"},
        "report": report,
        "clusters": [
            {"name": "纺织服装业", "output": "142亿元", "output_prev": "120亿元",
             "description": " ".join(texts[1:4]) or "说明。"},
            {"name": "食品加工业", "output": "78亿元",
             "description": " ".join(texts[4:7]) or "说明。"},
        ],
        "problems": [{"title": "企业布局分散", "detail": " ".join(texts[7:9]) or "详细。"}],
        "suggestions": [{"title": "加强规划引导", "measures": texts[9:] or ["编制规划"]}],
    }
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    return path


def run_with_templates(templates: Path, *args: str, cwd: Path = ROOT,
                       ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REPORTGEN_TEMPLATES": str(templates)}
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def pdf_text(pdf: Path) -> str:
    """The PDF's text without its page-number lines (— 2 —), which split paragraphs.

    Layout mode keeps each printed line whole: justified lines holding long unbreakable
    URLs have wide gaps, which the default mode reads as separate columns.
    """
    text = subprocess.run([need("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return re.sub(r"(?m)^\s*—\s*\d+\s*—\s*$", "", text)


def pdf_image_sizes(pdf: Path) -> list[tuple[int, int]]:
    listing = subprocess.run([need("pdfimages"), "-list", str(pdf)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    return [(int(cols[3]), int(cols[4])) for cols in (line.split() for line in listing)]


def docx_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name).decode("utf-8", "replace")
                for name in package.namelist() if name.endswith((".xml", ".rels"))}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_nothing_leaked(sentinel: Sentinel, server: _Counting, *texts: str) -> None:
    for text in texts:
        assert sentinel.token not in text
    assert server.connections == 0


# --- 1. survey text ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def survey_build(tmp_path_factory: pytest.TempPathFactory, sentinel: Sentinel,
                 server: _Counting) -> tuple[Path, subprocess.CompletedProcess[str]]:
    work = tmp_path_factory.mktemp("survey_text")
    source = write_survey(work / "hostile.yaml", hostile_texts(sentinel, server))
    result = run_with_templates(ROOT / "templates", "build", str(source), "--out",
                                str(work / "out"))
    return work / "out", result


@pytest.mark.slow
def test_survey_text_appears_literally_and_loads_nothing(
        survey_build: tuple[Path, subprocess.CompletedProcess[str]], sentinel: Sentinel,
        server: _Counting) -> None:
    out, result = survey_build
    assert result.returncode == 0, result.stderr
    texts = [squeeze(t) for t in hostile_texts(sentinel, server)]
    pdf = squeeze(pdf_text(out / "hostile.pdf"))
    document = docx.Document(str(out / "hostile.docx"))
    words = squeeze("".join(p.text for p in document.paragraphs))
    for text in texts:
        assert text in pdf, text
        assert text in words, text
    assert "已拒绝加载资源" not in result.stderr  # typed text was never a URL to fetch
    parts = docx_parts(out / "hostile.docx")
    assert not any('TargetMode="External"' in xml for xml in parts.values())
    assert SENTINEL_PNG_SIZE not in pdf_image_sizes(out / "hostile.pdf")
    assert_nothing_leaked(sentinel, server, pdf, words, *parts.values(), result.stdout,
                          result.stderr)


# --- 2. a template set that points outside ----------------------------------------------------

def poison_reference(path: Path, sentinel: Sentinel, server: _Counting) -> None:
    """Add to reference.docx what Word would load: attached template, linked picture, fields."""
    doc = docx.Document(str(path))
    settings = doc.part._settings_part
    r_id = settings.relate_to(_url(server, "template.dotm"), ATTACHED_TEMPLATE, is_external=True)
    attached = parse_xml(f'<w:attachedTemplate {nsdecls("w", "r")} r:id="{r_id}"/>')
    settings.element.insert(0, attached)
    footer = doc.sections[0].footer
    part = footer.part
    link = part.relate_to(f"file://{sentinel.txt}", RT.HYPERLINK, is_external=True)
    picture = part.relate_to(_url(server, "logo.png"), RT.IMAGE, is_external=True)
    paragraph = footer.paragraphs[0]._p
    paragraph.append(parse_xml(
        f'<w:hyperlink {nsdecls("w", "r")} r:id="{link}"><w:r><w:t>链接</w:t></w:r></w:hyperlink>'))
    paragraph.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=\' INCLUDETEXT "file://{sentinel.txt}" \'>'
        "<w:r><w:t>旧结果</w:t></w:r></w:fldSimple>"))
    for xml in (f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
                f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> INCLUDEPICTURE '
                f'"{_url(server, "pic.png")}" \\d </w:instrText></w:r>',
                f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
                f'<w:r {nsdecls("w")}><w:t>图</w:t></w:r>',
                f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'):
        paragraph.append(parse_xml(xml))
    paragraph.append(parse_xml(
        f'<w:r {nsdecls("w", "wp", "a", "pic", "r")}><w:drawing><wp:inline>'
        '<wp:extent cx="91440" cy="91440"/><wp:docPr id="900" name="logo"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic><pic:nvPicPr><pic:cNvPr id="900" name="logo"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:link="{picture}"/><a:stretch><a:fillRect/></a:stretch>'
        '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="91440" cy="91440"/>'
        '</a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic>'
        "</wp:inline></w:drawing></w:r>"))
    doc.save(str(path))


def poison_set(root: Path, sentinel: Sentinel, server: _Counting) -> None:
    """The default set, with its head, CSS, an SVG and reference.docx pointing outside."""
    outside = os.path.relpath(sentinel.css, root)
    report = root / "report.html"
    html = report.read_text(encoding="utf-8")
    head = (f'<head><link rel="stylesheet" href="file://{sentinel.css}">'
            f'<link rel="stylesheet" href="{_url(server, "head.css")}">'
            f"<style>@import url({_url(server, 'head-import.css')});</style></head>")
    html = html.replace('<html lang="zh-CN">', f'<html lang="zh-CN">{head}', 1)
    html = html.replace("<h2>存在的主要问题</h2>",
                        f'<p class="plain" style="background: url({_url(server, "p.png")})" '
                        f'data-src="file://{sentinel.png}">属性中的地址不会被加载。</p>\n'
                        "<h2>存在的主要问题</h2>", 1)
    report.write_text(html, encoding="utf-8")
    (root / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="40" height="10">'
        f'<image href="file://{sentinel.png}" width="7" height="5"/>'
        f'<image xlink:href="{_url(server, "svg.png")}" width="7" height="5"/>'
        f'<image href="{os.path.relpath(sentinel.png, root)}" width="7" height="5"/>'
        '<rect width="4" height="4"/></svg>', encoding="utf-8")
    # WeasyPrint 70 cannot @import inside an SVG at all: the image fails to load (closed).
    (root / "evil_import.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
        f"<style>@import url(file://{sentinel.css});</style>"
        '<rect width="4" height="4"/></svg>', encoding="utf-8")
    css = (root / "print.css").read_text(encoding="utf-8")
    (root / "print.css").write_text(
        f"@import url(file://{sentinel.css});\n"
        f'@import "{outside}";\n'
        f"@import url({_url(server, 'import.css')});\n"
        + css
        + "\n@font-face { font-family: Evil; "
          f"src: url(file://{sentinel.txt}), url({_url(server, 'font.ttf')}); }}\n"
          'h1.title { font-family: Evil, "FandolSong", serif; }\n'
          "h1.title::before { content: url(evil.svg) url(evil_import.svg); }\n"
          f"h2 {{ background-image: url({_url(server, 'bg.png')}); }}\n"
          f"p.body {{ background-image: url(file://{sentinel.png}); }}\n",
        encoding="utf-8")
    poison_reference(root / "reference.docx", sentinel, server)


@pytest.fixture(scope="module")
def template_build(tmp_path_factory: pytest.TempPathFactory, sentinel: Sentinel,
                   server: _Counting) -> tuple[Path, subprocess.CompletedProcess[str]]:
    work = tmp_path_factory.mktemp("template")
    templates = work / "templates"
    shutil.copytree(ROOT / "templates", templates)
    poison_set(templates / "default", sentinel, server)
    source = write_survey(work / "plain.yaml", [])
    result = run_with_templates(templates, "build", str(source), "--out", str(work / "out"))
    return work / "out", result


@pytest.mark.slow
def test_pdf_fetcher_refuses_every_outside_resource_of_a_set(
        template_build: tuple[Path, subprocess.CompletedProcess[str]], sentinel: Sentinel,
        server: _Counting) -> None:
    out, result = template_build
    assert result.returncode == 0, result.stderr
    refused = [line for line in result.stderr.splitlines() if "已拒绝加载资源" in line]
    assert all(line.startswith("提示：") for line in refused)
    shown = "\n".join(refused)
    for url in (f"file://{sentinel.css}", _url(server, "import.css"), _url(server, "font.ttf"),
                _url(server, "bg.png"), f"file://{sentinel.png}", _url(server, "svg.png"),
                f"file://{sentinel.txt}"):
        assert url in shown, url
    # The absolute @import and the relative one ("../../…") both arrive resolved, refused.
    assert shown.count(f"file://{sentinel.css}") >= 2
    # WeasyPrint's own messages are shown in Chinese, without repeating refusals.
    assert "Failed to load" not in result.stderr and "cannot be loaded" not in result.stderr
    assert "提示：图片无法加载：" in result.stderr and "evil_import.svg" in result.stderr
    text = pdf_text(out / "plain.pdf")
    assert "属性中的地址不会被加载。" in squeeze(text)
    assert SENTINEL_PNG_SIZE not in pdf_image_sizes(out / "plain.pdf")
    assert_nothing_leaked(sentinel, server, text, result.stdout, result.stderr)


@pytest.mark.slow
def test_docx_keeps_nothing_that_word_would_load(
        template_build: tuple[Path, subprocess.CompletedProcess[str]], sentinel: Sentinel,
        server: _Counting) -> None:
    out, result = template_build
    assert result.returncode == 0, result.stderr
    assert "提示：参考文档" in result.stderr and "已删除" in result.stderr
    parts = docx_parts(out / "plain.docx")
    for name, xml in parts.items():
        assert 'TargetMode="External"' not in xml, name
        assert "attachedTemplate" not in xml, name
        assert not re.search(r"INCLUDE(TEXT|PICTURE)", xml), name
        assert "r:link=" not in xml, name
    footers = [xml for name, xml in parts.items() if "footer" in name and name.endswith(".xml")]
    assert any(" PAGE " in xml or "PAGE" in xml for xml in footers)  # page numbers survive
    assert any("链接" in xml and "旧结果" in xml for xml in footers)  # shown text is kept
    docx.Document(str(out / "plain.docx"))  # still a valid package
    assert_nothing_leaked(sentinel, server, *parts.values())


# --- 3. templates outside the supported subset, includes and sandbox escapes ------------------

def refused_sets(sentinel: Sentinel, server: _Counting, root: Path) -> dict[str, tuple[str, str]]:
    """Set name → (snippet put into report.html, fragment of the expected message)."""
    outside = os.path.relpath(sentinel.html, root / "x")
    return {
        "img": (f'<p>图<img src="{_url(server, "img.png")}"></p>', "<img>"),
        "svg": (f'<svg><image href="file://{sentinel.png}"/></svg>', "<svg>"),
        "object": (f'<object data="file://{sentinel.txt}"></object>', "<object>"),
        "iframe": (f'<iframe src="{_url(server, "frame")}"></iframe>', "<iframe>"),
        "anchor": (f'<p><a href="file://{sentinel.txt}">链接</a></p>', "<a>"),
        "bodystyle": (f"<p>文字</p><style>@import url(file://{sentinel.css});</style>",
                      "<style>"),
        "symlink": ('{% include "evil.html" %}', "模板集文件夹之外"),
        "parent": (f'{{% include "{outside}" %}}', "模板集文件夹之外"),
        "absolute": (f'{{% include "{sentinel.html}" %}}', "模板集文件夹之外"),
        "mro": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "不允许"),
        "globals": ("{{ lipsum.__globals__['os'].system('touch PWNED') }}", "不允许"),
        "format": ("{{ '{0.__class__.__init__.__globals__}'.format(1) }}", "不允许"),
    }


@pytest.mark.slow
def test_templates_that_reach_outside_are_refused(tmp_path: Path, sentinel: Sentinel,
                                                  server: _Counting) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    cases = refused_sets(sentinel, server, templates)
    sources = []
    for name, (snippet, _) in cases.items():
        folder = templates / name
        shutil.copytree(templates / "default", folder)
        report = folder / "report.html"
        html = report.read_text(encoding="utf-8")
        report.write_text(html.replace("<h2>存在的主要问题</h2>",
                                       f"{snippet}\n<h2>存在的主要问题</h2>", 1),
                          encoding="utf-8")
        sources.append(write_survey(tmp_path / f"{name}.yaml", [], template=name))
    (templates / "symlink" / "evil.html").symlink_to(sentinel.html)
    out = tmp_path / "out"
    result = run_with_templates(templates, "build", *map(str, sources), "--out", str(out),
                                cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for name, (_, fragment) in cases.items():
        lines = [line for line in result.stderr.splitlines()
                 if f"{name}.yaml" in line or f"/{name}/" in line]
        assert any(fragment in line for line in lines), (name, lines)
        assert not (out / f"{name}.docx").exists() and not (out / f"{name}.pdf").exists()
    assert not (ROOT / "PWNED").exists() and not (tmp_path / "PWNED").exists()
    assert_nothing_leaked(sentinel, server, result.stdout, result.stderr)


def test_survey_cannot_pick_a_template_outside_the_templates_folder(tmp_path: Path) -> None:
    source = write_survey(tmp_path / "escape.yaml", [], template="../../tmp")
    result = run_with_templates(ROOT / "templates", "check", str(source))
    assert result.returncode == 1
    assert "找不到模板集" in result.stderr and "report.template" in result.stderr


def test_docx_reference_stripping_unit(tmp_path: Path, sentinel: Sentinel,
                                       server: _Counting) -> None:
    """drop_external_references on its own: every external target goes, the rest stays."""
    from reportgen.writers.docx_writer import drop_external_references

    path = tmp_path / "reference.docx"
    shutil.copy(ROOT / "templates" / "default" / "reference.docx", path)
    poison_reference(path, sentinel, server)
    doc = docx.Document(str(path))
    removed = drop_external_references(doc)
    assert _url(server, "template.dotm") in removed
    assert f"file://{sentinel.txt}" in removed and _url(server, "logo.png") in removed
    assert any(r.startswith("INCLUDETEXT") for r in removed)
    assert any(r.startswith("INCLUDEPICTURE") for r in removed)
    buffer = io.BytesIO()
    doc.save(buffer)
    again = docx.Document(io.BytesIO(buffer.getvalue()))
    assert drop_external_references(again) == []  # nothing left to strip
    assert server.connections == 0
