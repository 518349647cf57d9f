"""The font facts in one place: which face each role uses, where the files are, what they cover.

Two worlds: the PDF embeds free fonts installed here (the Fandol faces, Noto CJK for rare
characters), while the DOCX only names the fonts staff have in Word (仿宋_GB2312, 黑体 …),
which need not exist on this machine. Font files are found through fontconfig, the same
lookup WeasyPrint (Pango) uses, so what we check is what the PDF will get.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from reportgen.errors import FontError

NOTO_SERIF = "Noto Serif CJK SC"
NOTO_SANS = "Noto Sans CJK SC"


@dataclass(frozen=True)
class FontRole:
    """One typographic role and its face in each output format."""

    name: str
    pdf_family: str  # fontconfig family embedded in the PDF
    docx_name: str  # East Asian font name written into the DOCX (w:eastAsia)
    docx_fallback: str  # the common Windows name when docx_name is not installed
    pdf_fallback: str = NOTO_SERIF  # where characters outside pdf_family's coverage go
    pdf_bold: bool = False


ROLES: dict[str, FontRole] = {
    "body": FontRole("body", "FandolFang", "仿宋_GB2312", "仿宋"),
    "heading1": FontRole("heading1", "FandolHei", "黑体", "黑体", pdf_fallback=NOTO_SANS),
    "heading2": FontRole("heading2", "FandolKai", "楷体_GB2312", "楷体"),
    # Levels 3 and 4 are set in the body face (level 3 commonly bold), per GB/T 9704.
    "heading3": FontRole("heading3", "FandolFang", "仿宋_GB2312", "仿宋", pdf_bold=True),
    "heading4": FontRole("heading4", "FandolFang", "仿宋_GB2312", "仿宋"),
    # FandolSong Bold stands in for 方正小标宋, which has no free equivalent.
    "title": FontRole("title", "FandolSong", "方正小标宋简体", "宋体", pdf_bold=True),
}

FANDOL_FAMILIES: tuple[str, ...] = ("FandolFang", "FandolHei", "FandolKai", "FandolSong")
NOTO_FAMILIES: tuple[str, ...] = (NOTO_SERIF, NOTO_SANS)

FANDOL_HINT = (
    "请运行 make demo 或 sudo bash scripts/setup-system.sh"
    "（从 Debian 的 texlive-lang-chinese 包中提取）"
)
NOTO_HINT = "请安装 fonts-noto-cjk 软件包（sudo apt-get install fonts-noto-cjk）"


@dataclass(frozen=True)
class FontFace:
    """A font file and, for collections (.ttc), the index of the face in it."""

    path: Path
    index: int = 0


def _norm(name: str) -> str:
    return "".join(name.split()).casefold()


@functools.cache
def find_font_face(family: str, style: str = "Regular") -> FontFace | None:
    """The installed face of `family` (file and .ttc index), or None if not installed.

    fc-match always answers with *some* font, so the family it reports must be checked.
    """
    if shutil.which("fc-match") is None:
        return None
    pattern = f"{family}:style={style}" if style else family
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}\n%{family}", pattern],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.split("\n")
    if len(lines) < 3 or not lines[0]:
        return None
    path, index, families = lines[0], lines[1], lines[2]
    if _norm(family) not in {_norm(f) for f in families.split(",")}:
        return None
    return FontFace(Path(path), int(index) if index.strip().isdigit() else 0)


def find_font_file(family: str, style: str = "Regular") -> Path | None:
    """The file of the installed `family` (style Regular unless told), or None."""
    face = find_font_face(family, style)
    return face.path if face else None


def require_pdf_fonts() -> None:
    """Raise FontError (in Chinese, with the install command) unless the PDF fonts exist."""
    problems: list[str] = []
    missing_fandol = [f for f in FANDOL_FAMILIES if find_font_file(f, "") is None]
    if missing_fandol:
        problems.append(
            f"缺少 Fandol 字体（{'、'.join(missing_fandol)}）；{FANDOL_HINT}"
            if len(missing_fandol) < len(FANDOL_FAMILIES)
            else f"缺少 Fandol 字体（FandolFang 等）；{FANDOL_HINT}"
        )
    missing_noto = [f for f in NOTO_FAMILIES if find_font_file(f, "") is None]
    if missing_noto:
        problems.append(f"缺少 Noto CJK 字体（{'、'.join(missing_noto)}）；{NOTO_HINT}")
    if problems:
        raise FontError("\n".join(problems))


@functools.cache
def _cmap(face: FontFace) -> frozenset[int]:
    """The code points a face maps, read once per process (CJK cmaps are large)."""
    if face.path.suffix.lower() in (".ttc", ".otc"):
        collection = TTCollection(str(face.path), lazy=True)
        try:
            font = collection.fonts[face.index]
            return frozenset(font.getBestCmap() or {})
        finally:
            collection.close()
    with TTFont(str(face.path), lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _ignorable(ch: str) -> bool:
    # Whitespace and control/format characters are never drawn as glyphs.
    return ch.isspace() or unicodedata.category(ch).startswith("C")


def uncovered_characters(text: str, families: list[str]) -> set[str]:
    """Characters of `text` that none of `families` covers (a missing family covers nothing)."""
    wanted = {ch for ch in text if not _ignorable(ch)}
    for family in families:
        if not wanted:
            break
        face = find_font_face(family, "")
        if face is None:
            continue
        cmap = _cmap(face)
        wanted = {ch for ch in wanted if ord(ch) not in cmap}
    return wanted


def coverage_report(text: str) -> tuple[set[str], set[str]]:
    """(characters some Fandol role face lacks and Noto supplies, characters nothing covers).

    A character counts as falling back if any of the Fandol faces lacks it, since headings
    and body use different faces and the same name can appear in both.
    """
    missing = uncovered_characters(text, [*FANDOL_FAMILIES, *NOTO_FAMILIES])
    fallback: set[str] = set()
    for family in FANDOL_FAMILIES:
        fallback |= uncovered_characters(text, [family])
    return fallback - missing, missing


# Characters every installed CJK setup draws (Noto CJK covers all of these): checking them
# against the font files would only cost time. Anything else is looked up.
_SURELY_PRINTABLE = re.compile("[\u0020-\u007e\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e"
                               "\u2014\u2018\u2019\u201c\u201d\u2026\u00b7\u00d7]")


def unprintable_characters(text: str) -> set[str]:
    """Characters of `text` that no installed PDF face can draw (they would print as boxes).

    The same question the PDF writer asks before writing (coverage_report), so `check` and
    `build` agree on what can be printed. Empty when the fonts are not installed: then the
    build says which package is missing.
    """
    rest = _SURELY_PRINTABLE.sub("", text)
    if not rest.strip() or find_font_face(NOTO_SERIF, "") is None:
        return set()
    return uncovered_characters(rest, [*FANDOL_FAMILIES, *NOTO_FAMILIES])


def has_harfbuzz_subset() -> bool:
    """Whether libharfbuzz-subset is loadable (WeasyPrint then subsets fonts much faster)."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return True
    try:
        ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError:
        return False
    return True
