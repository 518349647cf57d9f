"""One build at a time per output folder: an flock on `<out>/.reportgen.lock`."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_FILE = ".reportgen.lock"

# Descriptors of the locks this process holds. A forked worker closes its copies at once
# (see batch._init_worker): flock belongs to the open file, so a worker left running after
# its parent was killed would otherwise keep the folder locked for ever.
held_locks: set[int] = set()


@contextlib.contextmanager
def output_lock(out_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the output folder; a second holder waits (on_wait is told).

    flock is released by the kernel when the holder dies, so a killed build never leaves
    a stale lock behind. OSError if the folder cannot be created or written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    held_locks.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        held_locks.discard(fd)
        os.close(fd)  # closing the descriptor releases the lock
