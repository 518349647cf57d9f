"""Key paths of a survey: how they are written, their Chinese names, where they are in the file.

A path is a tuple of mapping keys and list indexes, e.g. ('clusters', 0, 'output'), written
`clusters[0].output` in messages. `SourceMap` remembers the line and column (1-based) of
every key and value so that both the loader and the rules can locate what they report.
"""

from __future__ import annotations

import difflib
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from reportgen.errors import Problem

Path = tuple[Any, ...]

# The model is the one declaration of the format's keys and their Chinese labels (each
# field's `title`); this module only walks it. Imported late: the model imports the value
# parsers, which must not depend on this module.
# ("model", cls) | ("seq", item type) | ("map", value type) | ("leaf", None)
_Node = tuple[str, Any]


def _node(annotation: Any) -> _Node:
    """What a field annotation holds: a model, a list, a free mapping, or a plain value."""
    from pydantic import BaseModel

    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in args if _node(a)[0] != "leaf"]
            annotation = (models or args)[0]
            continue
        break
    if origin is tuple:
        return ("seq", typing.get_args(annotation)[0])
    if origin is dict:
        return ("map", typing.get_args(annotation)[1])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    return ("leaf", None)


def _fields(model: Any, internal: bool = False) -> dict[str, Any]:
    """A model's file keys → pydantic FieldInfo (aliases used; internal fields only if asked)."""
    out = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if name == "source" or (extra.get("internal") and not internal):
            continue
        out[info.alias or name] = info
    return out


@functools.lru_cache(maxsize=4096)
def _resolve(pattern: Path) -> tuple[_Node, str, int]:
    """The node at a key pattern, the label it carries, and the format version it needs."""
    from reportgen.survey.model import Finding, Findings, Survey

    node: _Node = ("model", Survey)
    title = ""
    since = 1
    for part in pattern:
        kind, target = node
        if kind == "model" and target is Findings and part == "*":
            node = ("model", Finding)  # the list form of problems / causes / suggestions
        elif kind == "model":
            info = _fields(target, internal=True).get(part)
            if info is None:
                return ("leaf", None), title, since
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            since = max(since, int(extra.get("since", 1)))
            title = info.title or title
            node = _node(info.annotation)
        elif kind in ("seq", "map"):
            node = _node(target)
        else:
            return ("leaf", None), title, since
    return node, title, since


def _pattern(path: Path) -> Path:
    """The path with list indexes and free mapping keys replaced by `*`."""
    out: list[Any] = []
    for part in path:
        (kind, _), _, _ = _resolve(tuple(out))
        out.append(part if kind == "model" and isinstance(part, str) else "*")
    return tuple(out)


def known_keys(path: Path) -> list[str] | None:
    """The keys the mapping at `path` may hold, or None if its keys are free (honors…)."""
    (kind, target), _, _ = _resolve(_pattern(path))
    return list(_fields(target)) if kind == "model" else None


def label_for(path: Path) -> str:
    """The Chinese name of the value at `path` ('' for the whole file)."""
    return _resolve(_pattern(path))[1] if path else ""


def model_at(path: Path) -> Any:
    """The model class of the mapping at `path` (None for lists and plain values)."""
    (kind, target), _, _ = _resolve(_pattern(path))
    return target if kind == "model" else None


def since_version(path: Path) -> int:
    """The format version a key first appears in (2 for `overview`, `clusters[0].rank` …)."""
    return _resolve(_pattern(path))[2]


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
    # Paths the loader rewrote into another form (the list form of findings gets an `items`
    # level, mapping-form indicators become a list): where to report them, as written.
    renames: dict[Path, Path] = field(default_factory=dict)
    # Number scalars as written (1.50 stays 1.50 in a staff table's cell).
    raw_numbers: dict[Path, str] = field(default_factory=dict)

    def as_written(self, path: Path) -> Path:
        """`path` of the normalised data → the path as the file writes it."""
        for i in range(len(path), 0, -1):
            renamed = self.renames.get(path[:i])
            if renamed is not None:
                return renamed + path[i:]
        return path

    def value_at(self, path: Path) -> tuple[int, int]:
        """Position of the value at `path`, or of the nearest enclosing one that is known."""
        path = self.as_written(path)
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def key_at(self, path: Path) -> tuple[int, int]:
        """Position of the key naming `path` (its value's position for list items)."""
        path = self.as_written(path)
        return self.keys[path] if path in self.keys else self.value_at(path)

    def mapping_at(self, path: Path) -> tuple[int, int]:
        """Where a mapping is introduced: its key's line if it has one, else its start."""
        return self.key_at(path)

    def problem(self, path: Path, message: str, where: tuple[int, int] | None = None,
                ) -> Problem:
        line, col = where if where is not None else self.value_at(path)
        label = label_for(path)
        path = self.as_written(path)
        return Problem(self.file, line, col, format_path(path, self.sequences), label, message)

    def labelled_problem(self, path: Path, label: str, message: str) -> Problem:
        """A problem whose label is not the key's own (a table cell is named by its column)."""
        line, col = self.value_at(path)
        written = self.as_written(path)
        return Problem(self.file, line, col, format_path(written, self.sequences), label,
                       message)

    def file_problem(self, message: str, line: int = 1, col: int = 1) -> Problem:
        return Problem(self.file, line, col, "", "", message)
