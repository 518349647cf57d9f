"""Reading a survey file: bytes → YAML node tree → plain values with positions → Survey.

The YAML is composed (not constructed) with ruamel.yaml so that we see every key, including
duplicates a normal loader silently drops, and the line/column of every key and value.
Aliases are measured before anything is expanded: a "billion laughs" file is refused by
counting, never by building it. Every problem found is collected; nothing here raises
anything but SurveyError.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLFutureWarning, YAMLWarning
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    ScalarEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from reportgen.errors import Problem, SurveyError, os_reason
from reportgen.survey import rules, rules2
from reportgen.survey.labels import (
    SourceMap,
    key_text,
    known_keys,
    label_for,
    model_at,
    since_version,
    suggest,
)
from reportgen.survey.model import ANCHORS, Finding, Findings, Part, Survey
from reportgen.survey.normalize import normalise, owners, schema_of, strip_levels
from reportgen.survey.values import (
    PYDANTIC_ERROR_TYPE,
    ValueFormatError,
    check_characters,
    quote,
)
from reportgen.survey.values2 import is_v2, parse_unit_name, survey_context

MAX_BYTES = 1024 * 1024
# Nodes written in the file. A fully filled-in cluster is about 70 nodes, so 200 of them
# (the largest survey the toolkit promises to build) are about 14,000; parsing is pure
# Python at ~20 µs a node, so this also bounds the time a refusal takes.
MAX_NODES = 20_000
# Nodes that aliases add on top of the written ones (the spec's "billion laughs" limit).
MAX_ALIAS_NODES = 10_000
MAX_DEPTH = 64  # the format nests 5 levels deep; anything far deeper is not a survey

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
# Numbers as the YAML 1.2 core schema writes them. ruamel's 1.2 resolver also takes `1_000`
# and `0b101` (YAML 1.1 forms) as integers; the format says 1.2, where they are text.
_CORE_NUMBER = {
    f"{_TAG}int": re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"),
    f"{_TAG}float": re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
                               r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"),
}
# Fields of the Python model that are not keys of the file format.
_NOT_KEYS = {"source", "schema_"}
_BINARY = "这是二进制文件，不是 YAML 文本；请选择 .yaml 调研数据文件"
_EMPTY = "文件是空的；请按调研数据格式填写 region、report、clusters 等内容"


class _Refused(Exception):
    """The file cannot be read at all; carries the one problem that says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class _Converter:
    """Turns a node tree into dicts/lists/scalars, recording positions and problems."""

    where: SourceMap
    yaml: YAML
    problems: list[Problem] = field(default_factory=list)
    nulls: set[tuple[Any, ...]] = field(default_factory=set)

    def value(self, node: Node, path: tuple[Any, ...]) -> Any:
        self.where.values[path] = _pos(node)
        if isinstance(node, MappingNode):
            if node.tag != f"{_TAG}map":  # !!set, !!omap, !!python/object:… are not data
                self.problems.append(self.where.problem(path, _tag_problem(node.tag)))
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            if node.tag != f"{_TAG}seq":
                self.problems.append(self.where.problem(path, _tag_problem(node.tag)))
            self.where.sequences.add(path)
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag in _CORE_NUMBER:
            self.where.raw_numbers[path] = node.value
        return self.scalar(node, path)

    def scalar(self, node: ScalarNode, path: tuple[Any, ...]) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.problems.append(self.where.problem(path, _tag_problem(node.tag), _pos(node)))
            return node.value
        core = _CORE_NUMBER.get(node.tag)
        if core is not None and not core.fullmatch(node.value):
            return node.value
        if node.tag == f"{_TAG}float" and "e" in node.value.lower() and "n" not in node.value:
            # 1e3 is no way to write a figure in a report: keep the text, so that an integer
            # field says it is not an integer and money says it has no unit.
            return node.value
        try:
            value = self.yaml.constructor.construct_object(node)
        except Exception:
            # e.g. an unquoted 2025-02-30 looks like a date but is none: keep the text so
            # the value's own type check can say what is wrong with it.
            return node.value
        if isinstance(value, str) and "\n" in value and node.style != "|":
            # Every style but the literal block folds lines: a blank line in the file became
            # one line break, a single break a space. Give the paragraph back its blank line.
            value = value.replace("\n", "\n\n")
        return value

    def mapping(self, node: MappingNode, path: tuple[Any, ...]) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in self._pairs(node, path):
            if not isinstance(key_node, ScalarNode):
                self.problems.append(self.where.problem(
                    path, "键必须是文字或数字；请不要用列表或映射作键", _pos(key_node)))
                continue
            key = self.scalar(key_node, path)
            try:
                hash(key)
            except TypeError:  # pragma: no cover - scalars are hashable
                key = key_node.value
            if isinstance(key, str):
                try:
                    check_characters(key)
                except ValueFormatError as exc:
                    self.problems.append(self.where.problem(path, f"键{quote(key)}：{exc.text}",
                                                            _pos(key_node)))
                    continue
            child = (*path, key)
            if not isinstance(key, str) and known_keys(path) is not None:
                # Sections of the format only have text keys; `1:` or `true:` is a typo.
                self.where.keys[child] = _pos(key_node)
                self.problems.append(_unknown_key(child, self.where))
                continue
            if key in seen:
                line, _ = seen[key]
                self.problems.append(self.where.problem(
                    child, f"键“{key}”重复（第 {line} 行已经写过）；同一层里每个键只能写一次",
                    _pos(key_node)))
                continue
            seen[key] = _pos(key_node)
            self.where.keys[child] = _pos(key_node)
            if isinstance(value_node, ScalarNode) and value_node.tag == f"{_TAG}null":
                # `key:` left blank means "not given" (causes: with nothing after it is an
                # empty section); a required key left blank is reported by validation, and
                # an unknown key still is reported as unknown.
                self.where.values[child] = _pos(key_node)
                self.nulls.add(child)
                allowed = known_keys(path)
                if allowed is None and path:
                    # A free mapping (history, honors, indicators): `2023:` with nothing
                    # after it would silently drop the year.
                    self.problems.append(self.where.problem(
                        child, f"“{key_text(key)}”没有填写值；请填写，或删去这一行",
                        _pos(key_node)))
                elif allowed is not None and key not in allowed:
                    result[key] = None
                continue
            result[key] = self.value(value_node, child)
            if _pos(value_node) < _pos(key_node):
                # An alias (`name: *a`): the value is the anchored node written earlier;
                # point at where it is used, which is what the key's line shows.
                self.where.values[child] = _pos(key_node)
        return result

    def _pairs(self, node: MappingNode, path: tuple[Any, ...]) -> Iterator[tuple[Node, Node]]:
        """The mapping's own pairs, then pairs merged in with `<<: *alias` not overridden."""
        own = [(k, v) for k, v in node.value if k.tag != f"{_TAG}merge"]
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != f"{_TAG}merge":
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if isinstance(source, MappingNode):
                    merged.extend(source.value)
                else:
                    self.problems.append(self.where.problem(
                        path, "“<<”只能合并映射", _pos(value_node)))
        yield from own
        own_keys = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        for key_node, value_node in merged:
            if isinstance(key_node, ScalarNode):
                if key_node.value in own_keys:
                    continue  # explicit keys override merged ones (YAML merge semantics)
                own_keys.add(key_node.value)
            # A list or mapping used as a key is reported by mapping(), like an own key.
            yield key_node, value_node


