"""The font facts in one place: which face each role uses, where the files are, what they cover.

Two worlds: the PDF embeds free fonts installed here (the Fandol faces, Noto CJK for rare
characters), while the DOCX only names the fonts staff have in Word (仿宋_GB2312, 黑体 …),
which need not exist on this machine. Font files are found through fontconfig, the same
lookup WeasyPrint (Pango) uses, so what we check is what the PDF will get.

Both facts are slow to learn (an `fc-match` process per face, ~0.3 s of fontTools for the CJK
character maps), so they are kept in the reportgen cache (`cache_folder("fonts")`) for the
next process:

- a face's character map under a hash of the file's path, face index, size and mtime, so a
  changed or replaced file is read again; entries are checksummed bitmaps, checked on load;
- fc-match's answers (found or not) in one entry per environment, valid only while
  fontconfig's view is the same: its configuration files, its font folders (every folder
  below them, whose mtime changes when a font is added or removed) and its cache folders
  (which `fc-cache` rewrites when packages install fonts) are summed up in a fingerprint
  stored with the answers; another fingerprint drops every answer, so a family installed
  after a first "missing" is found. A found file whose size or mtime changed is asked again.
  With FONTCONFIG_FILE/PATH/SYSROOT set, or no /etc/fonts/fonts.conf, nothing is persisted:
  we could not tell which folders that configuration reads.

One `fc-list` for all families would be a single process, but fc-list does not apply the
configuration's substitutions and style preferences as fc-match does, and the face asked for
must be the one WeasyPrint gets; with the fingerprint, fc-match runs only after a change.
Within a process every answer is also kept in memory (functools.cache): fonts installed
while a process runs are seen by the next one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen import cache
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


# --- fc-match answers, kept while fontconfig's view of the fonts is unchanged -------------

# Bump when the stored form of fc-match answers or character maps changes.
_FORMAT = 1
_CACHE_KIND = "fonts"
# Entries kept in the fonts folder: six faces and a few environments need far fewer, but
# each font update leaves its old maps behind until pruned.
_KEEP_ENTRIES = 64
_MAIN_CONFIG = "/etc/fonts/fonts.conf"
# Settings that point fontconfig at a configuration whose folders we would not know.
_CONFIG_ENV = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT")
# What fc-match's answer or the folders fontconfig reads depend on besides the files.
_ANSWER_ENV = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
               "FC_LANG", "LC_ALL", "LC_CTYPE", "LANG")
# A tree of font folders larger than this is not worth walking in every process.
_MAX_FONT_DIRS = 1000
_MAX_CONFIG_FILES = 500
_ELEMENT = re.compile(r"<(dir|cachedir|include)\b([^>]*)>([^<]*)</\1\s*>")
_PREFIX = re.compile(r"""\bprefix\s*=\s*["']([^"']*)["']""")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True)
class _Layout:
    """What fontconfig reads: a digest of its configuration files, and the folders they name."""

    config: bytes
    font_dirs: tuple[str, ...]
    cache_dirs: tuple[str, ...]


def _fontconfig_layout() -> _Layout | None:
    """The configuration as fontconfig would load it, or None if it is not the usual one.

    A light reading of the XML (<include>, <dir>, <cachedir>, with their "xdg" and "~"
    forms), enough to know which files and folders to watch; fontconfig itself still
    answers every question.
    """
    if any(os.environ.get(name) for name in _CONFIG_ENV) or not os.path.isfile(_MAIN_CONFIG):
        return None
    home = os.environ.get("HOME", "")
    home_dir = home if os.path.isabs(home) else None  # fontconfig skips "~" paths without it

    def xdg(variable: str, default: str) -> str | None:
        value = os.environ.get(variable, "")
        if os.path.isabs(value):
            return value
        return os.path.join(home_dir, default) if home_dir else None

    bases = {"dir": xdg("XDG_DATA_HOME", ".local/share"),
             "cachedir": xdg("XDG_CACHE_HOME", ".cache"),
             "include": xdg("XDG_CONFIG_HOME", ".config")}
    config_dir = os.path.dirname(_MAIN_CONFIG)
    digest = hashlib.sha256()
    font_dirs: list[str] = []
    cache_dirs: list[str] = []
    seen: set[str] = set()

    def resolve(kind: str, attributes: str, value: str, here: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        prefix = _PREFIX.search(attributes)
        if prefix and prefix.group(1) == "xdg":
            base = bases[kind]
            return os.path.join(base, value) if base else None
        if value.startswith("~"):
            return home_dir + value[1:] if home_dir else None
        if os.path.isabs(value):
            return value
        # Relative includes are read from the configuration folder; relative font folders
        # are rare and only decide what we watch, so the including file's folder will do.
        return os.path.join(config_dir if kind == "include" else here, value)

    def load(path: str) -> None:
        if path in seen or len(seen) >= _MAX_CONFIG_FILES:
            return
        seen.add(path)
        if os.path.isdir(path):
            try:
                names = sorted(os.listdir(path))
            except OSError:
                names = []
            digest.update(b"D" + os.fsencode(path) + b"\0")
            for name in names:
                if name.endswith(".conf"):
                    load(os.path.join(path, name))
            return
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            # Missing files count too: creating ~/.config/fontconfig/fonts.conf is a change.
            digest.update(b"-" + os.fsencode(path) + b"\0")
            return
        digest.update(b"F" + os.fsencode(path) + b"\0" + hashlib.sha256(data).digest())
        text = _COMMENT.sub("", data.decode("utf-8", "replace"))
        here = os.path.dirname(path)
        for kind, attributes, value in _ELEMENT.findall(text):
            target = resolve(kind, attributes, value, here)
            if target is None:
                continue
            if kind == "include":
                load(target)
            elif kind == "dir":
                font_dirs.append(target)
            else:
                cache_dirs.append(target)

    load(_MAIN_CONFIG)
    return _Layout(digest.digest(), tuple(dict.fromkeys(font_dirs)),
                   tuple(dict.fromkeys(cache_dirs)))


def _fontconfig_state() -> str | None:
    """A fingerprint of everything that decides fc-match's answers, or None if unknown.

    Configuration contents; the mtime of every font folder and of every folder below them
    (adding or removing a font changes its folder's mtime, and fontconfig itself trusts its
    caches by the same test); the mtime of the cache folders, which fc-cache rewrites when
    fonts are installed, also by packages whose fonts live in folders named elsewhere.
    """
    layout = _fontconfig_layout()
    if layout is None:
        return None
    digest = hashlib.sha256(layout.config)
    for path in layout.cache_dirs:
        digest.update(_stat_line("C", path))
    stack = list(reversed(layout.font_dirs))
    visited: set[tuple[int, int]] = set()
    while stack:
        path = stack.pop()
        try:
            info = os.stat(path)
        except OSError:
            digest.update(_stat_line("-", path))
            continue
        if (info.st_dev, info.st_ino) in visited:  # a symbolic link loop, or a folder named twice
            continue
        visited.add((info.st_dev, info.st_ino))
        if len(visited) > _MAX_FONT_DIRS:
            return None
        digest.update(f"T{path}\0{info.st_mtime_ns}\0{info.st_ino}\n".encode(errors="replace"))
        try:
            with os.scandir(path) as entries:
                below = sorted(entry.path for entry in entries if entry.is_dir())
        except OSError:
            continue
        stack.extend(reversed(below))
    return digest.hexdigest()


def _stat_line(tag: str, path: str) -> bytes:
    try:
        info = os.stat(path)
    except OSError:
        return f"{tag}{path}\0missing\n".encode(errors="replace")
    return f"{tag}{path}\0{info.st_mtime_ns}\0{info.st_ino}\n".encode(errors="replace")


def _file_stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


# An answer as stored: None (family not installed) or [path, index, size, mtime_ns].
_Stored = list[Any] | None


def _valid_answer(value: object) -> bool:
    if value is None:
        return True
    return (isinstance(value, list) and len(value) == 4 and isinstance(value[0], str)
            and bool(value[0]) and all(type(v) is int and v >= 0 for v in value[1:]))


class _MatchAnswers:
    """fc-match answers of earlier processes, stored with the fontconfig state they hold for."""

    def __init__(self, folder: Path | None, key: str, state: str | None) -> None:
        # Without a folder or a known state, answers live only as long as this process.
        self.folder = folder if state is not None else None
        self.key = key
        self.state = state
        self.answers: dict[str, _Stored] = self._load()

    def _load(self) -> dict[str, _Stored]:
        if self.folder is None:
            return {}
        data = cache.read_entry(self.folder, self.key, limit=1024 * 1024)
        if data is None:
            return {}
        try:
            entry = json.loads(data)
        except ValueError:  # truncated or garbage: ask again, and the next answer rewrites it
            return {}
        if not (isinstance(entry, dict) and entry.get("format") == _FORMAT
                and entry.get("state") == self.state and isinstance(entry.get("answers"), dict)):
            return {}
        answers: dict[str, _Stored] = entry["answers"]
        if not all(_valid_answer(value) for value in answers.values()):
            return {}
        return answers

    def get(self, family: str, style: str) -> tuple[bool, FontFace | None]:
        """(known, face): a found face counts only while its file is the one answered."""
        name = f"{family}\0{style}"
        if name not in self.answers:
            return False, None
        stored = self.answers[name]
        if stored is None:
            return True, None
        path, index, size, mtime_ns = stored
        if _file_stamp(path) != (size, mtime_ns):
            return False, None
        return True, FontFace(Path(path), index)

    def put(self, family: str, style: str, face: FontFace | None) -> None:
        stored: _Stored = None
        if face is not None:
            stamp = _file_stamp(str(face.path))
            if stamp is None:
                return  # gone already: nothing to vouch for
            stored = [str(face.path), face.index, *stamp]
        self.answers[f"{family}\0{style}"] = stored
        if self.folder is None:
            return
        # Other processes may have added answers since we read the entry: keep theirs too.
        merged = {**self._load(), **self.answers}
        data = json.dumps({"format": _FORMAT, "state": self.state, "answers": merged})
        cache.write_entry(self.folder, self.key, data.encode())


def _answers_key(fc_match: str, environ: Mapping[str, str]) -> str:
    facts = [_FORMAT, fc_match, *(environ.get(name, "") for name in _ANSWER_ENV)]
    return "fc-match-" + hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:32]


@functools.cache
def _match_answers(fc_match: str, folder: Path | None, key: str) -> _MatchAnswers:
    # The fingerprint is taken before the first question, so an answer is never stored
    # with a state newer than the one it was given in.
    return _MatchAnswers(folder, key, _fontconfig_state() if folder is not None else None)


def _ask_fc_match(family: str, style: str) -> tuple[bool, FontFace | None]:
    """(answered, face): answered is False when fc-match failed, an answer not worth keeping."""
    pattern = f"{family}:style={style}" if style else family
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}\n%{family}", pattern],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False, None
    lines = out.split("\n")
    if len(lines) < 3 or not lines[0]:
        return True, None
    path, index, families = lines[0], lines[1], lines[2]
    if _norm(family) not in {_norm(f) for f in families.split(",")}:
        return True, None
    return True, FontFace(Path(path), int(index) if index.strip().isdigit() else 0)


@functools.cache
def find_font_face(family: str, style: str = "Regular") -> FontFace | None:
    """The installed face of `family` (file and .ttc index), or None if not installed.

    fc-match always answers with *some* font, so the family it reports must be checked.
    Answers, "not installed" included, are reused from earlier processes only while the
    fontconfig fingerprint is unchanged (see the module's docstring); a found file is
    reused only while its size and mtime are the ones answered.
    """
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    answers = _match_answers(fc_match, cache.cache_folder(_CACHE_KIND),
                             _answers_key(fc_match, os.environ))
    known, face = answers.get(family, style)
    if known:
        return face
    answered, face = _ask_fc_match(family, style)
    if answered:
        answers.put(family, style, face)
    return face


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


# --- character maps, kept per font file --------------------------------------------------

_CMAP_MAGIC = b"RGCMAP\x00" + bytes([_FORMAT])
_CMAP_HEADER = struct.Struct("<8sII")  # magic, bitmap length, CRC-32 of the bitmap
_MAX_BITMAP = 0x110000 // 8  # every Unicode code point


class _Coverage:
    """The code points a face maps, as a bitmap: bit `cp` set when `cp` has a glyph.

    About 8 KB for a font of the Basic Multilingual Plane, so it is stored and loaded whole
    in microseconds, and a lookup is an index and a shift.
    """

    __slots__ = ("_bits",)

    def __init__(self, bits: bytes) -> None:
        self._bits = bits

    @classmethod
    def of(cls, code_points: Iterable[int]) -> _Coverage:
        points = [cp for cp in code_points if 0 <= cp < 0x110000]
        bits = bytearray((max(points) >> 3) + 1 if points else 0)
        for cp in points:
            bits[cp >> 3] |= 1 << (cp & 7)
        return cls(bytes(bits))

    def __contains__(self, cp: object) -> bool:
        if not isinstance(cp, int) or cp < 0 or cp >> 3 >= len(self._bits):
            return False
        return bool(self._bits[cp >> 3] >> (cp & 7) & 1)

    def __eq__(self, other: object) -> bool:
        # Trailing zero bytes map nothing: equal maps may differ only there.
        if not isinstance(other, _Coverage):
            return NotImplemented
        return self._bits.rstrip(b"\0") == other._bits.rstrip(b"\0")

    def __hash__(self) -> int:
        return hash(self._bits.rstrip(b"\0"))

    def __len__(self) -> int:
        return sum(byte.bit_count() for byte in self._bits)

    def lacking(self, chars: Iterable[str]) -> set[str]:
        """The characters of `chars` this face has no glyph for."""
        bits, size = self._bits, len(self._bits)
        return {ch for ch in chars
                if (cp := ord(ch)) >> 3 >= size or not bits[cp >> 3] >> (cp & 7) & 1}

    def to_bytes(self) -> bytes:
        return _CMAP_HEADER.pack(_CMAP_MAGIC, len(self._bits), zlib.crc32(self._bits)) + self._bits

    @classmethod
    def from_bytes(cls, data: bytes) -> _Coverage | None:
        """The map stored in `data`, or None unless it is whole and intact."""
        if len(data) < _CMAP_HEADER.size:
            return None
        magic, length, crc = _CMAP_HEADER.unpack_from(data)
        bits = data[_CMAP_HEADER.size:]
        if magic != _CMAP_MAGIC or length != len(bits) or length > _MAX_BITMAP:
            return None
        if zlib.crc32(bits) != crc:
            return None
        return cls(bits)


def _cmap_key(face: FontFace) -> str | None:
    """The cache key of a face's map: its file as it is now (None if it cannot be read)."""
    try:
        real = os.path.realpath(face.path)
        info = os.stat(real)
    except OSError:
        return None
    facts = b"\0".join([str(_FORMAT).encode(), os.fsencode(real), str(face.index).encode(),
                        str(info.st_size).encode(), str(info.st_mtime_ns).encode()])
    return "cmap-" + hashlib.sha256(facts).hexdigest()[:40]


def _read_cmap(face: FontFace) -> _Coverage:
    # fontTools takes ~30 ms to import and is needed only when the cache has no answer.
    from fontTools.ttLib import TTCollection, TTFont

    if face.path.suffix.lower() in (".ttc", ".otc"):
        collection = TTCollection(str(face.path), lazy=True)
        try:
            font = collection.fonts[face.index]
            return _Coverage.of(font.getBestCmap() or {})
        finally:
            collection.close()
    with TTFont(str(face.path), lazy=True) as font:
        return _Coverage.of(font.getBestCmap() or {})


@functools.cache
def _cmap(face: FontFace) -> _Coverage:
    """The code points a face maps: from the cache if this very file was read before."""
    key = _cmap_key(face)
    folder = cache.cache_folder(_CACHE_KIND) if key else None
    if folder is not None and key is not None:
        data = cache.read_entry(folder, key, limit=_CMAP_HEADER.size + _MAX_BITMAP)
        coverage = _Coverage.from_bytes(data) if data else None
        if coverage is not None:
            return coverage
    coverage = _read_cmap(face)
    if folder is not None and key is not None:
        cache.write_entry(folder, key, coverage.to_bytes())
        cache.prune(folder, _KEEP_ENTRIES)
    return coverage


# Held here, not looked up by name when forgetting: tests replace find_font_face at times.
_MEMOS = (find_font_face, _match_answers, _cmap)


def _forget() -> None:
    """Drop what this process learnt (for tests: the next lookups behave as a new process)."""
    for memo in _MEMOS:
        memo.cache_clear()


# --- coverage questions ------------------------------------------------------------------

def _ignorable(ch: str) -> bool:
    # Whitespace and control/format characters are never drawn as glyphs.
    return ch.isspace() or unicodedata.category(ch).startswith("C")


def _drawable(text: str) -> set[str]:
    # Each distinct character once: a report repeats a few thousand characters many times.
    return {ch for ch in set(text) if not _ignorable(ch)}


def _uncovered(wanted: set[str], families: Iterable[str]) -> set[str]:
    for family in families:
        if not wanted:
            break
        face = find_font_face(family, "")
        if face is None:
            continue
        wanted = _cmap(face).lacking(wanted)
    return wanted


def uncovered_characters(text: str, families: list[str]) -> set[str]:
    """Characters of `text` that none of `families` covers (a missing family covers nothing)."""
    return _uncovered(_drawable(text), families)


def coverage_report(text: str) -> tuple[set[str], set[str]]:
    """(characters some Fandol role face lacks and Noto supplies, characters nothing covers).

    A character counts as falling back if any of the Fandol faces lacks it, since headings
    and body use different faces and the same name can appear in both.
    """
    wanted = _drawable(text)
    missing = _uncovered(wanted, [*FANDOL_FAMILIES, *NOTO_FAMILIES])
    printable = wanted - missing
    fallback: set[str] = set()
    for family in FANDOL_FAMILIES:
        fallback |= _uncovered(printable, [family])
    return fallback, missing


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
    # ctypes.util costs ~15 ms to import; only this rarely asked question needs it.
    import ctypes
    import ctypes.util

    if ctypes.util.find_library("harfbuzz-subset"):
        return True
    try:
        ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError:
        return False
    return True
