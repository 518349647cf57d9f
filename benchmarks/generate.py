"""N synthetic but realistic county surveys (format 1), the same files for the same seed.

Each survey has 5–18 clusters (some in groups, some with several years of history), totals,
and long problem / cause / suggestion texts sized so the report comes to about 6–10 pages.
Every file passes `reportgen check`.

    python -m benchmarks.generate OUT_DIR [--n 200] [--seed 2025]

Files are named county_0000.yaml, county_0001.yaml …; survey i depends only on (seed, i), so a
run with --n 500 starts with the same 200 files as a run with --n 200.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

DEFAULT_N = 200
DEFAULT_SEED = 2025
MIN_CLUSTERS, MAX_CLUSTERS = 5, 18

PROVINCES = {
    "山东省": ["潍坊市", "临沂市", "济宁市", "聊城市", "德州市"],
    "浙江省": ["温州市", "台州市", "金华市", "绍兴市", "湖州市"],
    "江苏省": ["苏州市", "南通市", "盐城市", "徐州市", "泰州市"],
    "福建省": ["三明市", "泉州市", "漳州市", "南平市", "龙岩市"],
    "河南省": ["许昌市", "南阳市", "周口市", "商丘市", "新乡市"],
    "湖南省": ["长沙市", "衡阳市", "邵阳市", "岳阳市", "常德市"],
    "四川省": ["绵阳市", "德阳市", "宜宾市", "南充市", "达州市"],
    "河北省": ["保定市", "邢台市", "沧州市", "衡水市", "邯郸市"],
}
NAME_CHARS = "安宁平昌兴永清江河丰乐嘉泰和康阳城山林华新定武德庆延远通顺盛益富"
REGION_KINDS = [("县", "县"), ("市", "县级市"), ("区", "区")]
TOWN_SUFFIXES = ["镇", "乡", "街道"]

INDUSTRIES = [
    "纺织服装业", "汽车零部件产业", "食品加工业", "机械装备制造业", "生物医药产业",
    "新材料产业", "电子信息产业", "家具制造业", "建筑建材业", "精细化工产业", "造纸包装业",
    "五金制品业", "农副产品加工业", "茶产业", "竹木加工业", "陶瓷产业", "电线电缆产业",
    "光伏新能源产业", "铸造产业", "塑料制品业", "制鞋产业", "箱包产业", "眼镜产业",
    "小家电产业", "水产品加工业", "中药材产业", "农机装备产业", "钢结构产业", "石材加工业",
    "灯具照明产业", "肉制品加工业", "乳制品产业", "酿酒产业", "卫浴洁具产业", "轴承产业",
    "泵阀产业", "工艺品产业", "纸制品产业", "针织产业", "医疗器械产业",
]
PRODUCTS = [
    "棉纱", "针织面料", "休闲服装", "制动器", "车桥", "轮毂", "速冻食品", "调味品", "肉制品",
    "数控机床", "液压件", "原料药", "中成药", "功能膜材料", "锂电池隔膜", "电路板", "线束",
    "实木家具", "板式家具", "商品混凝土", "新型墙材", "农药中间体", "涂料", "瓦楞纸箱",
    "五金工具", "不锈钢制品", "米面制品", "绿茶", "竹地板", "日用陶瓷", "电力电缆", "光伏组件",
    "球墨铸件", "塑料管材", "运动鞋", "拉杆箱", "光学镜片", "电饭煲", "鱼糜制品", "中药饮片",
    "拖拉机", "钢结构件", "花岗岩板材", "LED灯具", "白酒", "陶瓷洁具", "深沟球轴承", "阀门",
]
COMPANY_HEADS = "华恒鑫盛泰宏远瑞丰隆新兴利达金源永安昌荣嘉德信益"
COMPANY_TAILS = ["集团", "股份公司", "实业公司", "科技公司", "制造公司", "有限公司"]
HONORS = ["国家名牌产品", "全国驰名商标", "省级名牌产品", "省著名商标", "地理标志产品"]
GROUPS = [("县域型", "一乡一品型"), ("传统优势型", "新兴培育型"), ("主导产业", "特色产业")]
OUTPUT_LABELS = ["主营业务收入", "产值", "营业收入"]
METHODS = ["走访企业", "召开座谈会", "发放调查问卷", "查阅资料", "专题调研", "实地查看"]

# Sentences for findings; {c} a cluster, {t} a town, {n} a count, {p} a percent, {w} 全县/全市.
PROBLEM_SENTENCES = [
    "{c}企业多数分布在{t}及周边村庄，布局较为分散，难以共享基础设施和公共服务。",
    "集群内企业规模普遍偏小，年营业收入不足2000万元的企业约占{p}%，抗风险能力较弱。",
    "企业间专业化分工协作不足，同质化竞争明显，部分产品出现压价销售的情况。",
    "龙头企业带动作用不强，{w}产值超过10亿元的企业只有{n}家，配套企业多为低端加工环节。",
    "企业融资渠道单一，主要依靠银行短期贷款，抵押物不足的问题较为普遍。",
    "多数企业研发投入占营业收入的比重不足{p2}%，新产品开发主要依靠模仿，自主知识产权较少。",
    "高层次技术人才和熟练技工短缺，{t}一带企业普遍反映招工难、留人难。",
    "部分企业设备老化，生产工艺落后，单位产品能耗和排放高于行业平均水平。",
    "品牌意识较弱，多数企业以贴牌加工为主，产品附加值不高，利润率约为{p2}%。",
    "园区基础设施配套滞后，道路、供水、污水处理等设施不能满足企业扩大生产的需要。",
    "行业协会等中介组织作用发挥不充分，在信息交流、技术推广、市场开拓方面服务能力有限。",
    "物流成本偏高，原材料主要从外地购进，产品运往沿海港口的运费占销售收入的{p2}%左右。",
    "土地供应紧张，{n}家企业的扩建项目因用地指标不足而推迟开工。",
    "电子商务等新型销售方式应用不多，企业对市场变化反应较慢。",
]
CAUSE_SENTENCES = [
    "过去招商引资注重数量，对产业链上下游的关联考虑不够，形成了“有企业无产业”的局面。",
    "乡镇之间存在争项目、争企业的情况，缺乏统一的产业规划和协调机制。",
    "扶持政策分散在多个部门，资金使用不够集中，对重点集群的支持力度不足。",
    "金融机构对中小企业的信贷审批较严，担保体系不健全，{w}仅有{n}家担保机构。",
    "企业经营者多由家庭作坊起步，现代企业管理意识不强，对长远发展规划不足。",
    "与高等院校、科研院所的合作机制尚未建立，技术成果转化的渠道不畅。",
    "职业教育与产业需求衔接不紧，本地培养的技术工人难以满足企业需要。",
    "公共服务平台建设起步较晚，检测、设计、培训等服务主要依靠外地机构。",
]
SUGGESTION_SENTENCES = [
    "按照“一镇一业、一园一品”的思路，引导{c}企业向{t}工业园区集中，提高产业集聚度。",
    "围绕龙头企业招引配套项目，力争三年内新增配套企业{n}家，延长产业链条。",
    "设立产业集群发展专项资金，每年安排不少于{n}00万元，采取贷款贴息、以奖代补等方式扶持。",
    "完善融资担保体系，鼓励银行开发适合中小企业的信贷产品，扩大应收账款和知识产权质押融资。",
    "支持企业建立技术研发中心，对新认定的省级以上研发机构给予一次性奖励。",
    "加强与高等院校的产学研合作，共建实验室和中试基地，推动科技成果在本地转化。",
    "实施品牌带动战略，支持企业申报名牌产品和驰名商标，打造区域公共品牌。",
    "加快园区道路、供水、污水处理和标准厂房建设，提高土地集约利用水平。",
    "发挥行业协会作用，组织企业联合采购、共同参展，规范市场竞争秩序。",
    "依托职业学校开展订单式培训，每年培训技术工人{n}00人次以上。",
    "推动企业开展智能化技术改造，对购置先进设备的企业按投资额的{p2}%给予补助。",
    "发展电子商务和现代物流，建设产品展示交易中心，拓展国内外市场。",
]
MEASURES = [
    "建立集群发展联席会议制度，由分管领导牵头，每季度研究一次重点问题",
    "编制{c}发展规划，明确空间布局和重点项目",
    "在{t}建设中小企业创业服务基地，为初创企业提供标准厂房",
    "组织骨干企业与金融机构开展银企对接活动，每年不少于{n}次",
    "建设{c}公共检测服务平台，降低企业检测成本",
    "开展“专精特新”企业培育行动，建立后备企业库",
    "对年营业收入首次超过1亿元的企业给予奖励",
    "引进行业领军人才和技术团队，落实住房、子女入学等保障措施",
]
PROBLEM_TITLES = [
    "企业在空间布局上较为分散，产业集聚度低", "企业间专业化分工协作机制尚未形成",
    "融资难问题突出，集群发展后劲不足", "自主创新能力弱，产业层次有待提高",
    "龙头企业数量少，带动作用不强", "人才短缺问题日益突出", "公共服务体系不健全",
    "品牌建设滞后，产品附加值不高", "要素保障能力不足，用地用能矛盾突出",
]
CAUSE_TITLES = [
    "缺乏统一的产业规划", "扶持政策不够集中", "金融服务体系不完善", "企业管理水平不高",
    "产学研合作机制不健全", "公共服务平台建设滞后",
]
SUGGESTION_TITLES = [
    "加强产业规划，引导企业集聚发展", "培育壮大龙头企业，完善产业配套",
    "加大财政金融扶持力度", "加快技术创新和技术改造", "实施品牌带动战略",
    "加强园区和公共服务平台建设", "加强人才队伍建设", "发挥中介组织作用，营造良好发展环境",
]

# Page model of the default set, a least-squares fit over 30 built reports (error ±0.35 page;
# checked since on 254 more: all 7–10 pages):
# pages ≈ 2.67 + 0.00188·cluster chars + 0.00178·finding chars + 0.0134·paragraphs − 0.075·n.
PAGE_BASE, PAGE_PER_CLUSTER_CHAR, PAGE_PER_FINDING_CHAR = 2.67, 0.00188, 0.00178
PAGE_PER_PARAGRAPH, PAGE_PER_CLUSTER = 0.0134, -0.075
PAGES_LOW, PAGES_HIGH = 5.9, 9.1
MIN_DETAIL = 80  # every finding gets at least two sentences
MIN_SENTENCES = 2


def _cluster_chars(cluster: dict[str, Any]) -> int:
    """About how many characters a cluster adds: its paragraph and its table row."""
    lists = [*cluster["products"], *cluster["lead_enterprises"]]
    chars = 150 + sum(len(s) + 1 for s in lists) + len(cluster.get("description", ""))
    chars += 14 * len(cluster.get("honors", {})) + (25 if "rd_centers" in cluster else 0)
    location = cluster.get("location", [])
    return chars + (len(location) if isinstance(location, str) else sum(map(len, location)))


def _money(amount_wan: float) -> str:
    """An amount given in 万元, written as staff do: 亿元 from 1 亿 up, else 万元."""
    if amount_wan >= 10000:
        return f"{amount_wan / 10000:.2f}亿元"
    return f"{round(amount_wan)}万元"


def _company(r: random.Random, used: set[str]) -> str:
    while True:
        name = "".join(r.sample(COMPANY_HEADS, 2)) + r.choice(COMPANY_TAILS)
        if name not in used:
            used.add(name)
            return name


def _fill(r: random.Random, sentence: str, clusters: list[str], towns: list[str],
          whole: str) -> str:
    return sentence.format(c=r.choice(clusters), t=r.choice(towns), n=r.randint(2, 12),
                           p=r.randint(40, 85), p2=r.randint(2, 9), w=whole)


def _detail(r: random.Random, deck: list[str], pool: list[str], chars: int,
            clusters: list[str], towns: list[str], whole: str) -> str:
    """Sentences drawn from `deck` until about `chars` characters; an empty deck is refilled
    from `pool`, so the findings of one section do not repeat each other's sentences."""
    text = ""
    while len(text) < chars:
        if not deck:
            deck.extend(r.sample(pool, len(pool)))
        text += _fill(r, deck.pop(), clusters, towns, whole)
    return text


