"""docs/调研数据格式.md cannot rot: every example in it is loaded, every quoted error compared.

The guide marks each ```yaml block on its first line:

    # 完整示例            a whole survey file: it must load without a problem
    # 片段                part of a file, written in place (`clusters:` / `- name: …` / the
                         keys): merged into BASE below, the result must load
    # 完整示例（有错）    / # 片段（有错）
                         a deliberate mistake: the next fenced block (```text) quotes what
                         `reportgen check` prints, one problem a line, and the file must give
                         exactly those problems

How a fragment is merged: mappings key by key (a key of the fragment replaces the base's);
a list of mappings item by item (the fragment's first cluster goes into the base's first
cluster, so a fragment names the keys it shows and the base supplies the rest); anything else
is replaced. A quoted problem reads `FILE:LINE:COL: PATH (LABEL): MESSAGE`; LINE:COL are
compared for a whole file (the block as staff copy it, marker line included) and written
`行:列` for a fragment (where they depend on the base). FILE is not compared.

The key tables are checked against the model too: each table under a heading below lists
exactly the keys a file may write there, each with its Chinese label (the `title` of the
model field, which is what messages show).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML

from reportgen.errors import SurveyError
from reportgen.survey import parse_survey_text
from reportgen.survey.model import (
    Cluster,
    Finding,
    Findings,
    Indicator,
    MarketShare,
    Overview,
    Rank,
    Region,
    ReportInfo,
    Section,
    StaffTable,
    Survey,
    Target,
    Totals,
)
from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "调研数据格式.md"
FILE = "guide.yaml"

# The rest of a file around a fragment: format 2, only what is required, two clusters whose
# names no example uses, and nothing that a fragment's figures could contradict.
BASE = """\
schema: 2
region:
  name: 示例县
  kind: 县
report:
  author: 示例县经济和信息化局
  date: 2025-03-15
  year: 2024
clusters:
- name: 基础示例集群甲
  output: 10亿元
- name: 基础示例集群乙
  output: 5亿元
