"""A report's files: every format written to a temporary file, then renamed into place together.

A failed or interrupted build never leaves a half-written report and never replaces a good
one: outputs go to temporary files in the output folder and are renamed only when every
format of that survey has been written. The renames themselves are undone if one of them
fails (a PDF that cannot be put in place must not leave a new DOCX beside the old PDF): the
old files are kept as hard links until every new file is in place.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.build.stamps import STAMP_FILE, output_path
from reportgen.errors import OutputError, os_reason
from reportgen.files import TEMP_SUFFIX, temporary_beside, temporary_name_pattern
from reportgen.writers import DEFAULT_FORMATS, WRITERS, get_writer

if TYPE_CHECKING:
    from reportgen.document.model import Document
    from reportgen.templating.templateset import TemplateSet

# Bytes of a format written elsewhere (a forked assistant, build.assistant), fetched when
# needed; None means "write it here after all".
Written = Callable[[], bytes | None]


def write_outputs(document: Document, template_set: TemplateSet, out_dir: Path, stem: str,
                  formats: Sequence[str] = DEFAULT_FORMATS,
                  written: Mapping[str, Written] | None = None) -> list[Path]:
    """Write every format to temporary files, then rename all into place together.

    Formats in `written` were (being) written by another process: they are fetched last,
    after this process has written its own, so the two work at the same time.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {out_dir}：{os_reason(exc)}") from exc
    elsewhere = written or {}
    done: list[tuple[Path, Path]] = []
    try:
        for name in sorted(formats, key=lambda fmt: fmt in elsewhere):
            target = output_path(out_dir, stem, name)
            data = elsewhere[name]() if name in elsewhere else None
            try:
                with temporary_beside(target) as (tmp, stream):
                    if data is not None:
                        stream.write(data)
                    else:
                        get_writer(name).write(document, template_set, stream)
            except OSError as exc:
                raise OutputError(f"无法写入 {target}：{os_reason(exc)}") from exc
            done.append((tmp, target))
        _replace_together(done)
    finally:
        for tmp, _ in done:
            tmp.unlink(missing_ok=True)
    return [output_path(out_dir, stem, name) for name in formats]


def _replace_together(done: list[tuple[Path, Path]]) -> None:
    """Rename every temporary file onto its target, or leave every target as it was."""
    kept: dict[Path, Path | None] = {}  # target → hard link to its old bytes (None: new)
    try:
        for tmp, target in done:
            kept[target] = _keep_old(target)
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise OutputError(f"无法把新生成的 {target.name} 放到 {target.parent}（"
                                  f"{os_reason(exc)}）；这份报告的文件都保持原样") from exc
    except BaseException:
        for target, old in kept.items():
            with contextlib.suppress(OSError):
                if old is not None:
                    os.replace(old, target)
                elif target.is_file():
                    target.unlink()
        raise
    finally:
        for old in kept.values():
            if old is not None:
                with contextlib.suppress(OSError):
                    old.unlink()


def _keep_old(target: Path) -> Path | None:
    """A hard link to the current file at `target` (its old bytes stay reachable)."""
    if not target.is_file():
        return None
    # Named like the other temporary files, so a killed build's copy is cleaned up later.
    link = target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    try:
        os.link(target, link)
    except OSError:  # no hard links here (some network or FAT folders): copy instead
        shutil.copy2(target, link)
    return link


# Temporary files of a writer that was killed before it could rename or remove them:
# ".<stem>.docx.<random>.tmp" (write_outputs) and "..reportgen-stamps.json.<random>.tmp".
_SUFFIXES = "|".join(re.escape(entry.suffix) for entry in WRITERS.values())
_LEFTOVER = re.compile(temporary_name_pattern(rf".+(?:{_SUFFIXES})|{re.escape(STAMP_FILE)}"))


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Delete temporary files killed builds left behind; call only while holding the lock.

    Every reportgen build writes into a folder only while holding its lock, so when we hold
    it, no such file can belong to a build still running.
    """
    removed: list[Path] = []
    try:
        names = [entry.name for entry in os.scandir(out_dir)]
    except OSError:
        return removed
    for name in names:
        if _LEFTOVER.fullmatch(name):
            with contextlib.suppress(OSError):
                (out_dir / name).unlink()
                removed.append(out_dir / name)
    return removed
