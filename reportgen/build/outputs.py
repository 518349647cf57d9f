"""A report's files: every format written to a temporary file, then renamed into place together.

A failed or interrupted build never leaves a half-written report and never replaces a good
one: outputs go to temporary files in the output folder and are renamed only when every
format of that survey has been written.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.build.stamps import STAMP_FILE, output_path
from reportgen.errors import OutputError, os_reason
from reportgen.files import temporary_beside, temporary_name_pattern
from reportgen.writers import DEFAULT_FORMATS, WRITERS, get_writer

if TYPE_CHECKING:
    from reportgen.document.model import Document
    from reportgen.templating.templateset import TemplateSet

def write_outputs(document: Document, template_set: TemplateSet, out_dir: Path, stem: str,
                  formats: Sequence[str] = DEFAULT_FORMATS) -> list[Path]:
    """Write every format to temporary files, then rename all into place together."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {out_dir}：{os_reason(exc)}") from exc
    done: list[tuple[Path, Path]] = []
    try:
        for name in formats:
            writer = get_writer(name)
            target = output_path(out_dir, stem, name)
            try:
                with temporary_beside(target) as (tmp, stream):
                    writer.write(document, template_set, stream)
            except OSError as exc:
                raise OutputError(f"无法写入 {target}：{os_reason(exc)}") from exc
            done.append((tmp, target))
        for tmp, target in done:
            os.replace(tmp, target)
    finally:
        for tmp, _ in done:
            tmp.unlink(missing_ok=True)
    return [target for _, target in done]


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
