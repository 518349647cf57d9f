"""Templates cannot run for ever, read files outside their set, import code or load outside
resources."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reportgen.build import render_document
from reportgen.errors import DocumentError, TemplateError
from reportgen.templating.environment import TIME_LIMIT_ENV, render_html, render_time_limit
from reportgen.templating.templateset import TemplateSet
from tests.templating.test_environment import make_survey

LIMIT = 0.3


def make_set(tmp_path: Path, files: dict[str, str], name: str = "myset") -> TemplateSet:
    folder = tmp_path / "templates" / name
    folder.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        (folder / file).parent.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(text, encoding="utf-8")
    return TemplateSet(name, folder)


def render_error(ts: TemplateSet, limit: float = LIMIT) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        render_html(make_survey(), ts, time_limit=limit)
    return caught.value


# ----------------------------------------------------------------------------- time limit

NESTED = ("<p>开始</p>\n"
          "{% for i in range(100000) %}\n"
          "{% for j in range(100000) %}{{ i * j }}{% endfor %}\n"
          "{% endfor %}\n")


def test_nested_loops_stop_at_the_time_limit_with_file_and_line(tmp_path: Path) -> None:
    ts = make_set(tmp_path, {"report.html": NESTED})
    started = time.monotonic()
    error = render_error(ts)
    assert time.monotonic() - started < LIMIT + 2
    assert "时间限制（0.3 秒）" in error.message and "循环" in error.message
    assert error.file is not None and error.file.endswith("report.html")
    assert error.line in (2, 3)  # the loop that was running when time ran out
    assert error.source_line is not None and "for" in error.source_line


def test_single_huge_range_is_refused_by_the_sandbox(tmp_path: Path) -> None:
    ts = make_set(tmp_path, {"report.html": "<p>a</p>\n{% for i in range(10**9) %}{% endfor %}"})
    error = render_error(ts)
    assert "range()" in error.message and "100000" in error.message
    assert error.line == 2


def test_exponential_macro_recursion_stops_at_the_time_limit(tmp_path: Path) -> None:
    source = ("{% macro grow(n) %}{% if n %}{{ grow(n - 1) }}{{ grow(n - 1) }}{% endif %}"
              "{% endmacro %}\n<p>{{ grow(60) }}</p>\n")
    error = render_error(make_set(tmp_path, {"report.html": source}))
    assert "时间限制" in error.message and error.line == 1


def test_endless_recursion_is_a_template_error(tmp_path: Path) -> None:
    source = "{% macro me() %}{{ me() }}{% endmacro %}\n<p>{{ me() }}</p>\n"
    error = render_error(make_set(tmp_path, {"report.html": source}))
    assert "递归" in error.message and error.line == 1


def test_a_template_cannot_switch_the_limit_off(tmp_path: Path) -> None:
    # Names a template defines (even odd ones) cannot replace the deadline check.
    source = ("{% macro tick() %}{% endmacro %}{% set cycler = none %}"
              "{% set __reportgen_tick__ = none %}\n" + NESTED)
    error = render_error(make_set(tmp_path, {"report.html": source}))
    assert "时间限制" in error.message


def test_included_loops_are_limited_too(tmp_path: Path) -> None:
    ts = make_set(tmp_path, {"report.html": "<p>a</p>\n{% include 'loop.html' %}\n",
                             "loop.html": NESTED})
    error = render_error(ts)
    assert "时间限制" in error.message
    assert error.file is not None and error.file.endswith("loop.html")


def test_huge_repetition_and_powers_are_refused(tmp_path: Path) -> None:
    for source in ("<p>{{ 'x' * 10**9 }}</p>", "<p>{{ [1] * 10**8 }}</p>",
                   "<p>{{ 2 ** 100000 }}</p>"):
        error = render_error(make_set(tmp_path, {"report.html": source}))
        assert "不允许" in error.message, source
    ts = make_set(tmp_path, {"report.html": "<p>{{ '—' * 3 }}{{ 10 ** 2 }}</p>"})
    assert "———100" in render_html(make_survey(), ts)


def test_time_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TIME_LIMIT_ENV, "0.25")
    assert render_time_limit() == 0.25
    monkeypatch.setenv(TIME_LIMIT_ENV, "nonsense")
    assert render_time_limit() == 5.0


def test_build_of_a_looping_template_fails_in_chinese(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import SAMPLES, run_cli

    make_set(tmp_path, {"report.html": NESTED}, name="default")
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(tmp_path / "templates"))
    monkeypatch.setenv(TIME_LIMIT_ENV, "0.5")
    result = run_cli("build", str(SAMPLES / "yongan.yaml"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "report.html:" in result.stderr and "时间限制（0.5 秒）" in result.stderr
    assert not (tmp_path / "out" / "yongan.pdf").exists()


# ----------------------------------------------------------------------------- files


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.html"
    secret.write_text("<p>SECRET-CONTENT</p>", encoding="utf-8")
    return secret


@pytest.mark.parametrize("reference", [
    "../secret.html", "../../secret.html", "sub/../../secret.html", "{secret}", "/etc/passwd",
    "C:\\\\secret.html",
])
def test_include_cannot_leave_the_set(tmp_path: Path, outside: Path, reference: str) -> None:
    reference = reference.replace("{secret}", str(outside))
    for tag in ("include", "import"):
        statement = (f'{{% include "{reference}" %}}' if tag == "include"
                     else f'{{% import "{reference}" as x %}}')
        ts = make_set(tmp_path, {"report.html": f"<p>a</p>\n{statement}\n"})
        error = render_error(ts)
        assert "SECRET" not in str(error)
        assert error.line == 2
        assert ("模板集文件夹之外" in error.message or "找不到模板文件" in error.message), error


def test_symlinks_leading_out_of_the_set_are_refused(tmp_path: Path, outside: Path) -> None:
    ts = make_set(tmp_path, {"report.html": '<p>a</p>\n{% include "link.html" %}\n',
                             "inside.html": "<p>inside</p>"})
    os.symlink(outside, ts.root / "link.html")
    error = render_error(ts)
    assert "模板集文件夹之外" in error.message and "SECRET" not in str(error)
    # a symlinked folder leading out is refused the same way
    os.symlink(outside.parent, ts.root / "folder")
    (ts.root / "report.html").write_text('{% include "folder/secret.html" %}', encoding="utf-8")
    assert "模板集文件夹之外" in render_error(ts).message
    # a link that stays inside the set is fine
    os.symlink(ts.root / "inside.html", ts.root / "alias.html")
    (ts.root / "report.html").write_text('{% include "alias.html" %}', encoding="utf-8")
    assert "inside" in render_html(make_survey(), ts)


@pytest.mark.parametrize("expression", [
    "region.__class__.__mro__",
    "cycler.__init__.__globals__",
    "range.__self__",
    "().__class__.__base__.__subclasses__()",
    "chart.__globals__",
])
def test_no_way_to_python_internals(tmp_path: Path, expression: str) -> None:
    ts = make_set(tmp_path, {"report.html": f"<p>{{{{ {expression} }}}}</p>"})
    with pytest.raises(TemplateError):
        render_html(make_survey(), ts, time_limit=LIMIT)


@pytest.mark.parametrize("expression", [
    "survey.source.read_text()",
    "(survey.source.parent / 'written.txt').write_text('y')",
    "survey.source.open().read()",
    "survey.source.parent.parent.joinpath('secret.html').read_text()",
])
def test_the_survey_path_cannot_read_or_write_files(tmp_path: Path, outside: Path,
                                                    expression: str) -> None:
    survey_file = tmp_path / "data" / "survey.yaml"
    survey_file.parent.mkdir()
    survey_file.write_text("SURVEY-CONTENT", encoding="utf-8")
    survey = make_survey().model_copy(update={"source": survey_file})
    ts = make_set(tmp_path, {"report.html": f"<p>{{{{ {expression} }}}}</p>"})
    with pytest.raises(TemplateError, match="不允许") as caught:
        render_html(survey, ts, time_limit=LIMIT)
    assert "CONTENT" not in str(caught.value)
    assert not (tmp_path / "data" / "written.txt").exists()
    # the file name itself may be shown
    ts = make_set(tmp_path, {"report.html": "<p>{{ survey.source }}</p>"})
    assert "survey.yaml" in render_html(survey, ts)


def test_there_is_no_python_import(tmp_path: Path) -> None:
    for source in ('{% import "os" as os %}', "{{ __import__('os') }}",
                   "{% from 'subprocess' import run %}"):
        ts = make_set(tmp_path, {"report.html": source})
        with pytest.raises(TemplateError):
            render_html(make_survey(), ts, time_limit=LIMIT)


# ----------------------------------------------------------------------------- resources


def test_template_markup_cannot_load_outside_resources(tmp_path: Path) -> None:
    """Images, stylesheets and inline styles in a template never reach WeasyPrint."""
    for markup in ('<img src="../../secret.png">', '<link rel="stylesheet" href="/etc/x.css">',
                   "<style>@import url(../../x.css);</style>"):
        ts = make_set(tmp_path, {"report.html": f"<h1>t</h1>\n<p>a</p>\n{markup}\n"})
        with pytest.raises(TemplateError, match="不支持") as refused:
            render_document(make_survey(), ts)
        # Reported at the template line that wrote it, not a line of generated HTML.
        assert refused.value.line == 3 and isinstance(refused.value.__cause__, DocumentError)
    # Attributes are not carried into the printed HTML: the writers rebuild it from the tree.
    from reportgen.writers.html import document_to_html

    ts = make_set(tmp_path, {"report.html": (
        '<h1>t</h1>\n<p style="background: url(../../secret.png)" class="body">文字</p>\n'
        '<div style="background-image: url(file:///etc/passwd)"><p>b</p></div>')})
    html = document_to_html(render_document(make_survey(), ts))
    assert "secret" not in html and "passwd" not in html and "文字" in html


@pytest.mark.parametrize("source", [
    "<p>{{ ((((10**100)**100)**100)**100) }}</p>",  # each exponent is small, the number is not
    "<p>{{ (10**100) * (10**1300) }}</p>",
    "<p>{{ '%0999999999d' % 1 }}</p>",
    "<p>{{ '{:>999999999}'.format(1) }}</p>",
    "<p>{{ '{0:.999999999f}'.format(1.5) }}</p>",
    "<p>{{ '%s'|format(1) }}{{ '%099999999d'|format(1) }}</p>",
    "<p>{{ 'x'|center(999999999) }}</p>",
    "<p>{{ 'x y'|indent(999999999) }}</p>",
    "<p>{{ ('a' * 90000)|replace('a', 'b' * 90000) }}</p>",
    "<p>{{ [1, 2, 3]|join('x' * 90000) }}{{ range(99999)|join('y' * 200) }}</p>",
])
def test_arithmetic_formats_and_filters_are_bounded_in_time_and_memory(
        tmp_path: Path, source: str) -> None:
    started = time.perf_counter()
    error = render_error(make_set(tmp_path, {"report.html": source}))
    assert time.perf_counter() - started < 3, source
    assert error.file is not None and error.file.endswith("report.html") and error.line == 1
    assert "太大" in error.message or "太长" in error.message, error.message


def test_a_format_mistake_is_a_located_template_error(tmp_path: Path) -> None:
    ts = make_set(tmp_path, {"report.html": "<p>a</p>\n<p>{{ '{0}{1}'.format_map({}) }}</p>"})
    error = render_error(ts)
    assert error.line == 2 and "格式化文字" in error.message and "内部错误" not in error.message


def test_ordinary_formatting_still_works(tmp_path: Path) -> None:
    source = ("<p>{{ '%05.1f' % 3.14159 }} {{ '{:>6}'.format('甲') }}"
              " {{ 'a b'|replace(' ', '-') }} {{ 'x'|center(5) }} {{ [1, 2]|join('、') }}</p>")
    ts = make_set(tmp_path, {"report.html": source})
    assert "003.1      甲 a-b   x   1、2" in render_html(make_survey(), ts)
