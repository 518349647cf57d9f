"""The fill-in workbook (表样) for survey format 2: its sheets, columns and closed choices.

One declaration read by both the writer (`workbook_write`) and the reader (`workbook`), so
that a column is added in one place. A column is found by its header text, so staff may
reorder columns; every header is unique within its sheet.

Kinds of value a cell holds:
    text   one line (a name, a title): numbers typed in it are read as their text
    para   text that may hold paragraphs (a blank line starts a new one)
    lines  a list, one item a line (Alt+Enter in Excel)
    value  a figure, a date or an integer: read as the YAML loader reads `key: cell`
    bool   是/否
"""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.survey.model import ANCHORS


@dataclass(frozen=True)
class Column:
    header: str          # as shown in the header row (or the 项目 column), with the unit
    key: str             # the format's key ('' for columns that are not one key)
    kind: str = "text"   # text | para | lines | value | bool
    unit: str = ""       # appended to a bare number typed in a money or percent column
    prompt: str = ""     # the input prompt shown when the cell is selected
    choices: str = ""    # defined name of a drop-down list ('' for free input)
    width: int = 14
    year: bool = False   # an integer validation 1900–2100
    closed: bool = True  # a drop-down whose list is all there is (else a suggestion only)


MONEY_HINT = "写数字和单位，如 142亿元、7800万元、约1800亿元；只写数字时按亿元计"
PERCENT_HINT = "写百分数，如 12.5% 或 50%以上；只写数字时按 % 计"

# --- vertical sheets: one row per key (项目 | 内容 | 说明) ---------------------------------

BASIC = "基本信息"
BASIC_ROWS: tuple[tuple[tuple[str, ...], Column], ...] = (
    (("schema",), Column("格式版本", "schema", "value", prompt="请写 2（第 2 版调研数据格式）")),
    (("region", "name"), Column("地区名称", "name", prompt="如 莱州市")),
    (("region", "kind"), Column("地区类型", "kind", prompt="如 县级市、县、区（可不填）")),
    (("region", "parent"), Column("上级地区", "parent", prompt="如 山东省烟台市（可不填）")),
    (("report", "author"), Column("调研单位", "author", prompt="报告落款的单位，必须填写")),
    (("report", "date"), Column("成文日期", "date", "value",
                                prompt="如 2025年3月15日 或 2025-03-15，必须填写")),
    (("report", "year"), Column("统计年度", "year", "value", year=True,
                                prompt="数字所属的年份，如 2024，必须填写")),
    (("report", "title"), Column("报告标题", "title",
                                 prompt="不填时为“地区名称产业集群发展情况调研报告”")),
    (("report", "template"), Column("模板", "template", prompt="模板名称（可不填）")),
    (("report", "methods"), Column("调研方式", "methods", "lines",
                                   prompt="每种方式一行（Alt+Enter 换行），如 走访企业")),
    (("report", "intro"), Column("引言", "intro", "para",
                                 prompt="报告开头的一段话；空一行另起一段")),
    (("units",), Column("自定义单位", "units", "lines",
                        prompt="单位表以外要用的单位，每个一行，如 罗")),
    (("totals", "industrial_output"), Column("全地区工业总产值（亿元）", "industrial_output",
                                             "value", "亿元", MONEY_HINT)),
    (("totals", "industrial_output_label"), Column("总产值名称", "industrial_output_label",
                                                   prompt="不填时为“工业总产值”")),
    (("totals", "enterprises"), Column("全地区工业企业数（家）", "enterprises", "value")),
    (("totals", "above_scale_enterprises"), Column("全地区规模以上工业企业数（家）",
                                                   "above_scale_enterprises", "value")),
)

