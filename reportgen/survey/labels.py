"""Key paths of a survey: how they are written, their Chinese names, where they are in the file.

A path is a tuple of mapping keys and list indexes, e.g. ('clusters', 0, 'output'), written
`clusters[0].output` in messages. `SourceMap` remembers the line and column (1-based) of
every key and value so that both the loader and the rules can locate what they report.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from reportgen.errors import Problem

Path = tuple[Any, ...]

# Keys of each mapping the format knows; `*` stands for any list index.
_FINDING_KEYS = {"title": "标题", "detail": "详细说明", "measures": "具体措施",
                 "clusters": "涉及的集群"}
_SECTIONS: dict[Path, dict[str, str]] = {
    (): {"schema": "格式版本", "region": "调研地区", "report": "报告信息",
         "totals": "全地区总量", "clusters": "产业集群", "problems": "存在的问题",
         "causes": "原因分析", "suggestions": "对策建议"},
    ("region",): {"name": "地区名称", "kind": "地区类型", "parent": "上级地区"},
    ("report",): {"author": "调研单位", "date": "成文日期", "year": "统计年度",
                  "title": "报告标题", "template": "模板", "methods": "调研方式",
                  "intro": "引言"},
    ("totals",): {"industrial_output": "工业总产值", "industrial_output_label": "总产值名称",
                  "enterprises": "工业企业数", "above_scale_enterprises": "规模以上工业企业数"},
    ("clusters", "*"): {
        "name": "集群名称", "output": "产值", "output_label": "产值名称",
        "output_prev": "上年产值", "growth": "同比增长", "history": "历年产值",
        "enterprises": "企业数", "above_scale": "规模以上企业数", "employees": "从业人员",
        "registered_capital": "注册资金", "profit_tax": "利税", "profit": "利润",
        "market_share": "国内市场占有率", "location": "分布区域", "products": "主要产品",
        "lead_enterprises": "骨干企业", "honors": "名牌与商标",
        "high_tech_enterprises": "高新技术企业", "rd_centers": "技术开发中心",
        "group": "集群分组", "description": "集群说明"},
    ("problems", "*"): _FINDING_KEYS,
    ("causes", "*"): _FINDING_KEYS,
    ("suggestions", "*"): _FINDING_KEYS,
}
# Children that are list items or free mapping keys carry their parent's label.
_ITEM_LABELS: dict[Path, str] = {
    ("clusters", "*"): "产业集群",
    ("problems", "*"): "存在的问题",
    ("causes", "*"): "原因分析",
    ("suggestions", "*"): "对策建议",
    ("report", "methods", "*"): "调研方式",
    ("clusters", "*", "location", "*"): "分布区域",
    ("clusters", "*", "products", "*"): "主要产品",
    ("clusters", "*", "lead_enterprises", "*"): "骨干企业",
    ("clusters", "*", "history", "*"): "历年产值",
    ("clusters", "*", "honors", "*"): "名牌与商标",
}
for _section in ("problems", "causes", "suggestions"):
    _ITEM_LABELS[(_section, "*", "measures", "*")] = "具体措施"
    _ITEM_LABELS[(_section, "*", "clusters", "*")] = "涉及的集群"


def _pattern(path: Path) -> Path:
    """The path with list indexes and free mapping keys replaced by `*`."""
    out: list[Any] = []
    for part in path:
        parent = tuple(out)
        if isinstance(part, int) or parent not in _SECTIONS:
            out.append("*")
        else:
            out.append(part)
    return tuple(out)


def known_keys(path: Path) -> list[str] | None:
    """The keys the mapping at `path` may hold, or None if its keys are free (honors…)."""
    keys = _SECTIONS.get(_pattern(path))
    return list(keys) if keys is not None else None


def label_for(path: Path) -> str:
    """The Chinese name of the value at `path` ('' for the whole file)."""
    pattern = _pattern(path)
    if not pattern:
        return ""
    if pattern in _ITEM_LABELS:
        return _ITEM_LABELS[pattern]
    keys = _SECTIONS.get(pattern[:-1])
    if keys is not None and pattern[-1] in keys:
        return keys[pattern[-1]]
    return label_for(path[:-1])


def key_text(key: Any) -> str:
    """A mapping key as it was written in YAML (true, null rather than Python's True, None)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return "null" if key is None else str(key)


def format_path(path: Path, sequences: set[Path] | None = None) -> str:
    """('clusters', 0, 'output') → `clusters[0].output`.

    An int is a list index unless `sequences` is given and its parent is not a list: the
    history mapping has int keys (years), written `history.2023`.
    """
    text = ""
    for i, part in enumerate(path):
        is_index = sequences is None or path[:i] in sequences
        if isinstance(part, int) and not isinstance(part, bool) and is_index:
            text += f"[{part}]"
        else:
            text += f".{key_text(part)}" if text else key_text(part)
    return text


def suggest(word: str, choices: list[str]) -> str | None:
    """The closest choice to a mistyped word, if any is close enough."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if not close:
        # Short keys such as `nam` score low on ratio; a prefix match is still a good guess.
        prefixed = [c for c in choices if c.startswith(word) or word.startswith(c)]
        close = prefixed[:1]
    return close[0] if close else None


@dataclass
class SourceMap:
    """Where each key and value of one file is, and how to turn that into a Problem."""

    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    sequences: set[Path] = field(default_factory=set)

    def value_at(self, path: Path) -> tuple[int, int]:
        """Position of the value at `path`, or of the nearest enclosing one that is known."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def key_at(self, path: Path) -> tuple[int, int]:
        """Position of the key naming `path` (its value's position for list items)."""
        return self.keys[path] if path in self.keys else self.value_at(path)

    def mapping_at(self, path: Path) -> tuple[int, int]:
        """Where a mapping is introduced: its key's line if it has one, else its start."""
        return self.key_at(path)

    def problem(self, path: Path, message: str, where: tuple[int, int] | None = None,
                ) -> Problem:
        line, col = where if where is not None else self.value_at(path)
        return Problem(self.file, line, col, format_path(path, self.sequences), label_for(path),
                       message)

    def file_problem(self, message: str, line: int = 1, col: int = 1) -> Problem:
        return Problem(self.file, line, col, "", "", message)
