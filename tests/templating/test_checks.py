"""`templates check`: one broken template per kind of mistake, each reported at its file:line."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from reportgen.checks.template_set import check_template_set
from reportgen.templating.templateset import TemplateSet, templates_root
from tests.conftest import SAMPLES, run_cli

# lingxi has groups, causes, history and totals: every branch of the default set renders.
SURVEY = SAMPLES / "lingxi.yaml"


@pytest.fixture
def broken(tmp_path: Path) -> TemplateSet:
    shutil.copytree(templates_root() / "default", tmp_path / "templates" / "broken")
    return TemplateSet("broken", tmp_path / "templates" / "broken")


def edit(ts: TemplateSet, file: str, old: str, new: str, bad: str) -> int:
    """Replace `old` by `new` in the set's file; the line where `bad` now stands."""
    path = ts.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}: the default set changed, update this test"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[:text.index(bad)].count("\n") + 1


@dataclass(frozen=True)
class Mistake:
    kind: str
    file: str
    old: str
    new: str
    bad: str  # where the mistake stands (its line is expected)
    says: tuple[str, ...]  # phrases of the message (what is wrong, what to write)


MISTAKES = {
    "undefined variable": Mistake(
        "variable", "report.html", "<h1>{{ title }}</h1>", "<h1>{{ titel }}</h1>", "titel",
        ("变量“titel”不存在", "title")),
    "undefined attribute": Mistake(
        "render", "report.html", "<h2>{{ region.name }}产业集群发展现状</h2>",
        "<h2>{{ region.nmae }}产业集群发展现状</h2>", "region.nmae",
        ("region（地区）没有“nmae”", "是不是要写“name”", "lingxi.yaml")),
    "unknown filter": Mistake(
        "filter", "cluster.html", "{{ c.output|money }}", "{{ c.output|moeny }}", "moeny",
        ("不认识的过滤器“moeny”", "money")),
    "unknown filter in a branch": Mistake(
        "filter", "cluster.html", "{{ c.registered_capital|money }}",
        "{{ c.registered_capital|percnt }}", "percnt", ("不认识的过滤器“percnt”", "percent")),
    "unknown helper": Mistake(
        "helper", "report.html", '{{ chart("bar"', '{{ charts("bar"', "charts",
        ("不认识的函数“charts”", "chart")),
    "unknown macro": Mistake(
        "helper", "report.html", "parts.summary_paragraph(", "parts.summary_paragraf(",
        "summary_paragraf", ("cluster.html 里没有名为“summary_paragraf”的宏",
                             "summary_paragraph")),
    "context in an imported file": Mistake(
        "variable", "cluster.html", "{% macro finding(f, level=none) %}\n",
        "{% macro finding(f, level=none) %}\n<p>{{ year }}</p>\n", "<p>{{ year }}</p>",
        ("“year”", "with context")),
    "unclosed block": Mistake(
        "syntax", "report.html", "{{ parts.text(causes.outro) }}\n{% endif %}\n",
        "{{ parts.text(causes.outro) }}\n", "{% if causes %}",
        ("{% if %} 没有结束", "{% endif %}")),
    "crossed blocks": Mistake(
        "syntax", "report.html",
        "{{ parts.finding(finding) }}\n{% endfor %}\n{{ parts.text(problems.outro) }}",
        "{{ parts.finding(finding) }}\n{% endif %}\n{{ parts.text(problems.outro) }}",
        "{% endif %}\n{{ parts.text(problems.outro) }}",
        ("{% endif %} 与第", "{% for %}", "{% endfor %}")),
    "broken print statement": Mistake(
        "syntax", "cluster.html", "{{ year }}年实现", "{{ year }年实现", "{{ year }年",
        ("模板语法错误",)),
    "unsupported tag": Mistake(
        "html", "report.html", "现将有关情况报告如下：</p>", "现将有关情况报告如下：</p>\n<br>",
        "<br>", ("<br>", "<p>")),
    "unsupported tag from an expression": Mistake(
        "html", "report.html", "现将有关情况报告如下：</p>",
        '现将有关情况报告如下：</p>\n<p>{{ "<u>重点</u>"|safe }}</p>', "<u>",
        ("<u>", "lingxi.yaml")),
    "text outside a paragraph": Mistake(
        "html", "report.html", "<h2>存在的主要问题</h2>\n",
        "<h2>存在的主要问题</h2>\n以下是调研中发现的问题。\n", "以下是调研中发现的问题",
        ("不在任何 <p> 段落中", "<p>…</p>")),
    "font not installed": Mistake(
        "font", "print.css", 'h2 { font-family: "FandolHei"',
        'h2 { font-family: "方正黑体_GBK", "FandolHei"', "方正黑体_GBK",
        ("字体“方正黑体_GBK”没有安装", "fc-list")),
    "resource outside the set": Mistake(
        "resource", "print.css", "body {\n  margin: 0;",
        "body {\n  background: url(../../logo.png);\n  margin: 0;", "logo.png",
        ("模板集文件夹之外",)),
    "broken set.yaml": Mistake(
        "set", "set.yaml", "title: 调研报告", "title: [调研报告", "[调研报告", ("无法读取",)),
}