OVERVIEW = "总体情况"
OVERVIEW_ROWS: tuple[tuple[tuple[str, ...], Column], ...] = (
    (("overview", "clusters"), Column("产业集群总数（个）", "clusters", "value",
                                      prompt="全地区共有多少个产业集群（可多于本表所列）")),
    (("overview", "enterprises"), Column("集群企业总数（家）", "enterprises", "value",
                                         prompt="可写约数，如 3300多")),
    (("overview", "above_scale"), Column("规模以上企业总数（家）", "above_scale", "value")),
    (("overview", "employees"), Column("从业人员总数（人）", "employees", "value")),
    (("overview", "output"), Column("集群总产值（亿元）", "output", "value", "亿元", MONEY_HINT)),
    (("overview", "output_label"), Column("总产值名称", "output_label", prompt="不填时为“产值”")),
    (("overview", "profit_tax"), Column("集群利税总额（亿元）", "profit_tax", "value", "亿元",
                                        MONEY_HINT)),
    (("overview", "profit"), Column("集群利润总额（亿元）", "profit", "value", "亿元", MONEY_HINT)),
    (("overview", "revenue"), Column("集群主营业务收入（亿元）", "revenue", "value", "亿元",
                                     MONEY_HINT)),
    (("overview", "intro"), Column("现状导语", "intro", "para", prompt="现状一节开头的文字")),
    (("overview", "outro"), Column("现状结语", "outro", "para", prompt="现状一节概述后的文字")),
    (("tables",), Column("现状表格", "tables", "lines",
                         prompt="现状一节的表格：填表格工作表的名称，每个一行，如 表1")),
)

# --- row sheets: a header row, then one row per item ------------------------------------

CLUSTERS = "产业集群"
PARENT = Column("所属集群", "", prompt="子产业填所属集群的名称；集群本身不填", choices="集群名称")
CLUSTER_COLUMNS: tuple[Column, ...] = (
    Column("集群名称", "name", prompt="每个集群（或子产业）一行；名称不能重复", width=18),
    PARENT,
    Column("集群分组", "group", prompt="可不填；同组的集群在报告中放在一起。下拉列表中是"
           "已填过的分组", choices="集群分组", closed=False),
    Column("产值（亿元）", "output", "value", "亿元", MONEY_HINT),
    Column("产值名称", "output_label", prompt="不填时为“产值”；如 主营业务收入、旅游收入"),
    Column("上年产值（亿元）", "output_prev", "value", "亿元", MONEY_HINT),
    Column("同比增长（%）", "growth", "value", "%", PERCENT_HINT),
    Column("企业数（家）", "enterprises", "value", prompt="整数，可写约数，如 3300多"),
    Column("规模以上企业数（家）", "above_scale", "value", prompt="整数"),
    Column("从业人员（人）", "employees", "value", prompt="整数，可写 近23万人"),
    Column("注册资金（亿元）", "registered_capital", "value", "亿元", MONEY_HINT),
    Column("利税（亿元）", "profit_tax", "value", "亿元", MONEY_HINT),
    Column("利润（亿元）", "profit", "value", "亿元", MONEY_HINT),
    Column("国内市场占有率（%）", "market_share", "value", "%",
           "主要产品占国内市场的份额；分地区、分产品的份额写在“集群指标”表"),
    Column("高新技术企业（家）", "high_tech_enterprises", "value", prompt="整数"),
    Column("技术开发中心（处）", "rd_centers", "value", prompt="整数"),
    Column("排名", "rank", prompt="如 全省第5位、全国第一"),
    Column("分布区域", "location", "lines", prompt="每处一行（Alt+Enter 换行）", width=18),
    Column("主要产品", "products", "lines", prompt="每种一行（Alt+Enter 换行）", width=18),
    Column("骨干企业", "lead_enterprises", "lines", prompt="每家一行（Alt+Enter 换行）", width=18),
    Column("集群说明", "description", "para", prompt="说明文字；空一行另起一段", width=40),
    Column("表格", "tables", "lines", prompt="这一集群的表格：填表格工作表名称，每个一行"),
)

OWNER_ALL = "全地区"
KIND_INDICATOR, KIND_HONOR, KIND_SHARE = "指标", "名牌与商标", "市场占有率"
INDICATORS = "集群指标"
OWNER = Column("所属", "", prompt=f"集群或子产业的名称；全地区的数字写“{OWNER_ALL}”",
               choices="所属列表", width=16)
INDICATOR_COLUMNS: tuple[Column, ...] = (
    OWNER,
    Column("类别", "", prompt="指标、名牌与商标、市场占有率；不填为指标", choices="指标类别"),
    Column("名称", "name", prompt="指标名称（如 年产纱）、名牌或商标的种类，或市场占有率的产品",
           width=18),
    Column("数值", "value", "value",
           prompt="带单位写，如 23100吨、20万锭；名牌与商标写件数；市场占有率写 50%以上"),
    Column("同比增长（%）", "growth", "value", "%", PERCENT_HINT),
    Column("排名", "rank", prompt="如 全省第5位"),
    Column("年份", "year", "value", prompt="不是统计年度时填写，如 2023", year=True),
    Column("注", "note", "para", prompt="印在括号中，如 含外加工"),
    Column("市场范围", "scope", prompt="市场占有率的范围，如 全国、全省、世界"),
)

