"""A template set: one folder holding a report's templates, print CSS and reference .docx.

    templates/<name>/
        report.html        the Jinja2 entry template (HTML subset, see docs)
        print.css          the PDF's page layout and styles (WeasyPrint)
        reference.docx     the DOCX's styles, page setup and footer (edit in Word)
        set.yaml           optional: the set's display name and description (templates list)
        *.html             partials the entry template includes
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import TemplateError
from reportgen.templatesets import (  # noqa: F401  (the names callers know from here)
    CSS,
    DEFAULT_SET,
    ENTRY,
    INFO,
    REFERENCE_DOCX,
    TEMPLATES_ENV,
    available_sets,
    templates_root,
)

# A set's name is a folder name and the value of `report.template` in surveys: letters,
# digits, Chinese characters, - and _; no dots, slashes or spaces, so it can never name a
# path outside the templates folder and reads the same on every system.
_NAME = re.compile(r"[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9_\-\u4e00-\u9fff]{0,39}")
NAME_RULE = "模板集名称只能用字母、数字、汉字、- 和 _，以字母、数字或汉字开头，最多 40 个字符"


@dataclass(frozen=True)
class SetInfo:
    """What `reportgen templates list` shows about a set (from its set.yaml)."""

    title: str
    description: str


@dataclass(frozen=True)
class TemplateSet:
    name: str
    root: Path

    @property
    def entry(self) -> Path:
        return self.root / ENTRY

    @property
    def css(self) -> Path:
        return self.root / CSS

    @property
    def reference_docx(self) -> Path:
        return self.root / REFERENCE_DOCX

    @property
    def info_file(self) -> Path:
        return self.root / INFO

    def files(self) -> list[Path]:
        """Every file of the set, sorted: what a rebuild depends on."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())

    def templates(self) -> list[Path]:
        """The set's template files (*.html), entry first."""
        others = sorted(p for p in self.root.rglob("*.html")
                        if p.is_file() and p != self.entry)
        return [self.entry, *others] if self.entry.is_file() else others

    def contains(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            return False
        return True

    def info(self) -> SetInfo:
        """Display name and description; the folder name when set.yaml is absent or broken."""
        title, description = self.name, ""
        data = read_info(self.info_file)
        if isinstance(data, dict):
            title = str(data.get("title") or title).strip()
            description = " ".join(str(data.get("description") or "").split())
        return SetInfo(title, description)


MAX_INFO_BYTES = 64 * 1024  # set.yaml holds a title and a description


def read_info(path: Path) -> object:
    """The parsed set.yaml (any YAML value), None when absent; TemplateError when unreadable."""
    if not path.is_file():
        return None
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        if path.stat().st_size > MAX_INFO_BYTES:
            raise TemplateError(f"模板集说明文件过大（上限 {MAX_INFO_BYTES} 字节）；"
                                "set.yaml 只需写名称和说明", str(path))
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except RecursionError as exc:
        raise TemplateError("模板集说明文件嵌套层数过深", str(path)) from exc
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        line = None
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            line = mark.line + 1
        raise TemplateError(f"模板集说明文件无法读取：{exc}", str(path), line) from exc


def find_template_set(name: str | None = None, root: Path | None = None) -> TemplateSet:
    """The set called `name` (default: the default set); TemplateError if there is none."""
    base = root or templates_root()
    chosen = name or DEFAULT_SET
    folder = base / chosen
    if "/" in chosen or "\\" in chosen or chosen.startswith(".") or not (folder / ENTRY).is_file():
        known = "、".join(available_sets(base)) or "（无）"
        raise TemplateError(f"找不到模板集“{chosen}”；可用的模板集：{known}")
    return TemplateSet(name=chosen, root=folder)


def valid_set_name(name: str) -> bool:
    return _NAME.fullmatch(name) is not None


def copy_template_set(source: TemplateSet, name: str, root: Path | None = None) -> TemplateSet:
    """Copy `source` to a new set `name` in the templates folder; TemplateError if not allowed.

    Only the set's own regular files are copied: hidden files, editor backups and anything a
    symlink would pull in from outside the source set stay behind.
    """
    base = root or templates_root()
    if not valid_set_name(name):
        raise TemplateError(f"“{name}”不能用作模板集名称：{NAME_RULE}")
    existing = {p.name.casefold() for p in base.iterdir()} if base.is_dir() else set()
    if name.casefold() in existing:
        raise TemplateError(f"模板集“{name}”已经存在（{base / name}）；请换一个名称，"
                            "或先删除原来的文件夹")
    target = base / name
    source_root = source.root.resolve()

    def ignore(folder: str, names: list[str]) -> set[str]:
        def junk(entry: str) -> bool:
            return entry.startswith((".", "~$")) or entry.endswith("~") or entry == "__pycache__"

        return {entry for entry in names
                if junk(entry) or not (Path(folder) / entry).resolve().is_relative_to(source_root)}

    base.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source.root, target, ignore=ignore)
    info = source.info()
    (target / INFO).write_text(
        "# 模板集说明：reportgen templates list 显示这里的名称和说明。\n"
        f"title: {_yaml_text(name)}\n"
        f"description: {_yaml_text(f'由“{info.title}”（{source.name}）复制而来')}\n",
        encoding="utf-8")
    return TemplateSet(name=name, root=target)


def _yaml_text(text: str) -> str:
    """A YAML double-quoted scalar for any text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
