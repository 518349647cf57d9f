"""One mistake, one location: `build`, `watch`, the preview and `templates check` all name the
same template file and line for it, whatever the kind of mistake.

Each mistake is planted in its own copy of the default set (templates/<name>/), chosen by its
own survey (inputs/<name>.yaml, lingxi with `template: <name>`). Everything runs in that
workspace, so every command shows the paths as staff see them: templates/<name>/report.html.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportgen.build.watch import WatchSession
from reportgen.cli.progress import PlainReporter
from reportgen.errors import TemplateError
from reportgen.preview import page
from reportgen.preview.state import PreviewState
from tests.conftest import ROOT, SAMPLES


@dataclass(frozen=True)
class Mistake:
    file: str
    old: str  # text of the default set …
    new: str  # … replaced by this
    bad: str  # where the mistake stands: its line is the expected one
    says: str  # a phrase of the message


MISTAKES = {
    # The issue's example: a link on line 10 of report.html.
    "a-tag": Mistake(
        "report.html", "<h1>{{ title }}</h1>\n\n",
        '<h1>{{ title }}</h1>\n<p>详见<a href="https://example.com">网站</a></p>\n', "<a href",
        "<a>"),
    "img-in-a-macro": Mistake(
        "cluster.html", "{% if c.products %}主要产品有",
        '{% if c.products %}<img src="logo.png">主要产品有', "<img", "<img>"),
    "br-in-a-long-paragraph": Mistake(
        "report.html", "现将有关情况报告如下：</p>", "现将有关情况报告如下：<br></p>", "<br>",
        "<br>"),
    "tag-from-an-expression": Mistake(
        "report.html", "<h2>存在的主要问题</h2>\n",
        '<h2>存在的主要问题</h2>\n<p>{{ "<u>重点</u>"|safe }}</p>\n', "<u>", "<u>"),
    "text-outside-a-paragraph": Mistake(
        "report.html", "<h2>存在的主要问题</h2>\n",
        "<h2>存在的主要问题</h2>\n以下是调研中发现的问题。\n", "以下是调研中发现的问题",
        "不在任何 <p> 段落中"),
    "bad-data-level": Mistake(
        "report.html", "<h2>存在的主要问题</h2>\n",
        '<h2>存在的主要问题</h2>\n<p class="runin" data-level="六"><strong>说明。</strong>'
        "文字</p>\n", 'data-level="六"', "data-level"),
    "bad-chart-figure": Mistake(
        "report.html", "<h2>存在的主要问题</h2>\n",
        '<h2>存在的主要问题</h2>\n<figure class="chart" data-chart="[1, 2]">'
        "<figcaption>图</figcaption></figure>\n", "<figure", "<figure"),
    "syntax-error": Mistake(
        "cluster.html", "{{ year }}年实现", "{{ year }年实现", "{{ year }年", "模板语法错误"),
    "undefined-variable": Mistake(
        "report.html", "<h1>{{ title }}</h1>", "<h1>{{ titel }}</h1>", "titel", "titel"),
    "unknown-filter": Mistake(
        "cluster.html", "{{ c.output|money }}", "{{ c.output|moeny }}", "moeny", "moeny"),
}


@dataclass
class Workspace:
    root: Path
    lines: dict[str, int]  # mistake → the line it stands on
    build_output: str
    check_output: str

    def expected(self, name: str) -> str:
        return f"templates/{name}/{MISTAKES[name].file}:{self.lines[name]}"


def _located(text: str, name: str) -> set[str]:
    """Every templates/<name>/FILE:LINE that `text` names."""
    return set(re.findall(rf"templates/{re.escape(name)}/[\w.]+:\d+", text))


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, REPORTGEN_TEMPLATES=str(root / "templates"))
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("locations")
    (root / "inputs").mkdir()
    (root / "samples").mkdir()
    survey = (SAMPLES / "lingxi.yaml").read_text(encoding="utf-8")
    assert "report:\n" in survey
    shutil.copy(SAMPLES / "lingxi.yaml", root / "samples" / "lingxi.yaml")
    lines = {}
    for name, mistake in MISTAKES.items():
        folder = root / "templates" / name
        shutil.copytree(ROOT / "templates" / "default", folder)
        path = folder / mistake.file
        text = path.read_text(encoding="utf-8")
        assert mistake.old in text, f"{name}: the default set changed, update this test"
        text = text.replace(mistake.old, mistake.new, 1)
        path.write_text(text, encoding="utf-8")
        lines[name] = text[:text.index(mistake.bad)].count("\n") + 1
        (root / "inputs" / f"{name}.yaml").write_text(
            survey.replace("report:\n", f"report:\n  template: {name}\n", 1), encoding="utf-8")
    built = _run(root, "build", "inputs", "--out", "out")
    assert built.returncode == 1, built.stdout + built.stderr
    checked = _run(root, "templates", "check", "--survey", "samples/lingxi.yaml")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    return Workspace(root, lines, built.stderr, checked.stderr)


def test_the_issue_example_is_on_line_10(ws: Workspace) -> None:
    assert ws.expected("a-tag") == "templates/a-tag/report.html:10"
    assert "模板生成的 HTML" not in ws.build_output + ws.check_output


@pytest.mark.parametrize("name", MISTAKES)
def test_build_names_the_template_line(ws: Workspace, name: str) -> None:
    assert _located(ws.build_output, name) == {ws.expected(name)}, ws.build_output
    message = next(line for line in ws.build_output.splitlines()
                   if line.startswith(ws.expected(name) + ": "))
    assert MISTAKES[name].says in message


@pytest.mark.parametrize("name", MISTAKES)
def test_templates_check_names_the_same_line(ws: Workspace, name: str) -> None:
    assert _located(ws.check_output, name) == {ws.expected(name)}, ws.check_output


@pytest.mark.parametrize("name", MISTAKES)
def test_watch_names_the_same_line(ws: Workspace, name: str,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.root)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(ws.root / "templates"))
    survey = Path("inputs") / f"{name}.yaml"
    session = WatchSession([Path("inputs")], Path("watched"), ("docx", "pdf"), jobs=1,
                           make_reporter=lambda: PlainReporter(quiet=True),
                           templates_root=Path("templates"), say=lambda text: None,
                           prepare=None)
    summary = session.rebuild([survey])
    assert [o.source for o in summary.failed] == [survey]
    error = summary.failed[0].error or ""
    assert error.startswith(ws.expected(name) + ": "), error
    assert MISTAKES[name].says in error


@pytest.mark.parametrize("name", MISTAKES)
def test_preview_names_the_same_line(ws: Workspace, name: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.root)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(ws.root / "templates"))
    survey = Path("inputs") / f"{name}.yaml"
    state = PreviewState(Path("inputs"), survey, None, root=Path("templates"))
    rendering = state.rendering(state.choose(name))
    error = rendering.error
    assert isinstance(error, TemplateError), error
    expected_file, expected_line = ws.expected(name).rsplit(":", 1)
    assert (error.file, error.line) == (expected_file, int(expected_line))
    assert MISTAKES[name].says in error.message
    panel = page.error_panel(state, error)
    assert "<h2>模板有错误</h2>" in panel
    assert (f'<code class="file">{expected_file}</code>'
            f'<span class="line-no">第 {expected_line} 行</span>') in panel
    assert f'<span class="line hit"><span class="ln">{expected_line}</span>' in panel


def test_the_faulty_tag_is_marked_in_the_preview(ws: Workspace,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.root)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(ws.root / "templates"))
    state = PreviewState(Path("inputs"), Path("inputs") / "a-tag.yaml", None,
                         root=Path("templates"))
    error = state.rendering(state.choose("a-tag")).error
    assert isinstance(error, TemplateError)
    assert error.source_line == '<p>详见<a href="https://example.com">网站</a></p>'
    assert error.column == error.source_line.index("<a") + 1
    assert "<mark>&lt;</mark>a href" in page.error_panel(state, error)


# ---- how the renderer traces HTML back to a template line


def test_the_parser_says_where_in_the_html_as_fields() -> None:
    from reportgen.document.html_parser import parse_html
    from reportgen.errors import DocumentError

    with pytest.raises(DocumentError) as refused:
        parse_html("<html><body>\n<p>a</p>\n<p>见 <a\n  href='x'>网站</a></p>\n</body></html>")
    error = refused.value
    # lxml counts a start tag at the line where it ends; the text says what to look for.
    assert (error.html_line, error.html_text) == (4, "<a")
    assert "<a>" in error.message and "HTML 第" not in error.message
    assert str(error).startswith("模板生成的 HTML 第 4 行：")


def _render_error(tmp_path: Path, report: str, cluster: str = "") -> TemplateError:
    from reportgen.build.pipeline import render_document
    from reportgen.survey import load_survey
    from reportgen.templating.templateset import TemplateSet

    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "report.html").write_text(report, encoding="utf-8")
    (folder / "cluster.html").write_text(cluster, encoding="utf-8")
    with pytest.raises(TemplateError) as refused:
        render_document(load_survey(SAMPLES / "lingxi.yaml"), TemplateSet("set", folder))
    return refused.value


def test_html_from_a_set_block_is_found_where_it_was_written(tmp_path: Path) -> None:
    error = _render_error(tmp_path, "<h1>{{ title }}</h1>\n{% set extra %}\n<p>a</p>\n"
                                    "<p><u>b</u></p>\n{% endset %}\n{{ extra }}\n")
    assert (Path(error.file or "").name, error.line) == ("report.html", 4)


def test_a_macro_whose_output_is_computed_with_is_placed_at_its_call(tmp_path: Path) -> None:
    """Marks inside the macro would change what |truncate keeps: the trace is checked
    against the real output and falls back to marking only what is printed directly."""
    error = _render_error(
        tmp_path,
        '{% import "cluster.html" as parts %}\n<h1>{{ title }}</h1>\n'
        "<p>{{ parts.intro(region)|truncate(12) }}</p>\n",
        "{% macro intro(r) %}\n<u>{{ r.name }}</u>的产业集群发展情况调研报告{% endmacro %}\n")
    assert (Path(error.file or "").name, error.line) == ("report.html", 3)
    assert error.source_line == "<p>{{ parts.intro(region)|truncate(12) }}</p>"
