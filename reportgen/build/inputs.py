"""Which files are surveys, and which files in a watched folder are an editor's leftovers."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

SURVEY_SUFFIXES = (".yaml", ".yml", ".xlsx")
# The survey loader refuses larger files (survey.loader.MAX_BYTES; a test keeps them equal).
# Deciding what to rebuild must not read such a file whole, nor a pipe or a device at all.
MAX_SURVEY_BYTES = 1024 * 1024


def resolved(path: Path) -> Path:
    """The absolute real path; a looping symbolic link stays as it is (absolute)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return path.absolute()


def readable_survey(path: Path) -> bool:
    """A regular file small enough to be a survey: safe to hash before building."""
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_SURVEY_BYTES


def is_editor_junk(name: str) -> bool:
    """Swap, backup and lock files editors leave beside the file being edited.

    They are never read by a render, and counting them would make every keystroke in vim
    (``.report.html.swp``) look like a change. The one filter for stamps, `watch` and
    `preview`.
    """
    return (name.startswith((".", "#", "~$", "~"))  # ~$reference.docx: Word's lock file
            or name.endswith(("~", ".swp", ".swx", ".tmp"))
            or name in ("4913", "__pycache__"))  # 4913: vim probes the folder with it


def is_survey_name(name: str) -> bool:
    """A survey file's name (not an editor's copy of one)."""
    return Path(name).suffix.lower() in SURVEY_SUFFIXES and not is_editor_junk(name)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the survey files of folders (sorted); FileNotFoundError if absent.

    Anything with a name that exists is kept, even a pipe, a device or a broken or looping
    symbolic link: the loader then says what it is, rather than "not found" (or nothing, in
    a folder).
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if is_survey_name(p.name)
                            and not p.is_dir())
        elif os.path.lexists(path):
            found.append(path)
        else:
            raise FileNotFoundError(str(path))
    return found
