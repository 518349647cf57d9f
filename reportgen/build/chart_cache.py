"""Chart pictures by what they show, kept in memory and on disk, so a chart is drawn once.

    cache = process_chart_cache()     this process's cache (memory, then the user's disk cache)
    cache.get(figure) / cache.put(figure, png)

The key is the chart's data and style (the ChartSpec: kind, title, categories, series,
unit, axis labels), never the survey or the template: a template or wording edit redraws no
chart, a data edit redraws only the charts whose data changed, and two reports that draw
the same chart share one PNG.

On disk (reportgen.cache, folder "charts") the key also holds everything else the pixels
depend on: the source of the chart code (charts.py, the number formatting it prints, the
ChartSpec), the versions of matplotlib, Pillow and NumPy, and the identity (path, size,
modification time) of the installed font files. So a new release, an edited charts.py or a
reinstalled font never reuses a picture drawn before it; nothing has to be invalidated.
Reading or writing the disk cache never fails a build: a missing, unwritable or damaged
entry is simply drawn again.
"""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen import cache

if TYPE_CHECKING:
    from reportgen.document.model import Figure

CACHE_KIND = "charts"
DISK_ENTRIES = 2000  # ≈ 100 MB of 50 kB charts: every chart of ~600 counties
_FORMAT = "chart-png-1"  # change when what an entry holds changes
_PNG_START = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = ("charts.py", "formatting.py", "document/model.py")
_LIBRARIES = ("matplotlib", "pillow", "numpy")


@functools.cache
def drawing_digest() -> str:
    """What a chart's pixels depend on besides its spec; computed once per process."""
    from reportgen import fonts  # fontTools: not for a build that finds everything current

    digest = hashlib.sha256(_FORMAT.encode())
    for name in _CODE:
        digest.update(name.encode() + b"\0" + (_PACKAGE / name).read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library} {metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library} -\0".encode())
    for family in (*fonts.FANDOL_FAMILIES, *fonts.NOTO_FAMILIES):
        face = fonts.find_font_face(family, "")
        if face is None:
            digest.update(f"{family} -\0".encode())
            continue
        try:
            stat = face.path.stat()
        except OSError:
            digest.update(f"{family} ?\0".encode())
            continue
        digest.update(f"{family} {face.path} {face.index} {stat.st_size} "
                      f"{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _looks_whole(png: bytes) -> bool:
    return png.startswith(_PNG_START) and png.endswith(_PNG_END)


class ChartCache:
    """Chart PNGs by their spec: an LRU in memory, in front of the user's disk cache."""

    def __init__(self, size: int = 64, disk: bool = False) -> None:
        self.size = size
        self.disk = disk
        self._images: OrderedDict[str, bytes] = OrderedDict()

    @staticmethod
    def key(figure: Figure) -> str:
        return repr(figure.spec)

    def __len__(self) -> int:
        return len(self._images)

    def get(self, figure: Figure) -> bytes | None:
        key = self.key(figure)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
            return image
        if self.disk:
            image = self._read_disk(key)
            if image is not None:
                self._remember(key, image)
        return image

    def put(self, figure: Figure, image: bytes) -> None:
        key = self.key(figure)
        self._remember(key, image)
        if self.disk:
            folder = cache.cache_folder(CACHE_KIND)
            if folder is not None:
                cache.write_entry(folder, self._disk_key(key), image)

    def _remember(self, key: str, image: bytes) -> None:
        self._images[key] = image
        self._images.move_to_end(key)
        while len(self._images) > self.size:
            self._images.popitem(last=False)

    @staticmethod
    def _disk_key(key: str) -> str:
        return hashlib.sha256(f"{drawing_digest()}\0{key}".encode()).hexdigest() + ".png"

    def _read_disk(self, key: str) -> bytes | None:
        folder = cache.cache_folder(CACHE_KIND)
        if folder is None:
            return None
        image = cache.read_entry(folder, self._disk_key(key))
        return image if image is not None and _looks_whole(image) else None


def prune_disk_cache() -> None:
    """Keep the disk cache bounded (the least recently used charts go); after a batch."""
    folder = cache.cache_folder(CACHE_KIND)
    if folder is not None:
        cache.prune(folder, DISK_ENTRIES)


_process_cache: ChartCache | None = None


def process_chart_cache() -> ChartCache:
    """The chart cache of this process: `build` and `watch` share it across reports.

    A forked worker starts with a copy of its parent's (copy-on-write) and fills its own;
    64 charts of ~50 kB each bound the memory part to a few MB.
    """
    global _process_cache
    if _process_cache is None:
        _process_cache = ChartCache(disk=True)
    return _process_cache
