"""`reportgen templates list | new | check`: template sets as something staff manage."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reportgen.cli.base import (
    CONTEXT,
    DEFAULT_INPUTS,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    HELP_OPTION,
    ChineseGroup,
    command,
    err,
)
from reportgen.errors import TemplateError, describe, os_reason


@click.group(cls=ChineseGroup, context_settings=CONTEXT,
             help="管理模板集：列出、新建、检查。\n\n"
                  "模板集是 templates/ 里的一个文件夹（report.html、print.css、reference.docx）；"
                  "调研数据里的 report: template: 名称 选择用哪一个，不写就用 default。")
@click.help_option("-h", "--help", **HELP_OPTION)
def templates() -> None:
    pass


def _display_width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _survey_template(path: Path) -> str | None:
    """The set a survey file asks for ('default' when it names none); None if unreadable.

    Read through the survey loader, with its size, depth and alias limits: a survey file is
    never parsed any other way.
    """
    from reportgen.survey.loader import read_survey_data
    from reportgen.templating.templateset import DEFAULT_SET

    data = read_survey_data(path)
    if data is None:
        return None
    report = data.get("report")
    name = report.get("template") if isinstance(report, dict) else None
    return str(name).strip() if name else DEFAULT_SET


@command("列出所有模板集：名称、说明，以及哪些调研数据在用它。")
@click.option("--inputs", "inputs", type=click.Path(path_type=Path, file_okay=False),
              default=DEFAULT_INPUTS, show_default=True, help="统计哪些调研数据使用各模板集")
def list_sets(inputs: Path) -> None:
    from reportgen.build import expand_paths
    from reportgen.templating.environment import display_path
    from reportgen.templating.templateset import (
        available_sets,
        find_template_set,
        templates_root,
    )

    root = templates_root()
    names = available_sets(root)
    users: dict[str, list[str]] = {}
    unreadable: list[str] = []
    surveys = expand_paths([inputs]) if inputs.is_dir() else []
    for path in surveys:
        chosen = _survey_template(path)
        if chosen is None:
            unreadable.append(str(path))
        else:
            users.setdefault(chosen, []).append(str(path))
    click.echo(f"模板集文件夹：{display_path(str(root))}")
    if not names:
        err("没有找到任何模板集（含 report.html 的文件夹）")
        sys.exit(EXIT_FAILED)
    width = max(_display_width(n) for n in names)
    for name in names:
        info = find_template_set(name, root).info()
        padding = " " * (width - _display_width(name))
        click.echo(f"\n{name}{padding}  {info.title}")
        if info.description:
            click.echo(f"    {info.description}")
        used = "、".join(users.get(name, [])) or "（无）"
        click.echo(f"    使用它的调研数据（{display_path(str(inputs))}）：{used}")
    for name, paths in sorted(users.items()):
        if name not in names:
            err(f"\n找不到模板集“{name}”，但这些调研数据在用它：{'、'.join(paths)}")
    if unreadable:
        err(f"\n无法读取，未统计：{'、'.join(unreadable)}")
    sys.exit(EXIT_OK)


@command("新建模板集：复制一个已有的模板集，在副本上修改。\n\n"
         "NAME 是新模板集的名称（字母、数字、汉字、- 和 _）。新模板集放在模板集文件夹"
         "（REPORTGEN_TEMPLATES，默认 templates/）中。")
@click.argument("name")
@click.option("--from", "source", default="default", show_default=True,
              help="从哪个模板集复制")
def new(name: str, source: str) -> None:
    from reportgen.templating.environment import display_path
    from reportgen.templating.templateset import (
        copy_template_set,
        find_template_set,
        valid_set_name,
    )

    try:
        original = find_template_set(source)
    except TemplateError as exc:
        err(f"错误：{describe(exc)}")
        sys.exit(EXIT_USAGE)
    if not valid_set_name(name):
        from reportgen.templating.templateset import NAME_RULE

        err(f"错误：“{name}”不能用作模板集名称：{NAME_RULE}")
        sys.exit(EXIT_USAGE)
    try:
        created = copy_template_set(original, name)
    except TemplateError as exc:
        err(f"错误：{describe(exc)}")
        sys.exit(EXIT_FAILED)
    except OSError as exc:
        err(f"错误：无法创建模板集文件夹：{os_reason(exc)}")
        sys.exit(EXIT_FAILED)
    click.echo(f"已创建模板集“{name}”：{display_path(str(created.root))}（复制自 {source}）")
    click.echo(f"使用方法：在调研数据的 report 下写一行 template: {name}")
    sys.exit(EXIT_OK)


@command("检查模板集：用示例调研数据渲染，报告模板中的错误（文件:行号）。\n\n"
         "NAME 是模板集名称，不写则检查全部模板集。检查内容：语法、不存在的变量和函数、"
         "过滤器、不支持的 HTML 标签、参考文档缺少的样式、print.css 中没有安装的字体。"
         "没有问题时退出码为 0，有问题时为 1。")
@click.argument("name", required=False)
@click.option("--survey", "-s", "surveys", multiple=True,
              type=click.Path(path_type=Path, exists=True),
              help="用这些调研数据文件或文件夹渲染（可重复）；默认为 inputs/ 中的全部 .yaml")
def check(name: str | None, surveys: tuple[Path, ...]) -> None:
    from reportgen.build import expand_paths
    from reportgen.checks.template_set import check_template_set
    from reportgen.templating.environment import display_path
    from reportgen.templating.templateset import available_sets, find_template_set

    try:
        sets = [find_template_set(n) for n in ([name] if name else available_sets())]
    except TemplateError as exc:
        err(f"错误：{describe(exc)}")
        sys.exit(EXIT_USAGE)
    if not sets:
        err("错误：没有找到任何模板集")
        sys.exit(EXIT_USAGE)
    paths = list(surveys)
    if not paths:
        # The working folder's inputs/, else the samples shipped with the toolkit.
        shipped = Path(__file__).resolve().parents[2] / DEFAULT_INPUTS
        paths = [folder for folder in (DEFAULT_INPUTS, shipped) if folder.is_dir()][:1]
    files = expand_paths(paths)
    if not files:
        err("提示：没有找到示例调研数据（inputs/ 或 --survey），只检查了模板文件本身")
    failed = 0
    for template_set in sets:
        report = check_template_set(template_set, files)
        where = display_path(str(template_set.root))
        for problem in report.problems:
            err(str(problem))
        for note in report.notes:
            err(f"提示：{note}")
        if report.ok:
            rendered = f"用 {len(files)} 份调研数据渲染" if files else "没有用调研数据渲染"
            click.echo(f"模板集“{template_set.name}”（{where}）：检查通过（{rendered}）")
        else:
            failed += 1
            err(f"模板集“{template_set.name}”（{where}）：发现 {len(report.problems)} 个问题")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


templates.add_command(list_sets, name="list")
templates.add_command(new)
templates.add_command(check)
