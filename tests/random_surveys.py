"""Random valid surveys: every optional field sometimes present, units mixed, groups, history.

Used by tests to check that any valid survey builds, not just the samples.
"""

from __future__ import annotations

import random


def _money(r: random.Random, low: float, high: float) -> str:
    """An amount in 万元 between low and high, written in a random unit."""
    value = r.uniform(low, high)
    unit = r.choice(["亿元", "万元", "元", "亿", "万"])
    if unit.startswith("亿"):
        return f"{value / 10000:.2f}{unit}"
    if unit.startswith("万"):
        return f"{value:.1f}{unit}"
    return f"{int(value * 10000)}{unit}"


def _cluster(r: random.Random, i: int) -> str:
    lines = [f"- name: 第{i + 1}号产业集群", f"  output: {_money(r, 10, 500000)}"]
    if r.random() < 0.5:
        lines.append(f"  output_prev: {_money(r, 10, 500000)}")
    elif r.random() < 0.4:
        lines.append(f"  growth: {r.uniform(-30, 50):.1f}%")
    if r.random() < 0.3:
        lines.append(f"  history: {{2020: {_money(r, 10, 5000)}, 2022: {_money(r, 10, 5000)}}}")
    if r.random() < 0.7:
        enterprises = r.randint(0, 500)
        lines.append(f"  enterprises: {enterprises}")
        if r.random() < 0.5:
            lines.append(f"  above_scale: {r.randint(0, enterprises)}")
    optional = [
        f"  employees: {r.randint(0, 90000)}",
        "  profit_tax: 2万元\n  profit: 1万元",
        f"  market_share: {r.uniform(0, 100):.1f}%",
        "  location: [某镇, 某街道]",
        "  products: [甲产品, 乙产品]",
        "  lead_enterprises: [甲公司, 乙公司, 丙公司, 丁公司]",
        "  honors: {省级名牌产品: 2, 全国驰名商标: 1}",
        "  high_tech_enterprises: 3",
        "  rd_centers: 1",
        f"  group: 第{r.randint(1, 3)}组",
        "  description: 这是一段由工作人员填写的说明文字。",
        "  registered_capital: 3000万元",
    ]
    lines += [line for line in optional if r.random() < 0.35]
    return "\n".join(lines) + "\n"


def random_survey(seed: int) -> str:
    """YAML text of one valid survey, the same for the same seed."""
    r = random.Random(seed)
    parts = [f"schema: 1\nregion:\n  name: 随机{seed}县\n"]
    if r.random() < 0.5:
        parts.append("  kind: 县\n  parent: 某省某市\n")
    parts.append(f"report:\n  author: 随机{seed}县工信局\n  date: 2025年{r.randint(1, 12)}月"
                 f"{r.randint(1, 28)}日\n  year: 2024\n")
    if r.random() < 0.5:
        parts.append("  methods: [走访企业, 召开座谈会]\n")
    if r.random() < 0.3:
        parts.append("  intro: 本次调研历时两个月。\n")
    if r.random() < 0.5:
        parts.append("totals:\n  industrial_output: 99999亿元\n  enterprises: 100000\n"
                     "  above_scale_enterprises: 50000\n")
    clusters = [_cluster(r, i) for i in range(r.randint(1, 18))]
    parts.append("clusters:\n" + "".join(clusters))
    parts.append("problems:\n- 问题一\n- title: 问题二\n  detail: 细节。\n"
                 "  clusters: [第1号产业集群]\n")
    if r.random() < 0.5:
        parts.append("causes:\n- 原因一\n")
    parts.append("suggestions:\n- title: 建议一\n  measures: [措施一, 措施二]\n")
    return "".join(parts)