def _tag_problem(tag: str | None) -> str:
    tag = tag or ""
    shown = "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
    return f"不支持的 YAML 标签 {shown}；请去掉它，直接写值"


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _decode(raw: bytes, where: SourceMap) -> str:
    if len(raw) > MAX_BYTES:
        raise _Refused(where.file_problem(
            f"文件过大（{len(raw)} 字节，上限 {MAX_BYTES} 字节）；调研数据文件不应这么大，"
            "请检查是否选错了文件"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Notepad's "Unicode": every other byte is NUL, so it would pass for binary.
        raise _Refused(where.file_problem(
            "文件是 UTF-16 编码，不是 UTF-8；请在编辑器中另存为 UTF-8 编码"))
    if b"\x00" in raw:
        raise _Refused(where.file_problem(_BINARY))
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        return raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + bom
        good = raw[bom:exc.start + bom].decode("utf-8")
        line, col = _line_col(good, len(good))
        raise _Refused(where.file_problem(
            f"文件不是 UTF-8 编码（第 {offset} 字节处的 0x{raw[offset]:02X} 无法解码）；"
            "请在编辑器中另存为 UTF-8 编码", line, col)) from exc


def _compose(text: str, where: SourceMap, yaml: YAML) -> Node:
    if "\x00" in text:
        raise _Refused(where.file_problem(_BINARY))
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _Refused(where.file_problem(f"文件过大（上限 {MAX_BYTES} 字节）"))
    text = text.removeprefix("\ufeff")
    try:
        _check_shape(text, where)
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "无法解析"
        raise _Refused(where.file_problem(f"YAML 格式错误：{what}；请检查这一行的缩进、冒号和引号",
                                          line, col)) from exc
    except ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise _Refused(where.file_problem(
            f"文件中含有不允许的字符 U+{exc.character:04X}；请删除它", line, col)) from exc
    except YAMLError as exc:
        raise _Refused(where.file_problem(f"YAML 格式错误：{exc}")) from exc
    except RecursionError as exc:
        raise _Refused(where.file_problem("嵌套层数过深；调研数据文件不应这样嵌套")) from exc
    if root is None:
        raise _Refused(where.file_problem(_EMPTY))
    return root


def _check_shape(text: str, where: SourceMap) -> None:
    """Refuse deep nesting and huge trees from the event stream, before composing.

    ruamel's composer recurses per level and its scanner slows down quadratically with flow
    nesting, so a 1 MiB file of `[[[[…` lines would take minutes if composed first. Counting
    events stops such a file after at most MAX_NODES nodes.
    """
    depth = 0
    nodes = 0
    for event in YAML(typ="safe", pure=True).parse(text):
        if isinstance(event, CollectionStartEvent | ScalarEvent | AliasEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise _Refused(where.file_problem(
                    f"文件内容过多（超过 {MAX_NODES} 个节点，约相当于 280 个各项填满的集群）；"
                    "请检查是否选错了文件",
                    *_mark(event)))
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _Refused(where.file_problem("嵌套层数过深；调研数据文件不应这样嵌套",
                                                  *_mark(event)))
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def _mark(event: Event) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def _measure(root: Node, where: SourceMap) -> None:
    """Refuse recursive aliases, alias expansion past MAX_ALIAS_NODES and depth past MAX_DEPTH.

    Sizes are memoised per node object, so shared (aliased) subtrees are counted by
    multiplication, never by expansion; the walk is iterative so depth cannot overflow.
    What aliases add is the expanded size less the nodes actually written.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    shared: dict[int, Node] = {}  # nodes reached more than once: the targets of aliases
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        ident = id(node)
        children = _children(node)
        if done:
            open_nodes.discard(ident)
            size[ident] = 1 + sum(size[id(c)] for c in children)
            depth[ident] = 1 + max((depth[id(c)] for c in children), default=0)
            if depth[ident] > MAX_DEPTH:
                raise _Refused(where.file_problem("嵌套层数过深；调研数据文件不应这样嵌套",
                                                  *_pos(node)))
            continue
        if ident in size:
            shared[ident] = node
            continue
        open_nodes.add(ident)
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise _Refused(where.file_problem(
                    "别名（*引用）引用了包含它自身的内容，形成循环；请去掉这个循环引用",
                    *_pos(child)))
            if id(child) in size:
                shared[id(child)] = child
            else:
                stack.append((child, False))
    if size[id(root)] - len(size) > MAX_ALIAS_NODES:
        # Point at the largest aliased content: in a "billion laughs" file, its top anchor.
        biggest = max(shared.values(), key=lambda n: (size[id(n)], -_pos(n)[0]))
        raise _Refused(where.file_problem(
            f"别名（*引用）展开后增加了超过 {MAX_ALIAS_NODES} 个节点；请减少别名的嵌套使用",
            *_pos(biggest)))


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _declared_units(data: dict[Any, Any]) -> tuple[str, ...]:
    """The units a file declares, for parsing its values (bad entries are reported later)."""
    units = data.get("units")
    found = []
    for unit in units if isinstance(units, list) else []:
        try:
            found.append(parse_unit_name(unit))
        except ValueFormatError:
            continue
    return tuple(found)


def _format1_sections(data: dict[Any, Any], where: SourceMap) -> list[Problem]:
    """In format 1, problems/causes/suggestions are lists (the mapping form is format 2)."""
    problems = []
    for section in ("problems", "causes", "suggestions"):
        if isinstance(data.get(section), dict):
            problems.append(where.problem((section,), "应为列表；请每项单独写一行，以“- ”开头"
                                                      "（intro/items/outro 的写法需要 schema: 2）"))
            data[section] = []
    return problems


def _internal_keys(data: dict[Any, Any], where: SourceMap) -> list[Problem]:
    """Keys the model fills itself (market_shares) are unknown when a file writes them."""
    problems = []
    for path, owner, kind in owners(data):
        if kind in ("cluster", "part") and "market_shares" in owner:
            del owner["market_shares"]
            problems.append(_unknown_key((*path, "market_shares"), where))
    return problems


def _pydantic_problem(error: Any, data: dict[Any, Any], where: SourceMap,
                      nulls: set[tuple[Any, ...]]) -> Problem | None:
    loc = tuple(error["loc"])
    # Pydantic marks an invalid dict key by appending "[key]" to its loc; a key that is
    # itself written "[key]" in the file must not be mistaken for that marker.
    parent = rules.get(data, loc[:-1])
    is_key = bool(loc) and loc[-1] == "[key]" and not (
        isinstance(parent, dict) and "[key]" in parent)
    path = loc[:-1] if is_key else loc
    kind = error["type"]
    if kind == PYDANTIC_ERROR_TYPE:
        message = error["ctx"]["text"] if error.get("ctx") else error["msg"]
        if is_key:
            message = f"键{message}"
        return where.problem(path, message, where.key_at(path) if is_key else None)
    if kind == "missing" and path in nulls:
        return where.problem(path, "没有填写值；这一项必须填写", where.key_at(path))
    if kind == "missing":
        parent = path[:-1]
        key = path[-1]
        return where.problem(path, f"缺少必填项“{key}”（{label_for(path)}）；请在这里添加 {key}: …",
                             where.mapping_at(parent))
    if kind == "extra_forbidden":
        return _unknown_key(path, where)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if model_at(path) is Findings:
            return where.problem(path, "应为列表；请每项单独写一行，以“- ”开头")
        if model_at(path) is Finding:
            # A finding may also be one sentence: say both ways of writing it.
            return where.problem(path, "应为映射（含 title: 等键）或一句文字（标题）；"
                                       "请写成“- 企业布局分散”这样的一句话")
        return where.problem(path, "应为映射（每行“键: 值”）；请按格式说明改写这一项")
    if kind == "literal_error":
        choices = "、".join(ANCHORS)
        return where.problem(path, f"{quote(rules.get(data, path))}不是可选的位置；"
                                   f"请写以下之一：{choices}")
    if kind in ("bool_type", "bool_parsing"):
        return where.problem(path, f"应为 true 或 false，实际是{quote(rules.get(data, path))}")
    if kind in ("tuple_type", "list_type", "iterable_type"):
        return where.problem(path, "应为列表；请每项单独写一行，以“- ”开头")
    if kind == "too_short":
        # Pydantic counts only the items that validated; an item that failed has its own
        # problem already, so only a list that is really too short is reported here.
        items = rules.get(data, path)
        if isinstance(items, list) and len(items) >= error["ctx"]["min_length"]:
            return None
        return where.problem(path, "至少需要一项；请至少填写一项", where.mapping_at(path))
    return where.problem(path, f"取值无效：{error['msg']}")


def _unknown_key(path: tuple[Any, ...], where: SourceMap) -> Problem:
    key = key_text(path[-1])
    choices = known_keys(path[:-1]) or []
    if not is_v2():  # a format-1 file is offered format-1 keys only
        parent = where.as_written(path[:-1])
        choices = [c for c in choices if since_version((*parent, c)) < 2]
    if key == "parts" and model_at(path[:-1]) is Part:
        return where.problem(path, "子产业下不能再分子产业（编号最多四级）；请改写成 topics "
                                   "或 description", where.key_at(path))
    guess = suggest(key, choices)
    hint = f"是不是要写“{guess}”？" if guess else f"这里可用的键有：{'、'.join(choices)}"
    return where.problem(path, f"未知的键“{key}”；{hint}", where.key_at(path))


def _validate(data: dict[Any, Any], nulls: set[tuple[Any, ...]], where: SourceMap,
              ) -> tuple[Survey | None, list[Problem]]:
    problems: list[Problem] = []
    for key in [k for k in data if k in _NOT_KEYS]:
        problems.append(_unknown_key((key,), where))
        del data[key]
    try:
        return Survey.model_validate(data), problems
    except ValidationError as exc:
        # Inputs are left out: a lone surrogate in one cannot even be encoded.
        for error in exc.errors(include_input=False, include_url=False):
            loc = tuple(error["loc"])
            # `schema` and history years are checked by the rules.
            if loc[:1] == ("schema",):
                continue
            if loc[-1:] == ("[key]",) and loc[-3:-2] == ("history",):
                continue
            problem = _pydantic_problem(error, data, where, nulls)
            if problem is not None:
                problems.append(problem)
        return None, problems


def _check(text_or_bytes: str | bytes, file: str) -> tuple[Survey | None, list[Problem]]:
    # ruamel warns about things YAML allows (an anchor name used twice: the later one wins);
    # printed, they would be a Python traceback-like text in the middle of staff messages.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        return _check_quietly(text_or_bytes, file)


def _convert(text_or_bytes: str | bytes, where: SourceMap,
             ) -> tuple[dict[Any, Any], _Converter] | Problem:
    """The file as plain data with positions, within every limit; or why it cannot be read."""
    yaml = YAML(typ="safe", pure=True)
    try:
        text = (_decode(text_or_bytes, where) if isinstance(text_or_bytes, bytes)
                else text_or_bytes)
        root = _compose(text, where, yaml)
        _measure(root, where)
    except _Refused as refused:
        return refused.problem
    if not isinstance(root, MappingNode):
        kind = "列表" if isinstance(root, SequenceNode) else f"单个值 {quote(root.value)}"
        return where.file_problem(
            f"文件的最外层应为映射，实际是{kind}；请按调研数据格式，从 region:、report:、"
            "clusters: 等键写起", *_pos(root))
    converter = _Converter(where, yaml)
    return converter.value(root, ()), converter


def _check_quietly(text_or_bytes: str | bytes, file: str,
                   ) -> tuple[Survey | None, list[Problem]]:
    where = SourceMap(file)
    converted = _convert(text_or_bytes, where)
    if isinstance(converted, Problem):
        return None, [converted]
    data, converter = converted
    return check_data(data, where, converter.problems, converter.nulls)


def check_data(data: dict[Any, Any], where: SourceMap, found_so_far: list[Problem],
               nulls: set[tuple[Any, ...]]) -> tuple[Survey | None, list[Problem]]:
    """Plain data with positions (from YAML or a workbook) → normalise → rules → model."""
    schema = schema_of(data)
    with survey_context(schema, _declared_units(data) if schema >= 2 else ()):
        problems = list(found_so_far)
        problems.extend(_internal_keys(data, where))
        refused = _format1_sections(data, where) if schema < 2 else []
        problems.extend(refused)
        normalise(data, where)
        problems.extend(rules.check(data, where))
        problems.extend(rules2.check(data, where, schema))
        strip_levels(data)
        survey, found = _validate(data, nulls, where)
    refused_paths = {p.path for p in refused}
    problems.extend(p for p in found if p.path not in refused_paths)
    return (survey if not problems else None), _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for problem in problems:
        if problem not in seen:
            seen.add(problem)
            out.append(problem)
    return sorted(out, key=lambda p: (p.line, p.col, p.path))


_SPECIAL_FILES = ((stat.S_ISFIFO, "命名管道（FIFO）"), (stat.S_ISCHR, "字符设备（如 /dev/zero）"),
                  (stat.S_ISBLK, "块设备"), (stat.S_ISSOCK, "套接字"))


def _read(path: str | Path) -> bytes | Problem:
    file = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return Problem(file, 1, 1, "", "", "这是一个符号链接，它指向的文件不存在；"
                                               "请检查链接，或直接给出文件")
        return Problem(file, 1, 1, "", "", "文件不存在；请检查文件名和路径")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Problem(file, 1, 1, "", "", "符号链接形成了循环（链接指向自己）；请检查链接")
        return Problem(file, 1, 1, "", "", f"无法读取文件（{os_reason(exc)}）")
    if stat.S_ISDIR(info.st_mode):
        return Problem(file, 1, 1, "", "", "这是一个文件夹，不是调研数据文件")
    for is_kind, kind in _SPECIAL_FILES:
        if is_kind(info.st_mode):
            # Reading a pipe or /dev/zero would wait or run for ever: say what it is instead.
            return Problem(file, 1, 1, "", "", f"这不是普通文件，而是{kind}；"
                                               "请选择 .yaml 调研数据文件")
    try:
        with open(path, "rb") as handle:
            # Read one byte past the limit: enough to know the file is too big.
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return Problem(file, 1, 1, "", "", "文件不存在；请检查文件名和路径")
    except IsADirectoryError:
        return Problem(file, 1, 1, "", "", "这是一个文件夹，不是调研数据文件")
    except OSError as exc:
        return Problem(file, 1, 1, "", "", f"无法读取文件（{os_reason(exc)}）")


def _is_workbook(path: str | Path) -> bool:
    """A fill-in workbook (survey.workbook) rather than a YAML file."""
    return Path(path).suffix.lower() == ".xlsx"


def read_survey_data(path: str | Path) -> dict[Any, Any] | None:
    """The plain data of a survey file, unvalidated, read within the loader's limits.

    For tools that need one value of a file that may be invalid (which template set it asks
    for); None when the file cannot be read as YAML at all.
    """
    if _is_workbook(path):
        from reportgen.survey.workbook import read_workbook_data
        return read_workbook_data(path)
    raw = _read(path)
    if isinstance(raw, Problem):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        converted = _convert(raw, SourceMap(str(path)))
    return None if isinstance(converted, Problem) else converted[0]


def check_survey(path: str | Path) -> list[Problem]:
    """Every problem in the survey file at `path` (empty when it is valid)."""
    if _is_workbook(path):
        from reportgen.survey.workbook import check_workbook
        return check_workbook(path)[1]
    raw = _read(path)
    if isinstance(raw, Problem):
        return [raw]
    return _check(raw, str(path))[1]


def load_survey(path: str | Path) -> Survey:
    """The survey at `path`; raises SurveyError listing every problem in the file."""
    if _is_workbook(path):
        from reportgen.survey.workbook import check_workbook
        survey, problems = check_workbook(path)
    else:
        raw = _read(path)
        if isinstance(raw, Problem):
            raise SurveyError(str(path), [raw])
        survey, problems = _check(raw, str(path))
    if survey is None or problems:
        raise SurveyError(str(path), problems)
    return survey.model_copy(update={"source": Path(path)})


def parse_survey_text(text: str, filename: str) -> Survey:
    """The survey in `text` (as if read from `filename`), for tests and previews."""
    survey, problems = _check(text, filename)
    if survey is None or problems:
        raise SurveyError(filename, problems)
    return survey.model_copy(update={"source": Path(filename)})


__all__ = ["check_survey", "load_survey", "parse_survey_text", "read_survey_data"]
