"""What reportgen keeps between runs because it is slow to compute again: chart pictures and
font tables. Everything in it can be deleted at any time; it is only ever a shortcut.

    cache_folder("charts")   the folder for one kind of entry, or None (caching off)
    read_entry(folder, key)  an entry's bytes, or None (absent, unreadable)
    write_entry(folder, key, data)   best effort: a cache that cannot be written is skipped
    prune(folder, keep)      remove the least recently used entries beyond `keep`

The root is REPORTGEN_CACHE_DIR if set (an empty value turns caching off), else
$XDG_CACHE_HOME/reportgen, else ~/.cache/reportgen: one per user, shared by every output
folder, so deleting outputs/ does not make the next build redraw every chart.

Keys are content hashes chosen by the caller, so an entry never needs invalidating: what it
was computed from is in its name. Entries are written to a temporary file and renamed, so a
reader sees a whole entry or none, but not synced to disk: a crash may lose an entry (or
leave an empty one, which callers check for), which costs one recomputation, never a
wrong result. Nothing here logs or raises for a cache problem.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from pathlib import Path

CACHE_ENV = "REPORTGEN_CACHE_DIR"
_KEY = re.compile(r"[0-9a-z][0-9a-z._-]{0,127}")


def cache_root() -> Path | None:
    """The cache folder of this user (not created here), or None when caching is off."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "reportgen"
    try:
        return Path.home() / ".cache" / "reportgen"
    except RuntimeError:  # no home folder (some service accounts)
        return None


def cache_folder(kind: str) -> Path | None:
    """The folder for entries of `kind`, created if needed; None if it cannot be used."""
    root = cache_root()
    if root is None:
        return None
    folder = root / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def _path(folder: Path, key: str) -> Path:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a cache key: {key!r}")
    return folder / key


def read_entry(folder: Path, key: str, limit: int = 64 * 1024 * 1024) -> bytes | None:
    """The bytes stored under `key`, or None. A hit marks the entry as recently used."""
    path = _path(folder, key)
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError:
        return None
    if not data or len(data) > limit:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # prune() keeps what was used last
    return data


def write_entry(folder: Path, key: str, data: bytes) -> None:
    """Store `data` under `key` (whole or not at all); failures are ignored."""
    path = _path(folder, key)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=folder)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)


def prune(folder: Path, keep: int) -> int:
    """Delete all but the `keep` most recently used entries (and stale temporary files)."""
    entries: list[tuple[float, Path]] = []
    removed = 0
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                with contextlib.suppress(OSError):
                    if entry.name.endswith(".tmp"):
                        # A writer killed mid-way; live writers rename within milliseconds.
                        if entry.stat().st_mtime < time.time() - 3600:
                            os.unlink(entry.path)
                            removed += 1
                    elif entry.is_file(follow_symlinks=False):
                        entries.append((entry.stat().st_mtime, Path(entry.path)))
    except OSError:
        return removed
    entries.sort(reverse=True)
    for _, path in entries[keep:]:
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed
