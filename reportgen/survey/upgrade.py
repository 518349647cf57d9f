"""Rewriting a format-1 survey file as format 2 (`reportgen upgrade`).

Staff wrote these files by hand, with their own comments, key order and line layout, so the
upgrade is a text edit located by the positions of the YAML nodes, never a dump: everything
that does not have to change stays byte for byte (ruamel's round-trip dumper would reflow
lists and requote strings). What has to change:

- `schema: 2` (an existing `schema: 1` has just its value replaced; otherwise the key is
  inserted as the first key, after the file's leading comment block);
- text that format 1 accepted on several lines but format 2 wants on one (a name, title,
  list item, every text but intro/detail/description): the lines are joined the way format 1
  printed them, a break dropped next to CJK characters and a space otherwise;
- blank lines inside intro/detail/description: in format 1 they meant nothing, in format 2
  they start a new paragraph, so they are removed to keep the report the same.

Every edit is checked by composing the result again: the node tree must be the original one
with only the intended values changed (and those printing the same); a value that the small
edit did not fix is rewritten more firmly (a folded block becomes literal, then one line).
"""

from __future__ import annotations

import contextlib
import json
import re
import stat
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError, YAMLFutureWarning, YAMLWarning
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tokens import ScalarToken

from reportgen.errors import OutputError, Problem, SurveyError, os_reason
from reportgen.files import atomic_write
from reportgen.survey.labels import format_path, label_for
from reportgen.survey.loader import MAX_BYTES, MAX_DEPTH, MAX_NODES
from reportgen.survey.values import ValueFormatError, clean_text, parse_int

__all__ = ["Change", "Upgrade", "plan_upgrade", "upgrade_file", "upgrade_text"]

_TAG = "tag:yaml.org,2002:"
_BOM = "\ufeff"
# What ruamel's scanner takes as a line break (YAML 1.1 leftovers included): a value holding
# any of them would still be on several lines.
_BREAK_CHARS = "\n\r\x85\u2028\u2029"
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_BREAK_RUN = re.compile(rf"[ \t]*[{_BREAK_CHARS}][\s]*")
_BLANK_LINE = re.compile(rf"[{_BREAK_CHARS}][ \t]*[{_BREAK_CHARS}]")
# The characters next to which format 1 printed no space for a line break: the same class as
# reportgen.document.html_parser (templates' white space is normalised that way).
_CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef\u2014\u2018-\u201d"
                  r"\u2026]")
_SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK.pattern})\s+|\s+(?={_CJK.pattern})")
_SPACES = re.compile(r"\s+")
_FINDING_SECTIONS = ("problems", "causes", "suggestions")
# A plain scalar may not start with these (they are YAML indicators).
_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
_SCHEMA_LABEL = label_for(("schema",))


@dataclass(frozen=True)
class Change:
    """One edit the upgrade makes, located in the original file (1-based line and column)."""

    file: str
    line: int
    col: int
    path: str
    label: str
    message: str

    def __str__(self) -> str:
        key = f"{self.path} ({self.label})" if self.label else self.path
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"


@dataclass(frozen=True)
class Upgrade:
    """What upgrading one file gives: the new text and the edits that made it."""

    file: str
    original: str
    text: str
    changes: tuple[Change, ...] = ()
    already: bool = False  # the file already says schema: 2 (nothing was done)

    @property
    def changed(self) -> bool:
        return self.text != self.original


# --- public entry points -------------------------------------------------------------------

def upgrade_text(text: str, file: str) -> str:
    """The format-2 version of the format-1 survey `text` (SurveyError if it is not valid)."""
    return plan_upgrade(text, file).text


