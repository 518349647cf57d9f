"""The two worked examples of the format load with the expected values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from reportgen.survey import check_survey, load_survey

DATA = Path(__file__).parent / "data"


def test_zhucheng() -> None:
    survey = load_survey(DATA / "zhucheng.yaml")
    assert survey.source == DATA / "zhucheng.yaml"
    assert survey.stem == "zhucheng"
    assert survey.region.name == "诸城市"
    assert survey.title == "诸城市产业集群发展情况调研报告"
    assert survey.report.date == dt.date(2025, 3, 15)
    assert survey.report.year == 2024
    assert survey.report.methods == ("专题调研", "走访企业", "查阅资料")
    assert len(survey.clusters) == 9
    first = survey.clusters[0]
    assert first.output == Decimal("14200000000")
    assert first.output_label == "主营业务收入"
    assert first.profit_tax == Decimal("1470000000")
    assert first.enterprises == 169
    assert first.honors == {"国家名牌产品": 5, "全国驰名商标": 2, "省级名牌产品": 7,
                            "省著名商标": 3}
    assert survey.clusters[5].profit == Decimal("78000000")
    assert survey.clusters[8].market_share == Decimal("50")
    assert len(survey.problems) == 4
    assert len(survey.suggestions[0].measures) == 14
    # Chinese punctuation in text stays as typed
    assert "（街道）" in survey.problems[0].detail
    assert "6：4" in survey.suggestions[1].detail


def test_yongan() -> None:
    survey = load_survey(str(DATA / "yongan.yaml"))
    assert survey.title == "永安市产业集群发展现状及对策"
    assert survey.report.date == dt.date(2026, 2, 10)
    assert survey.totals.industrial_output == Decimal("4560000000")
    assert survey.totals.enterprises == 214
    textile = survey.clusters[0]
    assert textile.growth == Decimal("33.6")
    assert textile.growth_rate == Decimal("33.6")
    assert textile.location == ("尼葛高新技术开发区",)
    assert textile.output == Decimal("1270000000")
    assert survey.causes == ()


def test_examples_have_no_problems() -> None:
    for path in sorted(DATA.glob("*.yaml")):
        assert check_survey(path) == [], path
