"""Writing files so that readers see the old bytes or the new ones, never a torn file.

Used by every stage that replaces a file staff may be reading: reports (build.outputs), the
stamp file (build.stamps) and surveys rewritten by `reportgen upgrade`. A temporary file in
the same folder is written, flushed to disk and renamed over the target.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


# mkstemp makes 0600 files; reports and stamps are ordinary shared files.
FILE_MODE = _default_mode()
TEMP_SUFFIX = ".tmp"


def temporary_name_pattern(name_pattern: str) -> str:
    """The regex of the temporary files made for targets matching `name_pattern`."""
    return rf"\.(?:{name_pattern})\.[a-z0-9_]{{8}}\.tmp"


_HELD = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends (then they are delivered as usual)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # Python runs signal handlers in the main thread only: nothing to hold here
        return
    saved = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, saved)


@contextlib.contextmanager
def temporary_beside(target: Path, mode: int | None = None) -> Iterator[tuple[Path, BinaryIO]]:
    """An open temporary file beside `target`, flushed and synced when the block ends.

    The caller renames it into place (os.replace) when it wants it; on any exception it is
    removed. `mode` defaults to an ordinary file's (FILE_MODE).
    """
    with _signals_held():  # Ctrl-C between creating the file and `try` would leave it behind
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX,
                                    dir=target.parent)
        tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield tmp, stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, FILE_MODE if mode is None else mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (best effort)."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` so that readers see the old or the new bytes, nothing between."""
    with temporary_beside(path, mode) as (tmp, stream):
        stream.write(data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


# --- reading files staff hand us (a template set's reference.docx, CSS, images) ---------

class TooLarge(ValueError):
    """A file, or what it unpacks to, is over its limit; the message says which, in Chinese."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of `path`, refusing a file over `limit` bytes without reading it whole."""
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"文件过大（超过 {limit // (1024 * 1024)} MB）")
    return data


def check_zip(path: Path, max_bytes: int, max_unpacked: int, max_ratio: int) -> None:
    """Refuse a zip (a .docx) that is too big, or unpacks to too much (a "zip bomb").

    Sizes come from the zip's own directory, so nothing is unpacked to measure it; a member
    that lies about its size is caught when python-docx reads it (zipfile checks lengths).
    """
    import zipfile

    if path.stat().st_size > max_bytes:
        raise TooLarge(f"文件过大（超过 {max_bytes // (1024 * 1024)} MB）")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > 10_000:
            raise TooLarge("压缩包中的文件过多")
        total = sum(m.file_size for m in members)
        if total > max_unpacked:
            raise TooLarge(f"解压后过大（{total // (1024 * 1024)} MB，上限 "
                           f"{max_unpacked // (1024 * 1024)} MB）")
        for member in members:
            if member.file_size > 1024 * 1024 and member.file_size > max_ratio * max(
                    member.compress_size, 1):
                raise TooLarge(f"其中的 {member.filename} 压缩比异常"
                               f"（{member.file_size // max(member.compress_size, 1)} 倍）")
