"""Build stamps: what each output was built from, so an unchanged report is never rebuilt.

One small JSON file per output folder, ``<out>/.reportgen-stamps.json``:

    {"stamps": 1,
     "surveys": {"yongan": {"source": "/abs/inputs/yongan.yaml",
                            "survey": <sha256 of the survey file>,
                            "template_set": "default", "template": <sha256 of the set>,
                            "toolchain": "reportgen 0.1.0; weasyprint 66.0; …",
                            "outputs": {"pdf": {"key": <sha256>, "size": 449968,
                                                "mtime_ns": 1732365600000000000}}}}}

An output is current when its key (sha256 over survey digest, the digest of the template
set's files that format reads, toolchain and format) matches what those inputs hash to now,
and the file on disk still has the size and modification time it had when it was stamped
(so a deleted or replaced output is rebuilt). The entry-level digests only explain *why*
something is rebuilt.

This module must stay light: deciding that 200 reports are up to date reads 200 survey
files and one template set, and imports nothing heavier than hashlib and json.

The file is replaced atomically (temporary file in the same folder, fsync, os.replace), so an
interruption leaves either the old or the new stamps, never a torn file; a stamp is recorded
only after its outputs were renamed into place, so a crash between the two merely causes an
unnecessary rebuild. An unreadable or corrupt stamp file is treated as empty.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.build.inputs import is_editor_junk
from reportgen.files import atomic_write

STAMP_FILE = ".reportgen-stamps.json"
STAMP_FORMAT = 2  # 2: keys hold the files each format reads, not the whole set


# Libraries whose version changes the bytes of a report; their versions are read from
# package metadata (no import), so upgrading WeasyPrint rebuilds everything, as it should.
_OUTPUT_LIBRARIES = ("weasyprint", "pydyf", "python-docx", "matplotlib", "jinja2")


def toolchain() -> str:
    """The versions a report's bytes depend on besides its inputs (read at call time)."""
    from importlib.metadata import PackageNotFoundError, version

    import reportgen

    parts = [f"reportgen {reportgen.__version__}"]
    for name in _OUTPUT_LIBRARIES:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} -")
    return "; ".join(parts)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


@dataclass(frozen=True)
class SetDigest:
    """A template set hashed: all its files, and for each format the files it reads."""

    whole: str
    formats: dict[str, str] = field(default_factory=dict)

    def of(self, fmt: str) -> str:
        return self.formats.get(fmt, self.whole)


def template_set_digest(root: Path) -> SetDigest | None:
    """sha256 over the files of a template set (relative path and bytes), or None if absent.

    The same files TemplateSet.files() lists, minus editor junk (see is_editor_junk); per
    format, minus the files that format never reads (WriterEntry.unread), so editing
    print.css leaves every DOCX current.
    """
    from fnmatch import fnmatch

    from reportgen.writers import WRITERS

    if not (root / "report.html").is_file():
        return None
    whole = hashlib.sha256()
    per_format = {name: hashlib.sha256() for name in WRITERS}
    files = sorted(p for p in root.rglob("*") if p.is_file()
                   and not any(is_editor_junk(part) for part in p.relative_to(root).parts))
    for path in files:
        name = path.relative_to(root).as_posix()
        relative = name.encode()
        try:
            data = path.read_bytes()
        except OSError:
            return None  # unreadable now: the build will say why
        chunk = (len(relative).to_bytes(4, "big") + relative
                 + len(data).to_bytes(8, "big") + data)
        whole.update(chunk)
        for fmt, digest in per_format.items():
            if not any(fnmatch(name, pattern) for pattern in WRITERS[fmt].unread):
                digest.update(chunk)
    return SetDigest(whole.hexdigest(),
                     {fmt: digest.hexdigest() for fmt, digest in per_format.items()})


class TemplateDigests:
    """Each template set hashed at most once per run (templates_root()/<name>)."""

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            from reportgen.templating.templateset import templates_root

            root = templates_root()
        self.root = root
        self._known: dict[str, SetDigest | None] = {}

    def __call__(self, name: str) -> SetDigest | None:
        if name not in self._known:
            bad = "/" in name or "\\" in name or name.startswith(".") or not name
            self._known[name] = None if bad else template_set_digest(self.root / name)
        return self._known[name]


def output_key(survey: str, template: str, chain: str, fmt: str) -> str:
    return hashlib.sha256("\0".join(["reportgen-stamp", str(STAMP_FORMAT), survey, template,
                                     chain, fmt]).encode()).hexdigest()


