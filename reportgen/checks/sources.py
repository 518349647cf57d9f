"""Checks on the template files' text, before any survey is rendered.

    syntax      unclosed or crossed blocks, broken {{ }} — the line where the block opens
    names       variables, functions (helpers) and macros that do not exist; filters and
                tests Jinja does not know. Found by walking Jinja's syntax tree with the
                names in scope at each point, so every mistake in a file is reported at
                once, including those in branches the sample surveys never take.
    html        tags outside the subset the document parser reads, at their template line

Files reached by {% include %} are checked with the names of the including place (a loop
variable is visible in the included file); files reached by {% import %} without context
see only the global helpers, as at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import nodes

from reportgen.checks.problems import CheckProblem
from reportgen.document.subset import SUPPORTED_TAGS, tag_advice
from reportgen.templating import explain
from reportgen.templating.environment import BOUND_HELPERS, display_path, known_names
from reportgen.templating.templateset import ENTRY, TemplateSet

# Names Jinja itself provides inside loops, macros and blocks.
_LOOP_NAMES = {"loop"}
_MACRO_NAMES = {"varargs", "kwargs", "caller"}
_ALWAYS = {"self", "true", "false", "none", "True", "False", "None"}



def unsupported_tag_message(tag: str) -> str:
    return f"不支持的 HTML 标签 <{tag}>：{tag_advice(tag)}"


_JINJA_PARTS = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_OPEN_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9]*)\b")


def _blank(match: re.Match[str]) -> str:
    """The same text with everything but newlines turned to spaces: lines stay where they are."""
    return re.sub(r"[^\n]", " ", match.group(0))


def scan_tags(source: str) -> list[tuple[int, str]]:
    """(line, tag) of every opening tag in the template's own text, outside Jinja tags."""
    text = _HTML_COMMENT.sub(_blank, _JINJA_PARTS.sub(_blank, source))
    return [(text.count("\n", 0, m.start()) + 1, m.group(1).lower())
            for m in _OPEN_TAG.finditer(text)]


# ----------------------------------------------------------------------------- names


@dataclass
class _FileInfo:
    path: Path
    name: str  # loader name, e.g. "cluster.html"
    source: str
    tree: nodes.Template | None
    macros: set[str] = field(default_factory=set)


def _target_names(node: nodes.Node) -> set[str]:
    return {n.name for n in node.find_all(nodes.Name)} | (
        {node.name} if isinstance(node, nodes.Name) else set())


def _or_check(hint: str) -> str:
    """A suggestion as is; otherwise the list of names and a reminder about spelling."""
    return hint if hint.startswith("，") else hint + "；请检查拼写（区分大小写）"