@pytest.mark.parametrize("name", MISTAKES)
def test_each_mistake_is_reported_at_its_file_and_line(broken: TemplateSet, name: str) -> None:
    mistake = MISTAKES[name]
    line = edit(broken, mistake.file, mistake.old, mistake.new, mistake.bad)
    report = check_template_set(broken, [SURVEY])
    assert not report.ok
    assert len(report.problems) == 1, "\n".join(map(str, report.problems))
    problem = report.problems[0]
    assert problem.kind == mistake.kind, problem
    assert problem.file is not None
    assert Path(problem.file).resolve() == (broken.root / mistake.file).resolve()
    if mistake.kind != "set":  # YAML reports where it noticed, which may be the next line
        assert problem.line == line, problem
    else:
        assert problem.line in (line, line + 1)
    for phrase in mistake.says:
        assert phrase in problem.message, problem


def test_missing_and_wrong_kind_styles_in_reference_docx(broken: TemplateSet) -> None:
    document = docx.Document(str(broken.reference_docx))
    caption = document.styles["Table Caption"]
    caption.element.getparent().remove(caption.element)
    document.styles["Run-in Heading 2"].element.set(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type", "paragraph")
    document.save(str(broken.reference_docx))
    problems = check_template_set(broken, [SURVEY]).problems
    messages = [p.message for p in problems]
    assert all(p.kind == "style" and p.file and p.file.endswith("reference.docx")
               for p in problems), problems
    assert any("缺少样式“Table Caption”" in m and "表题" in m for m in messages), messages
    assert any("“Run-in Heading 2”" in m and "字符样式" in m for m in messages), messages
    assert len(problems) == 2


def test_every_mistake_of_a_file_is_reported_in_one_run(broken: TemplateSet) -> None:
    lines = [edit(broken, "report.html", "<h1>{{ title }}</h1>", "<h1>{{ titel }}</h1>",
                  "titel"),
             edit(broken, "report.html", '{{ chart("pie"', '{{ chrat("pie"', "chrat"),
             edit(broken, "report.html", "{{ report.date|date_cn }}",
                  "{{ report.date|datecn }}", "datecn")]
    problems = check_template_set(broken, [SURVEY]).problems
    assert [p.line for p in problems] == sorted(lines)


def test_the_clean_default_copy_has_no_problems(broken: TemplateSet) -> None:
    report = check_template_set(broken, [SURVEY])
    assert report.ok, "\n".join(map(str, report.problems))


def test_an_invalid_sample_survey_is_reported(broken: TemplateSet, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: 1\nregion: {}\n", encoding="utf-8")
    problems = check_template_set(broken, [bad]).problems
    assert [p.kind for p in problems] == ["survey"]


def test_cli_prints_file_line_source_and_exit_code(broken: TemplateSet,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    line = edit(broken, "cluster.html", "{{ c.output|money }}", "{{ c.output|moeny }}", "moeny")
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(broken.root.parent))
    result = run_cli("templates", "check", "broken", "--survey", str(SURVEY))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"cluster.html:{line}: 不认识的过滤器“moeny”，是不是要写“money”？" in result.stderr
    assert "    {% if c.profit_tax" not in result.stderr  # the offending line, not another
    assert "{{ c.output|moeny }}" in result.stderr
    assert "发现 1 个问题" in result.stderr
    result = run_cli("templates", "check", "nosuch")
    assert result.returncode == 2 and "找不到模板集“nosuch”" in result.stderr