def plan_upgrade(text: str, file: str, *, validated: bool = False) -> Upgrade:
    """The upgrade of `text` (read from `file`, for messages), with the list of its edits.

    A file already at schema 2 is returned unchanged with `already` set. Anything else must
    be a valid format-1 survey (checked here unless `validated`), else SurveyError.
    """
    body = text.removeprefix(_BOM)
    if _declared_schema(body) == 2:
        return Upgrade(file, text, text, already=True)
    if not validated:
        _validate_format1(text, file)
    # Composed only now: the loader's limits (size, nesting, aliases) have let it through.
    root = _quiet_compose(body)
    if not isinstance(root, MappingNode):  # pragma: no cover - validation refused it
        raise SurveyError(file, [Problem(file, 1, 1, "", "", "文件的最外层应为映射")])
    planner = _Planner(body, file, root)
    new_body, changes = planner.run()
    bom = _BOM if text.startswith(_BOM) else ""
    return Upgrade(file, text, bom + new_body, tuple(changes))


def upgrade_file(path: str | Path, out: str | Path | None = None, *, write: bool = True,
                 ) -> Upgrade:
    """Upgrade the survey file at `path`, writing the result to `out` (default: in place).

    Refuses (SurveyError, nothing written) a file that is not valid format 1, or whose result
    the format-2 loader refuses. The file is replaced atomically (a temporary file in the same
    folder, then os.replace) and keeps its permission bits. With `write=False` nothing is
    written (the `--check` of the command).
    """
    file = str(path)
    raw = _read_bytes(path)
    text = _decode(raw) if len(raw) <= MAX_BYTES else None
    if text is None or _declared_schema(text.removeprefix(_BOM)) != 2:
        # check_survey reads the file itself: unreadable, too big, not UTF-8 … all say why.
        from reportgen.survey import check_survey

        problems = check_survey(path)
        if problems:
            raise SurveyError(file, problems)
    assert text is not None  # check_survey refuses every file that does not decode
    upgrade = plan_upgrade(text, file, validated=True)
    if upgrade.changed:
        _verify_format2(upgrade)
    if write and (upgrade.changed or (out is not None and Path(out) != Path(path))):
        target = Path(out) if out is not None else Path(path)
        if target.is_symlink():
            target = target.resolve()  # rewrite the file the link points to, keep the link
        _write_atomically(target, upgrade.text.encode("utf-8"), _mode_of(Path(path)))
    return upgrade


# --- reading and writing -------------------------------------------------------------------

