"""Turn the forms a survey may be written in into the one form the model reads.

Staff may write a finding as one sentence, a section of findings as a list or as
{intro, items, outro}, indicators as a list or as a mapping name → value, a market share as a
percent or as a list of shares. The model has one shape for each; this module rewrites the
raw data into it and records in the SourceMap where each rewritten path was written, so that
messages still name the path as the file writes it (`problems[0].title`,
`clusters[1].indicators.年产强化木地板`).

It also walks the survey's owners (clusters, parts, findings, sections, overview) for the
rules, which need the same walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reportgen.survey.labels import SourceMap
from reportgen.survey.values import ValueFormatError, parse_int

Path = tuple[Any, ...]
FINDING_SECTIONS = ("problems", "causes", "suggestions")


def schema_of(data: dict[Any, Any]) -> int:
    """The format version the file asks for (1 when absent or unreadable: the rule says why)."""
    try:
        return 2 if parse_int(data.get("schema", 1)) == 2 else 1
    except ValueFormatError:
        return 1


def normalise(data: dict[Any, Any], where: SourceMap) -> None:
    """Rewrite `data` in place into the model's shapes (every format)."""
    for section in FINDING_SECTIONS:
        value = data.get(section)
        if isinstance(value, list):
            # The list form is {items: list}; report its paths without the `items` level.
            data[section] = {"items": value}
            where.renames[(section, "items")] = (section,)
    for path, owner, kind in owners(data, where):
        if kind in ("cluster", "part", "overview"):
            _indicators(owner, path, where)
        if kind in ("cluster", "part"):
            _market_shares(owner, path, where)
        for key in ("tables",):
            tables = owner.get(key)
            if isinstance(tables, list):
                for i, table in enumerate(tables):
                    _table_cells(table, (*path, key, i), where)
    tables = data.get("tables")
    if isinstance(tables, list):
        for i, table in enumerate(tables):
            _table_cells(table, ("tables", i), where)


def owners(data: dict[Any, Any], where: SourceMap | None = None,
           ) -> Iterator[tuple[Path, dict[Any, Any], str]]:
    """Every mapping that can own figures, findings or tables, with its path and kind.

    Kinds: cluster, part, overview, finding, section. Findings written as text are turned
    into mappings on the way (the walk is also the place that knows where findings are).
    """
    clusters = data.get("clusters")
    if isinstance(clusters, list):
        for i, cluster in enumerate(clusters):
            if not isinstance(cluster, dict):
                continue
            yield ("clusters", i), cluster, "cluster"
            yield from _findings_of(cluster, ("clusters", i), "topics", 3, where)
            parts = cluster.get("parts")
            if isinstance(parts, list):
                for j, part in enumerate(parts):
                    if isinstance(part, dict):
                        yield ("clusters", i, "parts", j), part, "part"
                        yield from _findings_of(part, ("clusters", i, "parts", j), "topics", 4,
                                                where)
    overview = data.get("overview")
    if isinstance(overview, dict):
        yield ("overview",), overview, "overview"
    for section in FINDING_SECTIONS:
        value = data.get(section)
        if isinstance(value, dict):
            yield from _findings_of(value, (section,), "items", 2, where)
    sections = data.get("sections")
    if isinstance(sections, list):
        for i, section_data in enumerate(sections):
            if isinstance(section_data, dict):
                yield ("sections", i), section_data, "section"
                yield from _findings_of(section_data, ("sections", i), "items", 2, where)


# The numbering level of a finding, kept in its mapping under a key no YAML file can write
# (a tuple), and removed before validation.
_LEVEL = ("level",)


def _findings_of(owner: dict[Any, Any], path: Path, key: str, level: int,
                 where: SourceMap | None) -> Iterator[tuple[Path, dict[Any, Any], str]]:
    items = owner.get(key)
    if not isinstance(items, list):
        return
    for i, item in enumerate(items):
        if isinstance(item, str):
            # A finding written as one sentence is its title.
            items[i] = item = {"title": item}
            if where is not None:
                item_path = where.as_written((*path, key, i))
                where.values[(*item_path, "title")] = where.value_at(item_path)
        if isinstance(item, dict):
            item.setdefault(_LEVEL, level)
            yield (*path, key, i), item, "finding"
            yield from _findings_of(item, (*path, key, i), "items", level + 1, where)


def finding_level(finding: dict[Any, Any]) -> int:
    """一、 is level 1; a finding of a section is （一）, level 2; its items 1., level 3 …"""
    return int(finding.get(_LEVEL, 2))


def strip_levels(data: Any) -> None:
    """Remove the walk's level marks before validation (they are not keys of the format)."""
    if isinstance(data, dict):
        data.pop(_LEVEL, None)
        for value in data.values():
            strip_levels(value)
    elif isinstance(data, list):
        for value in data:
            strip_levels(value)


def _indicators(owner: dict[Any, Any], path: Path, where: SourceMap) -> None:
    indicators = owner.get("indicators")
    if not isinstance(indicators, dict):
        return
    listed = []
    for i, (name, value) in enumerate(indicators.items()):
        written = (*path, "indicators", name)
        listed.append({"name": name, "value": value})
        # Both the name and the value are written at `indicators.<name>`.
        where.renames[(*path, "indicators", i)] = written
        where.renames[(*path, "indicators", i, "name")] = written
        where.renames[(*path, "indicators", i, "value")] = written
    owner["indicators"] = listed


def _market_shares(owner: dict[Any, Any], path: Path, where: SourceMap) -> None:
    shares = owner.get("market_share")
    if isinstance(shares, list):
        owner["market_shares"] = owner.pop("market_share")
        where.renames[(*path, "market_shares")] = (*path, "market_share")


def _table_cells(table: Any, path: Path, where: SourceMap) -> None:
    """Cells are kept as written: 1.50 stays 1.50, a blank cell is ''."""
    if not isinstance(table, dict) or not isinstance(table.get("rows"), list):
        return
    for r, row in enumerate(table["rows"]):
        if not isinstance(row, list):
            continue
        for c, cell in enumerate(row):
            cell_path = (*path, "rows", r, c)
            if cell is None:
                row[c] = ""
            elif isinstance(cell, int | float) and not isinstance(cell, bool):
                row[c] = where.raw_numbers.get(cell_path, str(cell))
