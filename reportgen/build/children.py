"""What every process a build forks does first, and how its warnings get home.

    become_child(parent)        die with the parent, drop its lock, leave Ctrl-C to it
    collected_warnings()        warnings logged meanwhile, kept instead of printed

Used by the batch's worker processes (build.batch) and by the assistant that draws one
report's charts beside it (build.assistant).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass

from reportgen.build.lock import held_locks


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere a no-op).

    A killed `reportgen build` must not leave workers behind: they would wait for work for
    ever and keep writing into the folder. What they leave half-written are temporary files,
    which the next build removes (outputs.remove_leftovers).
    """
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def become_child(parent: int) -> None:
    """Set up a freshly forked process of a build whose parent has pid `parent`."""
    _die_with_parent(parent)
    for fd in list(held_locks):  # the lock is the parent's alone (see build.lock)
        with contextlib.suppress(OSError):
            os.close(fd)
    held_locks.clear()
    # Ctrl-C reaches the whole process group; only the parent decides what to do with it
    # (let running reports finish, start no more), so children ignore it. SIGTERM gets its
    # default back in case the parent (watch) turned it into KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass(frozen=True)
class Said:
    """One warning as plain data (log records with arguments do not always pickle)."""

    logger: str
    level: int
    message: str

    def say_again(self) -> None:
        """Log it in this process, under its own logger, as if it had happened here."""
        logging.getLogger(self.logger).log(self.level, "%s", self.message)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.said: list[Said] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.said.append(Said(record.name, record.levelno, record.getMessage()))


@contextlib.contextmanager
def collected_warnings() -> Iterator[list[Said]]:
    """Warnings logged in the block go into the list, not straight to stderr.

    Then the parent prints them beside the report they concern, whichever process built it,
    and they cannot tear through a progress bar.
    """
    root = logging.getLogger()
    collector = _Collect()
    saved, saved_level = root.handlers[:], root.level
    root.handlers[:] = [collector]
    root.setLevel(min(saved_level or logging.WARNING, logging.WARNING))
    try:
        yield collector.said
    finally:
        root.handlers[:] = saved
        root.setLevel(saved_level)
