"""Random valid format-2 surveys: every construct sometimes present, figures approximate or not.

Used by property tests: any valid format-2 survey must build to both formats, and any edit of
one must give a survey or located problems.
"""

from __future__ import annotations

import random

QUALIFIED = ["约{n}", "近{n}", "超过{n}", "{n}多", "{n}余", "{n}以上", "{n}左右", "{n}"]
UNITS = ["吨", "万吨", "亩", "万亩", "台", "人次", "万人次", "锭", "万锭", "千瓦时", "亿美元",
         "平方米", "标箱", "罗"]


def _qualified(r: random.Random, number: str, unit: str) -> str:
    form = r.choice(QUALIFIED)
    text = form.format(n=number) + unit
    if form.endswith("以上") or form.endswith("左右"):
        # after-the-unit qualifiers go after the unit
        text = number + unit + form[-2:]
    return text


def _money(r: random.Random, approximate: bool = True) -> str:
    number = f"{r.uniform(0.5, 900):.{r.randint(0, 2)}f}"
    unit = r.choice(["亿元", "万元", "亿"])
    if approximate and r.random() < 0.3:
        return _qualified(r, number, unit)
    return number + unit


def _count(r: random.Random, unit: str) -> str:
    number = str(r.randint(1, 5000))
    if r.random() < 0.3:
        return _qualified(r, number, r.choice(["", unit]))
    return number + (unit if r.random() < 0.3 else "")


def _indicators(r: random.Random, indent: str) -> str:
    names = r.sample(["年产纱", "年产布", "种植面积", "游客", "完成投资", "出口创汇", "产能"],
                     r.randint(1, 4))
    if r.random() < 0.5:
        rows = [f"{indent}  {name}: {_qualified(r, str(r.randint(1, 900)), r.choice(UNITS))}"
                for name in names]
        return f"{indent}indicators:\n" + "\n".join(rows) + "\n"
    rows = []
    for name in names:
        rows.append(f"{indent}- name: {name}\n{indent}  value: "
                    f"{_qualified(r, str(r.randint(1, 900)), r.choice(UNITS))}")
        if r.random() < 0.4:
            rows.append(f"{indent}  growth: {r.uniform(-20, 40):.1f}%")
        if r.random() < 0.3:
            rows.append(f"{indent}  rank: 全省第{r.randint(1, 30)}位")
        if r.random() < 0.2:
            rows.append(f"{indent}  note: 含外加工")
        if r.random() < 0.2:
            rows.append(f"{indent}  year: 2023")
    return f"{indent}indicators:\n" + "\n".join(rows) + "\n"


def _table(r: random.Random, indent: str, n: int) -> str:
    columns = ["名称", "企业数（家）", "产值（亿元）", "占比（%）", "排名"]
    rows = []
    for i in range(r.randint(1, 5)):
        cells = [f"单位{n}-{i}", r.choice(["近200", "35以上", "120", "—", ""]),
                 f"{r.uniform(1, 99):.{r.randint(0, 2)}f}", f"{r.uniform(0, 60):.1f}", str(i + 1)]
        shown = ", ".join(c if c else '""' for c in cells)
        rows.append(f"{indent}  - [{shown}]")
    total = "true" if r.random() < 0.7 else "false"
    return (f"{indent}- caption: 表格{n}\n{indent}  columns: [{', '.join(columns)}]\n"
            f"{indent}  rows:\n" + "\n".join(rows) + f"\n{indent}  total: {total}\n")


def _finding(r: random.Random, indent: str, title: str, depth: int) -> str:
    text = f"{indent}- title: {title}\n"
    if r.random() < 0.6:
        text += f"{indent}  detail: |\n{indent}    第一段说明。\n\n{indent}    第二段说明。\n"
    if depth < 4 and r.random() < 0.4:
        text += f"{indent}  items:\n"
        for k in range(r.randint(1, 3)):
            text += _finding(r, indent + "  ", f"{title}之{k + 1}", depth + 1)
    elif depth < 4 and r.random() < 0.4:
        text += f"{indent}  measures: [措施一, 措施二]\n"
    if r.random() < 0.15:
        text += f"{indent}  tables:\n" + _table(r, indent + "  ", r.randint(1, 99))
    return text