HISTORY = "历年数据"
HISTORY_COLUMNS: tuple[Column, ...] = (
    Column("集群名称", "", prompt="集群或子产业的名称", choices="集群名称", width=18),
    Column("年份", "year", "value", prompt="早于统计年度的年份，如 2022", year=True),
    Column("产值（亿元）", "value", "value", "亿元", MONEY_HINT),
)

TARGETS = "目标"
TARGET_COLUMNS: tuple[Column, ...] = (
    OWNER,
    Column("目标年份", "year", "value", prompt="晚于统计年度，如 2027", year=True),
    Column("指标名称", "name", prompt="不填时为产值名称；目标值不是金额时必须填写"),
    Column("目标值", "value", "value", prompt="如 300亿元、超过50万亩、40%"),
    Column("说明", "text", "para", prompt="接在目标后面的文字"),
)

LEVEL_INTRO, LEVEL_OUTRO, LEVEL_SECTION = "导语", "结语", "章节"
FINDING_COLUMNS: tuple[Column, ...] = (
    Column("级别", "",
           prompt="1 为一条，2 为上一条的分项，3 为分项的分项；导语、结语写在详细说明列",
           choices="级别", width=8),
    Column("标题", "title", prompt="一句话，不带编号", width=30),
    Column("详细说明", "detail", "para", prompt="说明文字；空一行另起一段", width=50),
    Column("具体措施", "measures", "lines", prompt="每条一行（Alt+Enter 换行）", width=30),
    Column("涉及的集群", "clusters", "lines", prompt="集群名称，每个一行", width=16),
    Column("表格", "tables", "lines", prompt="这一条的表格：填表格工作表名称，每个一行"),
)
FINDING_SHEETS = (("problems", "问题"), ("causes", "原因"), ("suggestions", "建议"))

TOPICS = "集群专题"
TOPIC_COLUMNS: tuple[Column, ...] = (
    Column("所属集群", "", prompt="集群或子产业的名称", choices="集群名称", width=16),
    Column("级别", "", prompt="1 为一个专题，2 为上一专题的分项", choices="专题级别", width=8),
    *FINDING_COLUMNS[1:],
)

SECTIONS = "其他章节"
SECTION_COLUMNS: tuple[Column, ...] = (
    Column("级别", "", prompt="章节 行写章节标题和位置，其下 1、2、3 为条目；结语写在详细说明列",
           choices="章节级别", width=8),
    Column("标题", "title", prompt="章节或条目的标题，不带编号", width=30),
    Column("位置", "after", prompt="章节放在哪一节之后：" + "、".join(ANCHORS), choices="位置"),
    *FINDING_COLUMNS[2:],
)

# --- staff tables: one sheet each ---------------------------------------------------------

TABLE_PREFIX = "表"
TABLE_HEAD = (("caption", "表题"), ("total", "合计行"), ("note", "表注"))
TABLE_HEADER_ROW = 5  # the columns; the rows start below
TABLE_MAX_COLUMNS = 30

README = "说明"
CHOICES = "选项"
MAX_ROWS = 2000  # rows read in one sheet: the largest survey has a few hundred

# Drop-down lists kept on the hidden sheet, by defined name.
LISTS: dict[str, tuple[str, ...]] = {
    "级别": (LEVEL_INTRO, "1", "2", "3", LEVEL_OUTRO),
    "专题级别": ("1", "2"),
    "章节级别": (LEVEL_SECTION, "1", "2", "3", LEVEL_OUTRO),
    "位置": ANCHORS,
    "指标类别": (KIND_INDICATOR, KIND_HONOR, KIND_SHARE),
    "是否": ("是", "否"),
}

ROW_SHEETS: dict[str, tuple[Column, ...]] = {
    CLUSTERS: CLUSTER_COLUMNS,
    INDICATORS: INDICATOR_COLUMNS,
    HISTORY: HISTORY_COLUMNS,
    TARGETS: TARGET_COLUMNS,
    **{name: FINDING_COLUMNS for _, name in FINDING_SHEETS},
    TOPICS: TOPIC_COLUMNS,
    SECTIONS: SECTION_COLUMNS,
}
SHEET_ORDER = (README, BASIC, OVERVIEW, CLUSTERS, INDICATORS, HISTORY, TARGETS, TOPICS,
               "问题", "原因", "建议", SECTIONS)