def _read_bytes(path: str | Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            # One byte past the limit is enough to know the loader will refuse the file.
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        problem = "文件不存在；请检查文件名和路径"
    except IsADirectoryError:
        problem = "这是一个文件夹，不是调研数据文件"
    except OSError as exc:
        problem = f"无法读取文件（{os_reason(exc)}）"
    raise SurveyError(str(path), [Problem(str(path), 1, 1, "", "", problem)])


def _decode(raw: bytes) -> str | None:
    try:
        # Not str.splitlines/universal newlines: CRLF files must stay CRLF.
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def _write_atomically(target: Path, data: bytes, mode: int | None) -> None:
    """Replace `target` only once the new content is complete on disk.

    The survey keeps the permissions it had (an -o target that does not exist yet gets
    those of the source).
    """
    try:
        atomic_write(target, data, mode if mode is not None else _mode_of(target))
    except OSError as exc:
        raise _write_error(target, exc) from exc


def _write_error(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"无法写入 {target}（{os_reason(exc)}）；原文件未改动")


# --- validation ----------------------------------------------------------------------------

def _validate_format1(text: str, file: str) -> None:
    from reportgen.survey import parse_survey_text

    parse_survey_text(text, file)  # raises SurveyError listing every problem


def _verify_format2(upgrade: Upgrade) -> None:
    """The result must load as format 2; a refusal here is reported, nothing is written."""
    from reportgen.survey import parse_survey_text

    try:
        parse_survey_text(upgrade.text, upgrade.file)
    except SurveyError as exc:
        raise SurveyError(upgrade.file, [
            Problem(p.file, p.line, p.col, p.path, p.label,
                    f"升级后的文件不能通过第 2 版格式检查：{p.message}（行号指升级后的内容）")
            for p in exc.problems]) from exc


def _quiet_compose(text: str) -> Node | None:
    # ruamel warns about things YAML allows (a reused anchor name); staff need not see that.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        try:
            return YAML(typ="safe", pure=True).compose(text)
        except (YAMLError, RecursionError, ValueError):
            return None


def _scalar_tokens(text: str) -> dict[int, ScalarToken]:
    """Scalar tokens by their end index: a node's end mark is its token's, but the node's start
    mark is that of its anchor or tag, which an edit must keep."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        return {t.end_mark.index: t for t in YAML(typ="safe", pure=True).scan(text)
                if isinstance(t, ScalarToken)}


def _declared_schema(text: str) -> int | None:
    """The value of the top-level `schema:` key, or None.

    Read from the event stream with the loader's limits, because this runs before the file
    is validated: composing a hostile file (deep flow nesting) first could take minutes. The
    whole stream is read, so a broken file is never taken for one already at schema 2.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    depth = nodes = top_nodes = 0
    schema_next = False
    found: int | None = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        try:
            for event in YAML(typ="safe", pure=True).parse(text):
                if isinstance(event, CollectionEndEvent):
                    depth -= 1
                    continue
                if not isinstance(event, CollectionStartEvent | ScalarEvent | AliasEvent):
                    continue
                nodes += 1
                if nodes > MAX_NODES:
                    return None
                if depth == 0 and not isinstance(event, MappingStartEvent):
                    return None  # not a mapping at the top: no schema key
                if depth == 1:
                    # Nodes of the top mapping alternate: key, value, key, value …
                    if schema_next and isinstance(event, ScalarEvent) and found is None:
                        found = _as_int(event.value)
                    is_key = top_nodes % 2 == 0
                    top_nodes += 1
                    schema_next = (is_key and isinstance(event, ScalarEvent)
                                   and event.value == "schema")
                if isinstance(event, CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        return None
        except (YAMLError, RecursionError, ValueError):
            return None  # not even YAML: the loader says what is wrong
    return found


def _as_int(value: str) -> int | None:
    """The schema number as the loader reads it (`2`, `"2"`, `２`, and `2.0` as a float)."""
    try:
        return parse_int(value)
    except ValueFormatError:
        pass
    try:
        number = float(value)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


# --- text helpers --------------------------------------------------------------------------

def _is_cjk(char: str) -> bool:
    return bool(char) and _CJK.match(char) is not None


def _join(pieces: list[str]) -> str:
    """Lines joined as format 1 printed them: nothing next to CJK, else one space."""
    out = ""
    for piece in pieces:
        if out and not (_is_cjk(out[-1]) or _is_cjk(piece[0])):
            out += " "
        out += piece
    return out


def join_value(value: str) -> str:
    """`value` on one line: each run of white space holding a line break joined by `_join`."""
    text = value.strip()

    def joined(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return "" if _is_cjk(before) or _is_cjk(after) else " "

    return _BREAK_RUN.sub(joined, text)


def _printed(value: str) -> str:
    """What format 1 printed for a text: white space normalised as the HTML parser does."""
    return _SPACES.sub(" ", _SPACE_NEAR_CJK.sub("", value)).strip()


def _has_break(value: str) -> bool:
    return any(c in value for c in _BREAK_CHARS)


def _has_paragraph_break(node: ScalarNode) -> bool:
    """Whether format 2 could read a new paragraph in this value.

    In a literal block only a blank line is one; in every other style a line break left in
    the value came from a blank line (or an escape), so any break counts.
    """
    value = node.value.strip()
    if node.style == "|":
        return _BLANK_LINE.search(value) is not None
    return _has_break(value)


def _plain_ok(text: str, in_flow: bool) -> bool:
    """Whether `text` can be written as a plain scalar and read back as the same string."""
    if not text or text != text.strip() or "\t" in text or _has_break(text):
        return False
    if text[0] in _INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return False
    if in_flow and any(c in text for c in ",[]{}"):
        return False
    node = _quiet_compose(f"[{text}]" if in_flow else text)
    if in_flow:
        if not isinstance(node, SequenceNode) or len(node.value) != 1:
            return False
        node = node.value[0]
    return (isinstance(node, ScalarNode) and node.tag == f"{_TAG}str"
            and node.value == text and node.style is None)


def _single_line(text: str, in_flow: bool) -> str:
    if _plain_ok(text, in_flow):
        return text
    # JSON strings are YAML double-quoted scalars; non-ASCII stays readable.
    return json.dumps(text, ensure_ascii=False)


# --- the planner -------------------------------------------------------------------------

# Levels of rewriting a value, tried in this order until the result is right.
_JOIN_SOURCE, _JOIN_VALUE = "join-source", "join-value"  # names, titles, list items
_DROP_BLANKS, _LITERAL, _ONE_LINE = "drop-blanks", "literal", "one-line"  # paragraph texts
_NEXT = {_JOIN_SOURCE: _JOIN_VALUE, _DROP_BLANKS: _LITERAL, _LITERAL: _ONE_LINE}
_ONE_LINE_LEVELS = (_JOIN_SOURCE, _JOIN_VALUE, _ONE_LINE)

Edit = tuple[int, int, str]  # replace text[start:end] by the string


@dataclass
class _Target:
    """A scalar that must change, where it is, and how firmly it is being rewritten."""

    node: ScalarNode
    token: ScalarToken
    path: tuple[Any, ...]
    paragraph: bool
    in_flow: bool
    level: str
    override: str | None = None  # the exact text to write (a reference to a renamed cluster)


@dataclass
class _Use:
    """Where one scalar node is used: an aliased value may be used at several paths."""

    node: ScalarNode
    paths: list[tuple[Any, ...]] = field(default_factory=list)
    in_flow: bool = False


@dataclass
class _Planner:
    text: str
    file: str
    root: MappingNode
    sequences: set[tuple[Any, ...]] = field(default_factory=set)
    # Findings' `clusters` entries: (node, path, in flow context).
    references: list[tuple[ScalarNode, tuple[Any, ...], bool]] = field(default_factory=list)
    eol: str = "\n"

    def run(self) -> tuple[str, list[Change]]:
        self.eol = _first_line_break(self.text)
        tokens = _scalar_tokens(self.text)
        own = self._targets(tokens)
        schema_edit, schema_change = self._schema_edit(tokens)
        for _ in range(len(_NEXT) + 1):
            targets = own + self._reference_targets(own, tokens)
            edits = [schema_edit]
            changes = [schema_change]
            for target in sorted(targets, key=lambda t: t.token.start_mark.index):
                edit, message = self._rewrite(target)
                edits.append(edit)
                changes.append(self._change(target, message))
            new_text = _apply(self.text, edits)
            failed = self._check(new_text, targets)
            if not failed:
                return new_text, sorted(changes, key=lambda c: (c.line, c.col))
            for target in failed:
                if target.override is not None or target.level not in _NEXT:
                    raise self._unsafe(target, "改写后的文字与原来不一致")
                target.level = _NEXT[target.level]
        raise self._unsafe(None, "改写没有收敛")  # pragma: no cover - levels are finite

    def _reference_targets(self, own: list[_Target], tokens: dict[int, ScalarToken],
                           ) -> list[_Target]:
        """Findings' `clusters` entries that must follow a cluster name written anew.

        Format 1 matched an entry to a name after trimming; joining a name's lines can change
        it (`纺织\n  服装业` read as 纺织 服装业 becomes 纺织服装业), so entries that named it
        are rewritten to the new name, or format 2 would find no such cluster.
        """
        renamed: dict[str, str] = {}
        for target in own:
            target.override = None
            if _is_cluster_name(target.path) and target.level in _ONE_LINE_LEVELS:
                old = _cleaned(target.node.value)
                if old is not None:
                    renamed[old] = self._one_line_value(target)
        if not renamed:
            return []
        by_node = {id(t.node): t for t in own}
        extra: list[_Target] = []
        for node, path, in_flow in self.references:
            name = _cleaned(node.value)
            if name not in renamed:
                continue
            new_name = renamed[name]
            referenced = by_node.get(id(node))
            if referenced is not None:
                if self._one_line_value(referenced) != new_name:
                    referenced.override = new_name
            elif node.value != new_name and id(node) not in {id(t.node) for t in extra}:
                token = tokens.get(node.end_mark.index)
                if token is not None:
                    extra.append(_Target(node, token, path, False, in_flow, _JOIN_SOURCE,
                                         override=new_name))
        return extra

    # which values must change ----------------------------------------------------------
    def _targets(self, tokens: dict[int, ScalarToken]) -> list[_Target]:
        uses: dict[int, _Use] = {}
        for node, path, in_flow in self._walk(self.root, (), False, set()):
            if path == ("schema",) or node.tag == f"{_TAG}null":
                continue
            if _is_reference(path):
                self.references.append((node, path, in_flow))
            use = uses.setdefault(id(node), _Use(node))
            use.paths.append(path)
            use.in_flow = use.in_flow or in_flow
        targets = []
        for use in uses.values():
            token = tokens.get(use.node.end_mark.index)
            if token is None:  # pragma: no cover - every written scalar has a token
                continue
            names = [p for p in use.paths if not _is_paragraph(p)]
            # A value used as a name anywhere must be one line: that suits a paragraph too.
            if names:
                if self._multi_line(use.node, token):
                    targets.append(_Target(use.node, token, names[0], False, use.in_flow,
                                           _JOIN_SOURCE))
            elif _has_paragraph_break(use.node):
                targets.append(_Target(use.node, token, use.paths[0], True, use.in_flow,
                                       _DROP_BLANKS))
        return sorted(targets, key=lambda t: t.token.start_mark.index)

    def _multi_line(self, node: ScalarNode, token: ScalarToken) -> bool:
        if _has_break(node.value.strip()):
            return True
        span = self.text[token.start_mark.index:token.end_mark.index]
        if node.style in ("|", ">"):
            return len(_content_lines(span)[1]) > 1
        return _has_break(span)

    def _walk(self, node: Node, path: tuple[Any, ...], in_flow: bool,
              seen: set[tuple[int, tuple[Any, ...]]],
              ) -> Iterator[tuple[ScalarNode, tuple[Any, ...], bool]]:
        """Every scalar (keys included) with its key path, through aliases and merges."""
        if (id(node), path) in seen:
            return
        seen.add((id(node), path))
        if isinstance(node, ScalarNode):
            yield node, path, in_flow
        elif isinstance(node, SequenceNode):
            self.sequences.add(path)
            flow = in_flow or bool(node.flow_style)
            for i, item in enumerate(node.value):
                yield from self._walk(item, (*path, i), flow, seen)
        elif isinstance(node, MappingNode):
            flow = in_flow or bool(node.flow_style)
            for key, value in _pairs(node):
                if not isinstance(key, ScalarNode):
                    continue
                child = (*path, _key_of(key))
                yield key, child, flow
                yield from self._walk(value, child, flow, seen)

    # the edits --------------------------------------------------------------------------
    def _change(self, target: _Target, message: str) -> Change:
        mark = target.node.start_mark
        return Change(self.file, mark.line + 1, mark.column + 1,
                      format_path(target.path, self.sequences), label_for(target.path), message)

    def _schema_change(self, node: Node, message: str, line: int | None = None) -> Change:
        mark = node.start_mark
        if line is not None:
            return Change(self.file, line + 1, 1, "schema", _SCHEMA_LABEL, message)
        return Change(self.file, mark.line + 1, mark.column + 1, "schema", _SCHEMA_LABEL,
                      message)

    def _schema_edit(self, tokens: dict[int, ScalarToken]) -> tuple[Edit, Change]:
        for key, value in self.root.value:
            if not (isinstance(key, ScalarNode) and key.value == "schema"):
                continue
            token = tokens.get(value.end_mark.index) if isinstance(value, ScalarNode) else None
            if token is not None:
                start, end = token.start_mark.index, token.end_mark.index
                old = self.text[start:end]
                return (start, end, "2"), self._schema_change(
                    value, f"schema: {old} 改为 schema: 2")
            # `schema:` left empty: write the value after the colon.
            colon = self.text.index(":", key.end_mark.index)
            return (colon + 1, colon + 1, " 2"), self._schema_change(key, "填写 schema: 2")
        return self._schema_insert()

    def _schema_insert(self) -> tuple[Edit, Change]:
        first = self.root.value[0][0]
        if self.root.flow_style:
            at = first.start_mark.index
            return (at, at, "schema: 2, "), self._schema_change(first, "添加 schema: 2")
        lines = _lines(self.text)
        key_line = first.start_mark.line
        current = lines[key_line]
        if current.lstrip().startswith("---"):
            # The mapping starts on the `---` line itself: put the key right before it.
            at = first.start_mark.index
            written = f"schema: 2{self.eol}{' ' * first.start_mark.column}"
            return (at, at, written), self._schema_change(first, "添加 schema: 2")
        indent = current[:len(current) - len(current.lstrip(" "))]
        line = _insert_line(lines, key_line)
        at = sum(len(text) for text in lines[:line])
        return (at, at, f"{indent}schema: 2{self.eol}"), self._schema_change(
            first, f"在第 {line + 1} 行前添加 schema: 2", line)

    def _rewrite(self, target: _Target) -> tuple[Edit, str]:
        token = target.token
        start, end = token.start_mark.index, token.end_mark.index
        span = self.text[start:end]
        block = target.node.style in ("|", ">")
        if target.level in _ONE_LINE_LEVELS:
            joined = self._one_line_value(target)
            written = _single_line(joined, target.in_flow)
            if block:
                written = _block_as_line(span, written)
            if target.override is not None:
                message = f"所指的集群名称改写为一行，这里随之改为：{_shown(joined)}"
            elif target.paragraph:
                message = f"第 2 版中这里的换行表示另起一段，改写为一行：{_shown(joined)}"
            else:
                message = f"第 2 版中这里不能换行，多行文字改写为一行：{_shown(joined)}"
            return (start, end, written), message
        # Paragraph text: drop its blank lines, keeping everything else where it is.
        new_span, dropped = _drop_blank_lines(span, block)
        done = [f"删去 {dropped} 个空行"] if dropped else []
        if target.level == _LITERAL and target.node.style == ">":
            # A folded block keeps a break before a more-indented line, which format 2 would
            # read as a paragraph; a literal block's single breaks are joined like format 1.
            new_span = "|" + new_span[1:]
            done.append("把 > 改为 |")
        message = f"{'，'.join(done)}（第 1 版中空行不起作用，第 2 版中空行表示另起一段）"
        return (start, end, new_span), message

    def _one_line_value(self, target: _Target) -> str:
        if target.override is not None:
            return target.override
        if target.level == _JOIN_SOURCE:
            token = target.token
            span = self.text[token.start_mark.index:token.end_mark.index]
            joined = _join_source(span, target.node.style)
            # Escapes or an unusual layout: fall back to joining the value as YAML read it.
            if joined is not None and _printed(joined) == _printed(target.node.value):
                return joined
        return join_value(target.node.value)

    # checking the result ----------------------------------------------------------------
    def _check(self, new_text: str, targets: list[_Target]) -> list[_Target]:
        """Targets whose new value is not right yet; SurveyError if anything else moved."""
        new_root = _quiet_compose(new_text)
        if not isinstance(new_root, MappingNode):
            raise self._unsafe(None, "改写后不是有效的 YAML")
        by_old: dict[int, Node] = {}
        edited = {id(t.node) for t in targets}
        self._pair_up(self.root, new_root, by_old, edited, set(), top=True)
        failed = []
        for target in targets:
            new = by_old.get(id(target.node))
            if not isinstance(new, ScalarNode) or new.tag != target.node.tag:
                raise self._unsafe(target, "改写后值的类型变了")
            if target.override is not None:
                if new.value != target.override:
                    failed.append(target)
            elif _printed(new.value) != _printed(target.node.value):
                failed.append(target)
            elif target.level in _ONE_LINE_LEVELS:
                if _has_break(new.value.strip()):
                    failed.append(target)
            elif _has_paragraph_break(new):
                failed.append(target)
        return failed

    def _pair_up(self, old: Node, new: Node, by_old: dict[int, Node], edited: set[int],
                 seen: set[int], *, top: bool) -> None:
        """Walk the old and new trees together: they must match but for the edited values."""
        if id(old) in seen:
            return
        seen.add(id(old))
        by_old[id(old)] = new
        line = old.start_mark.line + 1
        if type(old) is not type(new) or old.tag != new.tag:
            raise self._unsafe(None, f"第 {line} 行的内容改变了")
        if isinstance(old, ScalarNode):
            if id(old) not in edited and old.value != new.value:
                raise self._unsafe(None, f"第 {line} 行的值改变了")
            return
        if isinstance(old, SequenceNode):
            if len(new.value) != len(old.value):
                raise self._unsafe(None, f"第 {line} 行的列表改变了")
            for old_item, new_item in zip(old.value, new.value, strict=True):
                self._pair_up(old_item, new_item, by_old, edited, seen, top=False)
            return
        new_pairs = list(new.value)
        schema_at = [i for i, (k, _) in enumerate(old.value)
                     if top and isinstance(k, ScalarNode) and k.value == "schema"]
        if top and not schema_at:
            # The upgrade adds schema: 2 as the first key when the file had none.
            key, value = new_pairs.pop(0)
            if not (isinstance(key, ScalarNode) and key.value == "schema"
                    and isinstance(value, ScalarNode) and value.value == "2"):
                raise self._unsafe(None, "没能添加 schema: 2")
        if len(new_pairs) != len(old.value):
            raise self._unsafe(None, f"第 {line} 行的映射改变了")
        for i, ((old_key, old_value), (new_key, new_value)) in enumerate(
                zip(old.value, new_pairs, strict=True)):
            self._pair_up(old_key, new_key, by_old, edited, seen, top=False)
            if i in schema_at:
                if not (isinstance(new_value, ScalarNode) and new_value.value == "2"):
                    raise self._unsafe(None, "没能改为 schema: 2")
                continue
            self._pair_up(old_value, new_value, by_old, edited, seen, top=False)

    def _unsafe(self, target: _Target | None, what: str) -> SurveyError:
        # Not expected for any valid format-1 file; if it happens, staff get a located
        # message and the file stays as it was, never a half-right rewrite.
        if target is None:
            problem = Problem(self.file, 1, 1, "", "", f"无法自动升级（{what}）；请手动修改后再试")
        else:
            mark = target.node.start_mark
            problem = Problem(self.file, mark.line + 1, mark.column + 1,
                              format_path(target.path, self.sequences), label_for(target.path),
                              f"无法自动升级（{what}）；请手动修改这里后再试")
        return SurveyError(self.file, [problem])


# --- small pieces --------------------------------------------------------------------------

def _is_paragraph(path: tuple[Any, ...]) -> bool:
    """intro, description and detail: the format-1 texts that hold paragraphs in format 2."""
    if path == ("report", "intro"):
        return True
    if len(path) == 3 and path[0] == "clusters" and path[2] == "description":
        return True
    return len(path) == 3 and path[0] in _FINDING_SECTIONS and path[2] == "detail"


def _is_cluster_name(path: tuple[Any, ...]) -> bool:
    return len(path) == 3 and path[0] == "clusters" and path[2] == "name"


def _is_reference(path: tuple[Any, ...]) -> bool:
    """A finding's `clusters` entry: it names a cluster of the file."""
    return len(path) == 4 and path[0] in _FINDING_SECTIONS and path[2] == "clusters"


def _cleaned(value: str) -> str | None:
    """A name as format 1 compared it (trimmed, full-width letters folded)."""
    try:
        return clean_text(value)
    except ValueFormatError:
        return None


def _key_of(key: ScalarNode) -> Any:
    if key.tag == f"{_TAG}int":
        with contextlib.suppress(ValueError):
            return int(key.value)
    return key.value


def _pairs(node: MappingNode) -> Iterator[tuple[Node, Node]]:
    """A mapping's own pairs and those merged into it with `<<: *alias`."""
    for key, value in node.value:
        if key.tag != f"{_TAG}merge":
            yield key, value
            continue
        for source in value.value if isinstance(value, SequenceNode) else [value]:
            if isinstance(source, MappingNode):
                yield from _pairs(source)


def _first_line_break(text: str) -> str:
    match = _LINE_BREAK.search(text)
    return match.group() if match and match.group() in ("\r\n", "\r", "\n") else "\n"


def _line_ending(line: str) -> str:
    match = _LINE_BREAK.search(line)
    return match.group() if match else ""


def _is_blank(line: str) -> bool:
    # Only YAML white space: str.strip() would also take U+3000, which YAML reads as text.
    return not line.strip(" \t" + _BREAK_CHARS)


def _lines(text: str) -> list[str]:
    """`text` split after each line break as ruamel counts them (CR, LF, CRLF, NEL, LS, PS)."""
    lines = []
    last = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[last:match.end()])
        last = match.end()
    if last < len(text):
        lines.append(text[last:])
    return lines


def _content_lines(span: str) -> tuple[str, list[str]]:
    """A block scalar's header (through its line break) and its non-blank content lines."""
    match = _LINE_BREAK.search(span)
    if match is None:
        return span, []
    header = span[:match.end()]
    lines = [line for line in _LINE_BREAK.split(span[match.end():]) if not _is_blank(line)]
    return header, lines


def _block_as_line(span: str, written: str) -> str:
    """A block scalar replaced by a one-line scalar, keeping the comment on its header line
    and the blank lines after its text (they are layout, between this key and the next)."""
    header = _content_lines(span)[0]
    indicator = re.match(r"[|>][-+0-9]*", header)
    rest = header[indicator.end():] if indicator else ""
    lines = _lines(span[len(header):])
    last = max((i for i, line in enumerate(lines) if not _is_blank(line)), default=-1)
    ending = _line_ending(lines[last]) if last >= 0 else _line_ending(header)
    return f"{written}{_LINE_BREAK.sub('', rest)}{ending}{''.join(lines[last + 1:])}"


def _join_source(span: str, style: str | None) -> str | None:
    """The scalar's lines, as written, joined by `_join` (None for escapes: see join_value)."""
    if style in ("|", ">"):
        pieces = [line.strip(" \t") for line in _content_lines(span)[1]]
    else:
        if style == '"' and "\\" in span:
            return None
        inner = span[1:-1] if style in ("'", '"') else span
        pieces = [line.strip(" \t") for line in _LINE_BREAK.split(inner)]
        if style == "'":
            pieces = [piece.replace("''", "'") for piece in pieces]
    pieces = [piece for piece in pieces if piece]
    return _join(pieces) if pieces else None


def _drop_blank_lines(span: str, block: bool) -> tuple[str, int]:
    """`span` without the blank lines inside its text (a block's trailing ones are layout)."""
    lines = _lines(span)
    # Line 0 holds the opening quote, the first plain line or a block's header.
    content = [i for i, line in enumerate(lines) if i > 0 and not _is_blank(line)]
    if block:
        if not content:
            return span, 0
        keep_until = content[-1]
        drop = {i for i in range(1, keep_until) if _is_blank(lines[i])}
    else:
        drop = {i for i in range(1, len(lines) - 1) if _is_blank(lines[i])}
    return "".join(line for i, line in enumerate(lines) if i not in drop), len(drop)


def _insert_line(lines: list[str], key_line: int) -> int:
    """Where `schema: 2` goes: after the directives/`---` and the leading comment block."""
    floor = 0
    for i in range(key_line):
        stripped = lines[i].lstrip(" \t")
        if not _is_blank(stripped) and not stripped.startswith("#"):
            floor = i + 1  # a directive, `---` or the root's anchor/tag: schema comes after
    line = floor
    while line < key_line and lines[line].lstrip(" \t").startswith("#"):
        line += 1
    return line


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    out = []
    last = 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def _shown(text: str, limit: int = 40) -> str:
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"