class _Walker:
    """Walks one file's tree; reports names that are used but nowhere defined."""

    def __init__(self, checker: SourceChecker, info: _FileInfo, globals_only: bool) -> None:
        self.checker = checker
        self.info = info
        self.globals_only = globals_only
        self.imports: dict[str, str] = {}  # alias → imported template name
        variables, functions = checker.variables, checker.functions
        if globals_only:
            variables = checker.global_variables
            functions = checker.global_functions
        self.variables = variables
        self.functions = functions

    # -- reporting ----------------------------------------------------------------------

    def report(self, kind: str, line: int, message: str) -> None:
        self.checker.add(kind, self.info, line, message)

    def unknown_name(self, node: nodes.Name, called: bool, scope: set[str]) -> None:
        name = node.name
        if self.globals_only and (name in self.checker.variables
                                  or name in self.checker.functions):
            self.report("variable", node.lineno,
                        f"“{name}”在被 import 的文件中不可用（import 时没有带上数据）；请把宏需要"
                        "的数据作为参数传进去，或在 import 语句末尾加上 with context")
            return
        if called:
            candidates = self.functions | {n for n in scope if n in self.info.macros}
            hint = explain.did_you_mean(name, candidates, "函数")
            self.report("helper", node.lineno, f"不认识的函数“{name}”" + _or_check(hint))
        else:
            hint = explain.did_you_mean(name, self.variables | scope, "变量",
                                        listed=self.variables)
            self.report("variable", node.lineno, f"变量“{name}”不存在" + _or_check(hint))

    def known(self, name: str, scope: set[str]) -> bool:
        return (name in scope or name in self.variables or name in self.functions
                or name in _ALWAYS)

    # -- walking ------------------------------------------------------------------------

    def run(self, scope: set[str]) -> None:
        assert self.info.tree is not None
        top = set(scope) | self.info.macros
        self.body(self.info.tree.body, top)

    def body(self, statements: Iterable[nodes.Node], scope: set[str]) -> None:
        """Statements in order; `scope` grows with each {% set %} / {% import %}."""
        for statement in statements:
            self.visit(statement, scope)

    def visit(self, node: nodes.Node, scope: set[str]) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            inner = scope | _target_names(node.target) | _LOOP_NAMES
            if node.test is not None:
                self.visit(node.test, inner)
            self.body(node.body, set(inner))
            self.body(node.else_, set(scope))
        elif isinstance(node, nodes.Macro):
            for default in node.defaults:
                self.visit(default, scope)
            scope.add(node.name)
            inner = scope | {a.name for a in node.args} | _MACRO_NAMES
            self.body(node.body, set(inner))
        elif isinstance(node, nodes.CallBlock):
            self.visit(node.call, scope)
            inner = scope | {a.name for a in node.args} | _MACRO_NAMES
            self.body(node.body, set(inner))
        elif isinstance(node, nodes.With):
            for value in node.values:
                self.visit(value, scope)
            inner = scope.union(*(_target_names(t) for t in node.targets))
            self.body(node.body, set(inner))
        elif isinstance(node, nodes.If):
            # {% if %} opens no scope: a {% set %} inside is visible after it.
            self.visit(node.test, scope)
            self.body(node.body, scope)
            for branch in node.elif_:
                self.visit(branch, scope)
            self.body(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            if isinstance(node.target, nodes.NSRef):
                self.visit_name(nodes.Name(node.target.name, "load", lineno=node.lineno),
                                scope, called=False)
            else:
                scope |= _target_names(node.target)
        elif isinstance(node, nodes.AssignBlock):
            self.body(node.body, set(scope))
            if node.filter is not None:
                self.visit(node.filter, scope)
            scope |= _target_names(node.target)
        elif isinstance(node, nodes.Import):
            scope.add(node.target)
            self.imported(node.template, node.lineno, bool(node.with_context),
                          alias=node.target)
        elif isinstance(node, nodes.FromImport):
            names = [n if isinstance(n, str) else n[0] for n in node.names]
            aliases = [n if isinstance(n, str) else n[1] for n in node.names]
            scope.update(aliases)
            target = self.imported(node.template, node.lineno, bool(node.with_context))
            if target is not None:
                for name in names:
                    if name not in target.macros:
                        self.report("helper", node.lineno,
                                    f"{target.name} 里没有名为“{name}”的宏"
                                    + explain.did_you_mean(name, target.macros, "宏"))
        elif isinstance(node, nodes.Include):
            if isinstance(node.template, nodes.Const) and isinstance(node.template.value, str):
                # An included file sees the including place's names, except `loop`.
                self.checker.include(node.template.value, node.lineno, self.info,
                                     scope - _LOOP_NAMES if node.with_context else set())
            else:
                self.visit(node.template, scope)
        elif isinstance(node, nodes.Call):
            self.visit_call(node, scope)
        elif isinstance(node, nodes.Filter | nodes.Test):
            table = self.checker.env.filters if isinstance(node, nodes.Filter) else (
                self.checker.env.tests)
            if node.name not in table:
                kind = "filter" if isinstance(node, nodes.Filter) else "test"
                self.report("filter", node.lineno,
                            explain.explain_unknown_filter(kind, node.name, self.checker.env))
            self.children(node, scope)
        elif isinstance(node, nodes.Name):
            self.visit_name(node, scope, called=False)
        elif isinstance(node, nodes.Block):
            self.body(node.body, set(scope))
        else:
            self.children(node, scope)

    def children(self, node: nodes.Node, scope: set[str]) -> None:
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def visit_name(self, node: nodes.Name, scope: set[str], called: bool) -> None:
        if node.ctx == "load" and not self.known(node.name, scope):
            self.unknown_name(node, called, scope)

    def visit_call(self, node: nodes.Call, scope: set[str]) -> None:
        callee = node.node
        if isinstance(callee, nodes.Name):
            self.visit_name(callee, scope, called=True)
        elif (isinstance(callee, nodes.Getattr) and isinstance(callee.node, nodes.Name)
              and callee.node.name in self.imports and callee.node.name in scope):
            target = self.checker.files.get(self.imports[callee.node.name])
            if target is not None and target.tree is not None \
                    and callee.attr not in target.macros:
                self.report("helper", node.lineno,
                            f"{target.name} 里没有名为“{callee.attr}”的宏"
                            + explain.did_you_mean(callee.attr, target.macros, "宏"))
        else:
            self.visit(callee, scope)
        for arg in [*node.args, *node.kwargs]:
            self.visit(arg, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.visit(extra, scope)

    def imported(self, template: nodes.Expr, line: int, with_context: bool,
                 alias: str | None = None) -> _FileInfo | None:
        if not (isinstance(template, nodes.Const) and isinstance(template.value, str)):
            return None
        target = self.checker.import_(template.value, line, self.info, with_context)
        if target is not None and alias:
            self.imports[alias] = target.name
        return target


class SourceChecker:
    """Checks every template file of one set; problems collect in `problems`."""

    def __init__(self, template_set: TemplateSet, env: jinja2.Environment) -> None:
        self.set = template_set
        self.env = env
        self.variables, self.functions = known_names(env)
        # The bound helpers are globals of each rendering too (render_html), so imported
        # macro files may call them.
        self.global_functions = {n for n, v in env.globals.items() if callable(v)} \
            | set(BOUND_HELPERS)
        self.global_variables = set(env.globals) - self.global_functions
        self.problems: list[CheckProblem] = []
        self.files: dict[str, _FileInfo] = {}
        self._included: set[str] = set()
        self._imported: dict[str, bool] = {}  # name → imported with context
        self._active: list[str] = []  # include chain, to stop include cycles
        for path in template_set.templates():
            self._load(path)

    # -- files --------------------------------------------------------------------------

    def _load(self, path: Path) -> _FileInfo:
        name = path.relative_to(self.set.root).as_posix()
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(CheckProblem(
                "syntax", display_path(str(path)), None,
                f"模板文件无法读取（需要 UTF-8 编码的文本）：{exc}"))
            info = _FileInfo(path, name, "", None)
            self.files[name] = info
            return info
        tree: nodes.Template | None = None
        try:
            tree = self.env.parse(source, name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            message, line = explain.explain_syntax(exc, source, self.env)
            self.add("syntax", _FileInfo(path, name, source, None), line, message)
        info = _FileInfo(path, name, source, tree)
        if tree is not None:
            info.macros = {m.name for m in tree.body if isinstance(m, nodes.Macro)}
        self.files[name] = info
        return info

    def add(self, kind: str, info: _FileInfo, line: int | None, message: str) -> None:
        lines = info.source.splitlines()
        source_line = lines[line - 1] if line and 0 < line <= len(lines) else None
        problem = CheckProblem(kind, display_path(str(info.path)), line, message, source_line)
        if problem not in self.problems:
            self.problems.append(problem)

    def _reference(self, name: str, line: int, parent: _FileInfo) -> _FileInfo | None:
        info = self.files.get(name)
        if info is None:
            self.add("syntax", parent, line,
                     f"找不到模板文件“{name}”；include 和 import 只能引用本模板集文件夹里的文件"
                     + explain.did_you_mean(name, self.files, "文件"))
        return info

    def include(self, name: str, line: int, parent: _FileInfo, scope: set[str]) -> None:
        info = self._reference(name, line, parent)
        if info is None or info.tree is None or name in self._active:
            return
        self._included.add(name)
        self._walk(info, scope, globals_only=False)

    def import_(self, name: str, line: int, parent: _FileInfo,
                with_context: bool) -> _FileInfo | None:
        info = self._reference(name, line, parent)
        if info is not None:
            self._imported[name] = self._imported.get(name, False) or with_context
        return info

    def _walk(self, info: _FileInfo, scope: set[str], globals_only: bool) -> None:
        self._active.append(info.name)
        try:
            _Walker(self, info, globals_only).run(scope)
        finally:
            self._active.pop()

    # -- the checks ---------------------------------------------------------------------

    def run(self) -> list[CheckProblem]:
        entry = self.files.get(ENTRY)
        if entry is not None and entry.tree is not None:
            self._walk(entry, set(), globals_only=False)
        # Files only imported see the globals (unless imported with context); files nobody
        # uses are checked as if rendered on their own.
        for name, info in self.files.items():
            if name == ENTRY or name in self._included or info.tree is None:
                continue
            with_context = self._imported.get(name)
            self._walk(info, set(), globals_only=with_context is False)
        for info in self.files.values():
            for line, tag in scan_tags(info.source):
                if tag not in SUPPORTED_TAGS:
                    self.add("html", info, line, unsupported_tag_message(tag))
        return self.problems


def check_sources(template_set: TemplateSet, env: jinja2.Environment) -> list[CheckProblem]:
    return SourceChecker(template_set, env).run()
