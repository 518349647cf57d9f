"""OS errors are told to staff in Chinese."""

from __future__ import annotations

import errno
import os

from reportgen.errors import os_reason


def test_known_reasons_are_chinese() -> None:
    assert os_reason(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))) == "磁盘空间已满"
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "没有读写权限"
    assert os_reason(OSError(errno.EROFS, "Read-only file system")) == "文件系统是只读的"


def test_unknown_reasons_keep_the_systems_words() -> None:
    assert os_reason(OSError(errno.EIO, "Input/output error")) == "Input/output error"
    assert os_reason(OSError("no errno at all")) == "no errno at all"