problems:
- 基础示例问题
suggestions:
- 基础示例建议
"""

WHOLE = "完整示例"
FRAGMENT = "片段"
WRONG = "（有错）"
_MARKER = re.compile(rf"#\s*(?P<kind>{WHOLE}|{FRAGMENT})(?P<wrong>{WRONG})?\s*$")
_FENCE = re.compile(r"^(?P<fence>`{3,})(?P<lang>[^\n]*)\n(?P<body>.*?)\n(?P=fence)[ \t]*$",
                    re.S | re.M)
# FILE:LINE:COL: rest, LINE:COL as numbers (a whole file) or 行:列 (a fragment).
_QUOTED = re.compile(r"^(?P<file>\S+\.yaml):(?P<line>\d+|行):(?P<col>\d+|列): (?P<rest>.+)$")

# Heading (its start) → the models whose key tables follow it, in order.
KEY_TABLES: dict[str, tuple[type[BaseModel], ...]] = {
    "## 顶层": (Survey,),
    "## region": (Region,),
    "## report": (ReportInfo,),
    "## totals": (Totals,),
    "## clusters": (Cluster,),
    "### indicators": (Indicator,),
    "### rank": (Rank,),
    "### targets": (Target,),
    "### market_share": (MarketShare,),
    "## problems": (Finding, Findings),
    "## overview": (Overview,),
    "## sections": (Section,),
    "## tables": (StaffTable,),
}


@dataclass
class Block:
    lang: str
    body: str
    line: int  # line of the opening fence in the guide


@dataclass
class Example:
    kind: str  # WHOLE or FRAGMENT
    wrong: bool
    text: str  # a fragment without its marker line
    line: int
    quoted: list[re.Match[str]]  # the problems quoted after a wrong example

    @property
    def id(self) -> str:
        return f"line{self.line}-{'wrong' if self.wrong else 'ok'}"


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def blocks() -> list[Block]:
    text = guide_text()
    return [Block(m["lang"].strip(), m["body"], text.count("\n", 0, m.start()) + 1)
            for m in _FENCE.finditer(text)]


def examples() -> list[Example]:
    found = []
    all_blocks = blocks()
    for i, block in enumerate(all_blocks):
        if block.lang != "yaml":
            continue
        first, _, rest = block.body.partition("\n")
        marker = _MARKER.fullmatch(first.strip())
        assert marker, f"guide line {block.line}: a yaml example must start with # {WHOLE} or " \
                       f"# {FRAGMENT} (optionally followed by {WRONG}), not {first!r}"
        wrong = bool(marker["wrong"])
        quoted: list[re.Match[str]] = []
        if wrong:
            after = all_blocks[i + 1] if i + 1 < len(all_blocks) else None
            assert after is not None and after.lang == "text", \
                f"guide line {block.line}: a wrong example must be followed by a text block"
            for line in after.body.splitlines():
                match = _QUOTED.fullmatch(line.strip())
                assert match, f"guide line {after.line}: not a quoted problem: {line!r}"
                quoted.append(match)
            assert quoted, f"guide line {after.line}: no problem quoted"
        # A whole file keeps its marker line: it is a comment, and the quoted line numbers
        # are those of the block as staff copy it.
        text = block.body if marker["kind"] == WHOLE else rest
        found.append(Example(marker["kind"], wrong, text, block.line, quoted))
    return found


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line: the loader must see the text as written
    return yaml


def _merge(base: Any, fragment: Any) -> Any:
    if isinstance(base, dict) and isinstance(fragment, dict):
        for key, value in fragment.items():
            base[key] = _merge(base[key], value) if key in base else value
        return base
    if isinstance(base, list) and isinstance(fragment, list) \
            and all(isinstance(item, dict) for item in fragment):
        for i, item in enumerate(fragment):
            if i < len(base):
                base[i] = _merge(base[i], item)
            else:
                base.append(item)
        return base
    return fragment


def survey_text(example: Example) -> str:
    """The whole file the example stands for."""
    if example.kind == WHOLE:
        return example.text
    base = _yaml().load(BASE)
    fragment = _yaml().load(example.text)
    assert isinstance(fragment, dict), f"guide line {example.line}: a fragment is a mapping"
    _merge(base, fragment)
    out = io.StringIO()
    _yaml().dump(base, out)
    return out.getvalue()


def problems_of(text: str) -> list[str]:
    try:
        parse_survey_text(text, FILE)
    except SurveyError as exc:
        return [str(p) for p in exc.problems]
    return []


# --- the examples ------------------------------------------------------------------------

ALL = examples()
GOOD = [e for e in ALL if not e.wrong]
WRONG_ONES = [e for e in ALL if e.wrong]


def test_the_guide_has_examples_of_every_kind() -> None:
    assert any(e.kind == WHOLE and not e.wrong for e in ALL)
    assert len([e for e in GOOD if e.kind == FRAGMENT]) >= 10
    assert len(WRONG_ONES) >= 3
    assert any(e.kind == WHOLE for e in WRONG_ONES), "some errors quote real line:col"


def test_the_base_is_a_valid_survey() -> None:
    assert problems_of(BASE) == []


@pytest.mark.parametrize("example", GOOD, ids=[e.id for e in GOOD])
def test_example_loads(example: Example) -> None:
    text = survey_text(example)
    problems = problems_of(text)
    assert problems == [], f"guide line {example.line}:\n{text}\n" + "\n".join(problems)


@pytest.mark.parametrize("example", WRONG_ONES, ids=[e.id for e in WRONG_ONES])
def test_wrong_example_gives_the_quoted_problems(example: Example) -> None:
    text = survey_text(example)
    problems = problems_of(text)
    assert problems, f"guide line {example.line}: the wrong example loads\n{text}"
    got = []
    for problem in problems:
        match = _QUOTED.fullmatch(problem)
        assert match, problem
        got.append(match)
    want = sorted(q["rest"] for q in example.quoted)
    assert sorted(g["rest"] for g in got) == want, \
        f"guide line {example.line}: the loader says\n" + "\n".join(problems)
    for quoted in example.quoted:
        numbered = quoted["line"].isdigit()
        assert numbered == (example.kind == WHOLE), \
            f"guide line {example.line}: write LINE:COL for a whole file, 行:列 for a fragment"
        if numbered:
            located = [(g["line"], g["col"]) for g in got if g["rest"] == quoted["rest"]]
            assert (quoted["line"], quoted["col"]) in located, \
                f"guide line {example.line}: {quoted.string!r} is at {located}"


def test_every_quoted_problem_belongs_to_an_example() -> None:
    """A message quoted anywhere else in the guide would go unchecked."""
    checked = sum(len(e.quoted) for e in WRONG_ONES)
    quoted_lines = [line for line in guide_text().splitlines()
                    if _QUOTED.fullmatch(line.strip())]
    assert len(quoted_lines) == checked


def test_fragments_change_what_they_show() -> None:
    """A fragment must not vanish in the merge: the merged file holds its every key."""
    for example in GOOD + WRONG_ONES:
        if example.kind != FRAGMENT:
            continue
        merged = _yaml().load(survey_text(example))
        fragment = _yaml().load(example.text)
        for key in fragment:
            assert key in merged, f"guide line {example.line}: {key} lost in the merge"


def paragraph_example() -> Survey:
    """The example of the section 段落: a literal (|) and a folded (>) text of two paragraphs."""
    found = [e for e in GOOD if "description: |" in e.text and "detail: >" in e.text]
    assert len(found) == 1, "the 段落 example (description: | and detail: >) is missing"
    return parse_survey_text(survey_text(found[0]), FILE)


def test_a_blank_line_in_a_literal_block_starts_a_paragraph() -> None:
    # The guide: two paragraphs, the single line break between Chinese characters dropped.
    description = paragraph_example().clusters[0].description
    assert description is not None
    assert description.split("\n\n") == ["装备制造业是全县第一大产业集群，拥有整机企业12家。",
                                         "近年来，集群内企业加快向成套装备转型。"]


def test_a_blank_line_in_a_folded_block_starts_a_paragraph() -> None:
    detail = paragraph_example().problems[0].detail
    assert detail is not None
    assert detail.split("\n\n") == ["研发投入偏低，创新平台较少。", "多数企业尚未建立研发机构。"]


# --- the key tables ----------------------------------------------------------------------

def file_keys(model: type[BaseModel]) -> dict[str, str]:
    """The keys a file may write in `model`'s mapping → their Chinese labels."""
    keys = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if name == "source" or extra.get("internal"):
            continue
        keys[info.alias or name] = info.title or ""
    return keys