def _other_pages(clusters: list[dict[str, Any]], paragraphs: float) -> float:
    """What the page model gives everything but the findings' characters."""
    return (PAGE_BASE + PAGE_PER_PARAGRAPH * paragraphs + PAGE_PER_CLUSTER * len(clusters)
            + PAGE_PER_CLUSTER_CHAR * sum(_cluster_chars(c) for c in clusters))


def _findings_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for key in ("problems", "causes", "suggestions") for f in data.get(key, [])]


def predicted_pages(data: dict[str, Any]) -> float:
    """The page model applied to a survey's data."""
    findings = _findings_of(data)
    chars = sum(len(f["title"]) + len(f["detail"]) + sum(map(len, f.get("measures", [])))
                for f in findings)
    paragraphs = sum(1 + len(f.get("measures", [])) for f in findings)
    return PAGE_PER_FINDING_CHAR * chars + _other_pages(data["clusters"], paragraphs)


def _trim(data: dict[str, Any], target: float) -> None:
    """Drop the last sentence of the longest detail (then lists of measures) until the model
    says `target` pages."""
    while predicted_pages(data) > target:
        longest = max(_findings_of(data), key=lambda f: len(f["detail"]))
        sentences = longest["detail"].split("。")[:-1]  # the text ends with 。
        if len(sentences) > MIN_SENTENCES:
            longest["detail"] = "。".join(sentences[:-1]) + "。"
            continue
        listed = [f for f in _findings_of(data) if f.get("measures")]
        if not listed:
            return  # nothing left to trim: the clusters alone fill the pages
        del listed[-1]["measures"]


