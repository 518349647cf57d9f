"""Render errors are said in Chinese, at the line staff must fix, with the likely fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import TemplateError
from reportgen.templating.environment import render_html
from tests.templating.test_environment import make_survey, template_set


def error_for(tmp_path: Path, source: str) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        render_html(make_survey(), template_set(tmp_path, source), time_limit=1)
    return caught.value


@pytest.mark.parametrize(("source", "line", "phrases"), [
    # Jinja reports an unclosed block at the end of the file; staff need the opening line
    ("<p>a</p>\n{% if causes %}\n<h2>原因</h2>\n<p>b</p>\n<p>c</p>\n", 2,
     ("{% if %} 没有结束", "{% endif %}")),
    ("{% for c in clusters %}\n{% if c.enterprises %}\n<p>x</p>\n{% endfor %}\n", 4,
     ("{% endfor %} 与第 2 行的 {% if %} 不配对",)),
    ("<p>a</p>\n{% endif %}\n", 2, ("多余的 {% endif %}",)),
    ("<p>{{ region.name }</p>\n", 1, ("模板语法错误",)),
    ("<p>{{ region.nmae }}</p>", 1, ("region（地区）没有“nmae”这一项", "是不是要写“name”")),
    ("<p>{{ regoin.name }}</p>", 1, ("变量“regoin”不存在", "region")),
    ("<p>{{ charts('bar', 'x') }}</p>", 1, ("不认识的函数“charts”", "chart")),
    ("{% if clusters %}\n<p>{{ year|moeny }}</p>\n{% endif %}", 2,
     ("不认识的过滤器“moeny”", "money")),
    ("<p>{{ report.intro.strip() }}</p>", 1, ("没有填写", "{% if")),
    ("<p>{{ clusters[5].name }}</p>", 1, ("没有第 6 项",)),
    ("<p>{{ chart('bra', caption='x') }}</p>", 1, ("bar（柱状图）",)),
    ("<p>{{ table(captoin='x') }}</p>", 1, ("没有名为“captoin”的参数",)),
])
def test_messages_name_the_line_and_the_fix(tmp_path: Path, source: str, line: int,
                                            phrases: tuple[str, ...]) -> None:
    error = error_for(tmp_path, source)
    assert error.line == line, error
    assert error.file is not None and error.file.endswith("report.html")
    for phrase in phrases:
        assert phrase in error.message, error
    assert not any(word in error.message for word in ("undefined", "Traceback", "jinja2"))
