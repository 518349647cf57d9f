"""Which files are surveys, and which files in a watched folder are an editor's leftovers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SURVEY_SUFFIXES = (".yaml", ".yml")


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
    """Files as given, and the survey files of folders (sorted); FileNotFoundError if absent."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if is_survey_name(p.name) and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(str(path))
    return found