def _cluster(r: random.Random, i: int, labels: list[str]) -> str:
    lines = [f"- name: 第{i + 1}号产业集群"]
    if r.random() < 0.85:
        lines.append(f"  output: {_money(r)}")
        lines.append(f"  output_label: {r.choice(labels)}")
        if r.random() < 0.3:
            lines.append(f"  growth: {r.uniform(-20, 50):.1f}%")
    if r.random() < 0.6:
        lines.append(f"  enterprises: {_count(r, '家')}")
    if r.random() < 0.4:
        lines.append(f"  employees: {_count(r, '人')}")
    if r.random() < 0.3:
        lines.append(f"  rank: {r.choice(['全省第五位', '全国第1位', '{scope: 国内, place: 12}'])}")
    if r.random() < 0.3:
        lines.append("  market_share:\n  - {scope: 全国, value: 50%以上, product: 甲产品}\n"
                     "  - {scope: 全省, value: 70%}")
    if r.random() < 0.4:
        lines.append(_indicators(r, "  ").rstrip("\n"))
    if r.random() < 0.3:
        lines.append(f"  targets:\n  - {{year: 2027, value: {_money(r, False)}}}\n"
                     f"  - {{year: 2026, name: 种植面积, value: 超过{r.randint(1, 50)}万亩}}")
    if r.random() < 0.3:
        lines.append("  description: |\n    第一段。\n\n    第二段。")
    if r.random() < 0.2:
        lines.append("  tables:\n" + _table(r, "  ", i).rstrip("\n"))
    if r.random() < 0.25:
        lines.append("  parts:")
        for j in range(r.randint(1, 3)):
            lines.append(f"  - name: 第{i + 1}-{j + 1}号子产业")
            if r.random() < 0.5:
                lines.append(f"    output: {_money(r)}")
            if r.random() < 0.5:
                lines.append("    topics: [专题甲, 专题乙]")
    elif r.random() < 0.25:
        lines.append("  topics:\n  - 专题一\n  - title: 专题二\n    detail: 说明。")
    if r.random() < 0.3:
        lines.append(f"  group: 第{r.randint(1, 2)}组")
    return "\n".join(lines) + "\n"


def random_survey2(seed: int) -> str:
    """YAML text of one valid format-2 survey, the same for the same seed."""
    r = random.Random(seed)
    parts = [f"schema: 2\nunits: [罗]\nregion:\n  name: 随机{seed}县\n  kind: 县\n"]
    parts.append(f"report:\n  author: 随机{seed}县工信局\n  date: 2025年{r.randint(1, 12)}月"
                 f"{r.randint(1, 28)}日\n  year: 2024\n")
    if r.random() < 0.5:
        parts.append("totals:\n  industrial_output: 99999亿元\n")
    labels = r.choice([["产值"], ["产值", "旅游收入"], ["主营业务收入", "产值", "营业收入"]])
    count = r.randint(1, 12)
    if r.random() < 0.6:
        overview = f"overview:\n  clusters: {count + r.randint(1, 20)}\n"
        overview += f"  enterprises: {r.choice(['近', '', '约'])}99999\n"
        if r.random() < 0.5:
            overview += _indicators(r, "  ")
        if r.random() < 0.5:
            overview += "  targets:\n  - {year: 2027, value: 300亿元}\n"
        if r.random() < 0.5:
            overview += "  intro: 总体情况导语。\n  outro: 总体情况结语。\n"
        parts.append(overview)
    if r.random() < 0.4:
        parts.append("tables:\n" + _table(r, "", 0))
    parts.append("clusters:\n" + "".join(_cluster(r, i, labels) for i in range(count)))
    if r.random() < 0.5:
        parts.append("problems:\n  intro: 主要表现在：\n  items:\n"
                     + _finding(r, "  ", "问题一", 2) + "  outro: 问题结语。\n")
    else:
        parts.append("problems:\n" + _finding(r, "", "问题一", 2) + "- 问题二\n")
    if r.random() < 0.5:
        parts.append("causes:\n" + _finding(r, "", "原因一", 2))
    parts.append("suggestions:\n" + _finding(r, "", "建议一", 2))
    if r.random() < 0.6:
        parts.append("sections:\n")
        for k in range(r.randint(1, 4)):
            anchor = r.choice(["导语", "现状", "问题", "原因", "对策"])
            parts.append(f"- title: 附加章节{k + 1}\n  after: {anchor}\n  intro: 章节导语。\n")
            if r.random() < 0.5:
                parts.append("  items:\n" + _finding(r, "  ", f"条目{k + 1}", 2))
    return "".join(parts)