def key_tables(heading: str) -> list[dict[str, str]]:
    """The tables of keys under the heading: key → its row."""
    lines = guide_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    level = heading.split()[0]
    tables: list[dict[str, str]] = []
    in_table = in_fence = False
    for line in lines[start + 1:]:
        if line.startswith("```"):
            in_fence = not in_fence
        if in_fence:
            continue
        if re.match(rf"#{{1,{len(level)}}} ", line):
            break
        row = re.match(r"\|\s*`(?P<key>[^`]+)`\s*\|(?P<rest>.*)\|\s*$", line)
        if line.startswith("|"):
            if not in_table:
                tables.append({})
                in_table = True
            if row:
                tables[-1][row["key"]] = row["rest"]
        else:
            in_table = False
    return [t for t in tables if t]


@pytest.mark.parametrize("heading", list(KEY_TABLES))
def test_key_table_lists_every_key_with_its_label(heading: str) -> None:
    tables = key_tables(heading)
    models = KEY_TABLES[heading]
    assert len(tables) >= len(models), f"{heading}: expected {len(models)} key table(s)"
    for model, table in zip(models, tables, strict=False):
        keys = file_keys(model)
        assert set(table) == set(keys), f"{heading} ({model.__name__}): table has " \
                                        f"{sorted(table)}, the model {sorted(keys)}"
        for key, label in keys.items():
            assert label in table[key], f"{heading}: `{key}` should say {label}"


def test_every_format_2_unit_is_in_the_unit_table() -> None:
    from reportgen.quantities import KNOWN_UNITS

    text = guide_text()
    table = text[text.index("| 类别 | 单位 |"):]
    table = table[:table.index("\n\n")]
    cells = set(re.split(r"[\s|（）]+", table))
    assert set(KNOWN_UNITS) <= cells, sorted(set(KNOWN_UNITS) - cells)
