"""One problem `reportgen templates check` found in a template set, located to file:line."""

from __future__ import annotations

from dataclasses import dataclass

# Kinds of problems, in the order staff fix them (a syntax error hides everything else).
KINDS: dict[str, str] = {
    "syntax": "语法错误",
    "variable": "不存在的变量",
    "filter": "不认识的过滤器",
    "helper": "不认识的函数",
    "html": "不支持的 HTML",
    "render": "渲染出错",
    "style": "参考文档缺少样式",
    "font": "字体没有安装",
    "resource": "引用了模板集之外的文件",
    "set": "模板集文件",
    "survey": "调研数据",
}


@dataclass(frozen=True)
class CheckProblem:
    kind: str  # a key of KINDS
    file: str | None
    line: int | None
    message: str  # what is wrong and what to do, in Chinese
    source_line: str | None = None

    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: "
        return f"{self.file}: " if self.file else ""

    def __str__(self) -> str:
        text = f"{self.where()}{self.message}"
        if self.source_line and self.source_line.strip():
            text += f"\n    {self.source_line.strip()}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, list(KINDS).index(self.kind), self.message)