def _cluster(r: random.Random, name: str, year: int, label: str, towns: list[str],
             group: str | None, with_history: bool, used: set[str],
             rich: bool) -> dict[str, Any]:
    """One cluster; `rich` ones (in surveys with few clusters) have longer lists and notes."""
    output = r.uniform(8000, 2_500_000) if r.random() < 0.8 else r.uniform(3000, 9000)
    cluster: dict[str, Any] = {"name": name, "output": _money(output)}
    if label != "产值":
        cluster["output_label"] = label
    growth = r.uniform(-8, 30)
    prev = output / (1 + growth / 100)
    if r.random() < 0.55:
        cluster["output_prev"] = _money(prev)
    elif r.random() < 0.7:
        cluster["growth"] = f"{growth:.1f}%"
    if with_history:
        value, history = prev, {}
        for y in range(year - 2, year - 2 - r.randint(3, 5), -1):
            value /= 1 + r.uniform(-0.05, 0.25)
            history[y] = _money(value)
        cluster["history"] = dict(sorted(history.items()))
    enterprises = r.randint(12, 400)
    cluster["enterprises"] = enterprises
    if r.random() < 0.7:
        cluster["above_scale"] = r.randint(1, max(1, enterprises // 3))
    if r.random() < 0.8:
        cluster["employees"] = r.randint(800, 60000)
    if r.random() < (0.6 if rich else 0.3):
        cluster["registered_capital"] = _money(output * r.uniform(0.05, 0.3))
    if r.random() < 0.75:
        profit_tax = output * r.uniform(0.04, 0.12)
        cluster["profit_tax"] = _money(profit_tax)
        cluster["profit"] = _money(profit_tax * r.uniform(0.4, 0.8))
    if r.random() < 0.15:
        cluster["market_share"] = f"{r.uniform(5, 60):.1f}%"
    if r.random() < (0.6 if rich else 0.4):
        places = r.sample(towns, r.randint(1, 3))
        cluster["location"] = places[0] if len(places) == 1 else places
    cluster["products"] = r.sample(PRODUCTS, r.randint(2, 5) if rich else r.randint(2, 3))
    cluster["lead_enterprises"] = [_company(r, used)
                                   for _ in range(r.randint(2, 5) if rich else r.randint(2, 3))]
    if r.random() < (0.5 if rich else 0.25):
        cluster["honors"] = {h: r.randint(1, 9) for h in r.sample(HONORS, r.randint(1, 3))}
    if r.random() < 0.5:
        cluster["high_tech_enterprises"] = r.randint(1, 15)
        cluster["rd_centers"] = r.randint(1, 8)
    if group is not None:
        cluster["group"] = group
    if rich and r.random() < 0.2:
        cluster["description"] = (
            f"{name}是{r.choice(towns)}的传统优势产业，近年来通过技术改造和招商引资，"
            f"产品逐步由{r.choice(PRODUCTS)}向{r.choice(PRODUCTS)}延伸，市场覆盖全国"
            f"{r.randint(10, 30)}个省份，部分产品出口东南亚和欧洲。")
    return cluster


def _findings(r: random.Random, titles: list[str], sentences: list[str], count: int,
              chars: int, clusters: list[str], towns: list[str], whole: str,
              measures: bool = False) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    deck: list[str] = []
    for title in r.sample(titles, count):
        item: dict[str, Any] = {"title": title,
                                "detail": _detail(r, deck, sentences, chars, clusters, towns,
                                                  whole)}
        if measures and r.random() < 0.4:
            item["measures"] = [_fill(r, m, clusters, towns, whole)
                                for m in r.sample(MEASURES, r.randint(3, 5))]
        if r.random() < 0.3:
            item["clusters"] = r.sample(clusters, min(len(clusters), r.randint(1, 3)))
        items.append(item)
    return items


def survey_data(seed: int, index: int) -> dict[str, Any]:
    """The data of survey `index`; depends only on (seed, index)."""
    r = random.Random(f"{seed}:{index}")
    suffix, kind = r.choice(REGION_KINDS)
    name = "".join(r.sample(NAME_CHARS, 2)) + suffix
    province = r.choice(list(PROVINCES))
    whole = "全" + suffix
    year = r.randint(2019, 2025)
    towns = ["".join(r.sample(NAME_CHARS, 2)) + r.choice(TOWN_SUFFIXES) for _ in range(8)]
    label = r.choice(OUTPUT_LABELS)
    # Most counties have a handful of clusters, a few have many: skewed towards the low end.
    n_clusters = MIN_CLUSTERS + int((MAX_CLUSTERS - MIN_CLUSTERS + 1) * r.random() ** 1.6)
    names = r.sample(INDUSTRIES, n_clusters)
    grouped = r.random() < 0.35
    group_names = r.choice(GROUPS)
    history_count = r.randint(2, min(5, n_clusters))  # a readable trend chart: a few lines
    used: set[str] = set()
    clusters = [
        _cluster(r, cname, year, label, towns,
                 group_names[0 if i < n_clusters // 2 else 1] if grouped else None,
                 i < history_count, used, rich=n_clusters <= 10)
        for i, cname in enumerate(names)
    ]
    report: dict[str, Any] = {
        "author": f"{name}{r.choice(['工业和信息化局', '中小企业局', '发展和改革局'])}",
        "date": f"{year + 1}年{r.randint(1, 12)}月{r.randint(1, 28)}日",
        "year": year,
    }
    if r.random() < 0.8:
        report["methods"] = r.sample(METHODS, r.randint(2, 4))
    if r.random() < 0.3:
        report["intro"] = (f"调研组先后走访了{r.randint(20, 80)}家企业，"
                           f"召开座谈会{r.randint(3, 9)}次，收集有关资料{r.randint(50, 200)}份。")
    data: dict[str, Any] = {
        "schema": 1,
        "region": {"name": name, "kind": kind, "parent": province + r.choice(PROVINCES[province])},
        "report": report,
    }
    if r.random() < 0.7:
        sum_output = sum(_wan(c["output"]) for c in clusters)
        sum_enterprises = sum(c["enterprises"] for c in clusters)
        sum_above = sum(c.get("above_scale", 0) for c in clusters)
        data["totals"] = {
            "industrial_output": _money(sum_output * r.uniform(1.2, 2.5)),
            "enterprises": int(sum_enterprises * r.uniform(1.3, 2.5)),
            "above_scale_enterprises": int(sum_above * r.uniform(1.2, 2.0)) + 1,
        }
    data["clusters"] = clusters
    # Size the findings so the page model gives a report of 6–10 pages, then trim to fit.
    n_problems, n_suggestions = r.randint(3, 4), r.randint(4, 5)
    n_causes = r.choice([0, 0, 3])

    def floor() -> float:
        """The model's pages with every finding at its shortest."""
        n = n_problems + n_causes + n_suggestions
        return _other_pages(clusters, n) + PAGE_PER_FINDING_CHAR * n * (MIN_DETAIL + 15)

    # Many clusters leave less room: staff then keep the rest of the report shorter.
    while floor() > PAGES_HIGH and n_problems + n_causes + n_suggestions > 7:
        if n_causes:
            n_causes = 0
        elif n_suggestions > 4:
            n_suggestions -= 1
        else:
            n_problems -= 1
    n_findings = n_problems + n_causes + n_suggestions
    # At least a page above the shortest possible report, so the findings read as paragraphs.
    low = min(max(PAGES_LOW, floor() + 1.0), PAGES_HIGH)
    target = r.uniform(low, max(PAGES_HIGH, floor()))
    # Generous on purpose (titles, measures and the last sentence are not counted): _trim
    # then takes sentences off until the model agrees.
    per_item = max(MIN_DETAIL, (target - _other_pages(clusters, n_findings))
                   / PAGE_PER_FINDING_CHAR / n_findings)
    data["problems"] = _findings(r, PROBLEM_TITLES, PROBLEM_SENTENCES, n_problems, per_item,
                                 names, towns, whole)
    if n_causes:
        data["causes"] = _findings(r, CAUSE_TITLES, CAUSE_SENTENCES, n_causes, per_item,
                                   names, towns, whole)
    data["suggestions"] = _findings(r, SUGGESTION_TITLES, SUGGESTION_SENTENCES, n_suggestions,
                                    per_item, names, towns, whole, measures=True)
    _trim(data, target)
    return data


def _wan(money: str) -> float:
    """Back from what _money wrote to 万元."""
    if money.endswith("亿元"):
        return float(money[:-2]) * 10000
    return float(money[:-2])


def survey_text(seed: int, index: int) -> str:
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096  # one line per value: diffs and error line numbers stay readable
    yaml.indent(mapping=2, sequence=2, offset=0)
    buf = io.StringIO()
    buf.write(f"# 合成调研数据（基准测试用），seed {seed}，第 {index} 份\n")
    yaml.dump(survey_data(seed, index), buf)
    return buf.getvalue()


def generate(out_dir: Path, n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write surveys 0..n-1 into out_dir (created if needed); unchanged files are not touched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = out_dir / f"county_{i:04d}.yaml"
        text = survey_text(seed, i)
        # Rewriting an identical file would change its mtime and could wake a watcher.
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write N synthetic surveys for the benchmark.")
    parser.add_argument("out", type=Path, help="folder for the .yaml files")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="how many surveys")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    paths = generate(args.out, args.n, args.seed)
    print(f"wrote {len(paths)} surveys to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