def output_path(out_dir: Path, stem: str, fmt: str) -> Path:
    from reportgen.writers import suffix_of

    return out_dir / f"{stem}{suffix_of(fmt)}"


@dataclass
class Entry:
    """What one survey's outputs were last built from."""

    source: str
    survey: str
    template_set: str
    template: str
    toolchain: str
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)


class StampBook:
    """The stamps of one output folder: read once, updated per survey, saved atomically."""

    def __init__(self, out_dir: Path, entries: dict[str, Entry] | None = None,
                 problem: str | None = None) -> None:
        self.out_dir = out_dir
        self.entries: dict[str, Entry] = entries or {}
        self.problem = problem  # why the file could not be used (then it counts as empty)
        self.dirty = False

    @property
    def path(self) -> Path:
        return self.out_dir / STAMP_FILE

    @classmethod
    def load(cls, out_dir: Path) -> StampBook:
        path = out_dir / STAMP_FILE
        try:
            raw = json.loads(path.read_bytes())
        except FileNotFoundError:
            return cls(out_dir)
        except (OSError, ValueError) as exc:
            return cls(out_dir, problem=f"{path} 无法读取（{exc}）")
        try:
            if raw.get("stamps") != STAMP_FORMAT:
                return cls(out_dir, problem=f"{path} 的格式版本不认识")
            entries = {str(stem): Entry(**value) for stem, value in raw["surveys"].items()}
            for entry in entries.values():
                if not all(isinstance(getattr(entry, name), str) for name in
                           ("source", "survey", "template_set", "template", "toolchain")):
                    raise TypeError("field is not a string")
                if not isinstance(entry.outputs, dict) or not all(
                        isinstance(v, dict) for v in entry.outputs.values()):
                    raise TypeError("outputs is not a mapping")
        except (AttributeError, KeyError, TypeError) as exc:
            return cls(out_dir, problem=f"{path} 内容不完整（{exc}）")
        return cls(out_dir, entries)

    def current_formats(self, stem: str, source: Path, survey: str,
                        template: SetDigest | None, chain: str,
                        formats: tuple[str, ...]) -> tuple[set[str], str]:
        """(formats whose output is current, why the others are not)."""
        entry = self.entries.get(stem)
        if entry is None:
            return set(), "首次生成"
        if entry.source != str(source):
            return set(), f"上次由 {entry.source} 生成"
        if entry.survey != survey:
            return set(), "调研数据已修改"
        if template is None:
            return set(), f"模板集“{entry.template_set}”不存在或无法读取"
        current: set[str] = set()
        why = ""
        for fmt in formats:
            stamp = entry.outputs.get(fmt)
            if stamp is None or stamp.get("key") != output_key(survey, template.of(fmt), chain,
                                                               fmt):
                why = why or ("模板集已修改" if entry.template != template.whole
                              else "工具版本已更新" if entry.toolchain != chain
                              else "此格式尚未生成")
                continue
            try:
                info = output_path(self.out_dir, stem, fmt).stat()
            except OSError:
                why = why or "输出文件已删除"
                continue
            if info.st_size != stamp.get("size") or info.st_mtime_ns != stamp.get("mtime_ns"):
                why = why or "输出文件已被改动"
                continue
            current.add(fmt)
        return current, why

    def record(self, stem: str, source: Path, survey: str, template_set: str,
               template: SetDigest, chain: str, built: dict[str, Path]) -> None:
        """Stamp the outputs just renamed into place (format → path)."""
        old = self.entries.get(stem)
        outputs: dict[str, dict[str, Any]] = {}
        if old is not None and old.source == str(source):
            outputs.update(old.outputs)  # other formats keep their own (still checked) keys
        for fmt, path in built.items():
            try:
                info = path.stat()
            except OSError:
                outputs.pop(fmt, None)
                continue
            outputs[fmt] = {"key": output_key(survey, template.of(fmt), chain, fmt),
                            "size": info.st_size, "mtime_ns": info.st_mtime_ns}
        self.entries[stem] = Entry(str(source), survey, template_set, template.whole, chain,
                                   outputs)
        self.dirty = True

    def to_json(self) -> bytes:
        data = {"stamps": STAMP_FORMAT,
                "surveys": {stem: vars(entry) for stem, entry in sorted(self.entries.items())}}
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()

    def save(self) -> None:
        """Replace the stamp file atomically; OSError if the folder cannot be written."""
        if not self.dirty:
            return
        atomic_write(self.path, self.to_json())
        self.dirty = False
