"""Tests for the font facts kept between processes (reportgen.fonts with reportgen.cache).

Each test starts with an empty cache folder (conftest.fresh_cache) and a process that has
learnt nothing yet (fonts._forget); calling fonts._forget() again inside a test stands for
the next process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib.tables._c_m_a_p import table__c_m_a_p

from reportgen import cache, fonts
from reportgen.fonts import FontFace

ROOT = Path(__file__).resolve().parent.parent
RARE = "镕堃喆犇"
# Rare characters (Fandol lacks them, Noto has them) and U+20000, which no face has: every
# one of the six faces is consulted.
TEXT = f"产业集群发展情况调研报告，负责人王{RARE}。\U00020000"
EXPECTED = (set(RARE), {"\U00020000"})


@pytest.fixture(autouse=True)
def _new_process() -> Iterator[None]:
    fonts._forget()
    yield
    fonts._forget()


@pytest.fixture
def decompiles(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every cmap table fontTools decompiles from now on (one item per table)."""
    calls: list[object] = []
    real = table__c_m_a_p.decompile

    def counting(self: table__c_m_a_p, data: bytes, ttFont: object) -> None:
        calls.append(ttFont)
        real(self, data, ttFont)

    monkeypatch.setattr(table__c_m_a_p, "decompile", counting)
    return calls


def _folder() -> Path:
    folder = cache.cache_folder("fonts")
    assert folder is not None
    return folder


def _entries(prefix: str) -> list[Path]:
    return sorted(p for p in _folder().iterdir() if p.name.startswith(prefix))


def _installed(family: str) -> FontFace:
    face = fonts.find_font_face(family, "")
    assert face is not None, f"{family} is not installed; run scripts/setup-system.sh"
    return face


# --- a fresh process -------------------------------------------------------------------

CHILD = textwrap.dedent("""\
    import json, subprocess, sys

    calls = []
    real_run = subprocess.run

    def counting_run(args, *rest, **kwargs):
        calls.append(args)
        return real_run(args, *rest, **kwargs)

    subprocess.run = counting_run
    if sys.argv[1] == "refuse-cmaps":
        from fontTools.ttLib.tables._c_m_a_p import table__c_m_a_p

        def refuse(*args, **kwargs):
            raise AssertionError("a cmap was decompiled")

        table__c_m_a_p.decompile = refuse

    from reportgen import fonts

    fallback, missing = fonts.coverage_report(sys.argv[2])
    fonts.require_pdf_fonts()
    json.dump({"fallback": sorted(fallback), "missing": sorted(missing),
               "fc_match": sum(1 for c in calls if c and c[0] == "fc-match")}, sys.stdout)
""")


def _child(mode: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-c", CHILD, mode, TEXT], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_second_process_neither_decompiles_nor_runs_fc_match() -> None:
    first = _child("normal")
    assert first["fc_match"] > 0  # the cache was empty
    second = _child("refuse-cmaps")  # the child's env carries the same REPORTGEN_CACHE_DIR
    assert (second["fallback"], second["missing"]) == (first["fallback"], first["missing"])
    assert (set(first["fallback"]), set(first["missing"])) == EXPECTED
    assert second["fc_match"] == 0


def test_warm_cache_same_answers_in_process(decompiles: list[object]) -> None:
    assert fonts.coverage_report(TEXT) == EXPECTED
    assert len(decompiles) == 6
    fonts._forget()
    assert fonts.coverage_report(TEXT) == EXPECTED
    assert len(decompiles) == 6


# --- character maps ----------------------------------------------------------------------

def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip_a_bit(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _longer(data: bytes) -> bytes:
    return data + b"\0" * 8


@pytest.mark.parametrize("spoil", [
    _truncate,
    _flip_a_bit,
    _longer,
    lambda _data: b"",
    lambda _data: b"\x00" * 40,
    lambda data: os.urandom(len(data)),
    lambda _data: b"RGCMAP\x00\x01" + b"\xff" * 8,  # right magic, nonsense header
], ids=["truncated", "bit-flipped", "longer", "empty", "zeros", "garbage", "bad-header"])
def test_spoilt_cmap_entry_is_read_again(spoil: Callable[[bytes], bytes],
                                         decompiles: list[object]) -> None:
    # One face is enough (the whole report reads six, at ~0.1 s each): entries are alike.
    face = _installed("FandolFang")
    text = f"诸暨{RARE}"
    assert fonts.uncovered_characters(text, ["FandolFang"]) == set(RARE)
    [entry] = _entries("cmap-")
    good = entry.read_bytes()
    entry.write_bytes(spoil(good))
    fonts._forget()

    assert fonts.uncovered_characters(text, ["FandolFang"]) == set(RARE)
    assert len(decompiles) == 2  # the spoilt entry was not trusted
    assert entry.read_bytes() == good  # and was written again
    fonts._forget()
    assert fonts._cmap(face) == fonts._Coverage.from_bytes(good)
    assert len(decompiles) == 2


def test_cmap_entry_follows_the_file(tmp_path: Path, decompiles: list[object]) -> None:
    fang = _installed("FandolFang").path
    kai = _installed("FandolKai").path
    copy = tmp_path / "Face.otf"
    shutil.copy2(fang, copy)
    face = FontFace(copy)
    fang_map = fonts._cmap(face)
    assert ord("诸") in fang_map and ord("镕") not in fang_map
    assert len(decompiles) == 1

    fonts._forget()
    assert fonts._cmap(face) == fang_map
    assert len(decompiles) == 1  # the same file: read from the cache

    # Only the mtime changes: the entry is not trusted any more.
    info = copy.stat()
    os.utime(copy, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    fonts._forget()
    assert fonts._cmap(face) == fang_map
    assert len(decompiles) == 2

    # Another font under the same name, with the old mtime: its own map, not the old one.
    shutil.copyfile(kai, copy)
    os.utime(copy, ns=(info.st_atime_ns, info.st_mtime_ns))
    fonts._forget()
    kai_map = fonts._cmap(FontFace(kai))
    assert fonts._cmap(face) == kai_map != fang_map


def test_coverage_bitmap_round_trip() -> None:
    points = [0x20, 0x4E00, 0x9FFF, 0x20000]
    coverage = fonts._Coverage.of(points)
    assert all(cp in coverage for cp in points)
    assert 0x21 not in coverage and 0x10FFFF not in coverage and -1 not in coverage
    assert len(coverage) == 4
    assert coverage.lacking(["\u4e00", "\u4e01", "\U00020000", "\U0010ffff"]) == {
        "\u4e01", "\U0010ffff"}
    assert fonts._Coverage.from_bytes(coverage.to_bytes()) == coverage
    assert fonts._Coverage.from_bytes(_flip_a_bit(coverage.to_bytes())) is None
    empty = fonts._Coverage.of([])
    assert fonts._Coverage.from_bytes(empty.to_bytes()) == empty
    assert 0 not in empty


# --- fc-match answers --------------------------------------------------------------------

FAMILY = "Reportgen Test Family"


@pytest.fixture
def fontconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A pretend fontconfig: its folders live in tmp_path, fc-match answers from `installed`.

    Returns the state the test changes: "installed" (family → file), "calls" (fc-match
    patterns asked), "font_dir", "cache_dir" and "config" (the configuration's digest).
    """
    font_dir = tmp_path / "fonts"
    cache_dir = tmp_path / "fontconfig-cache"
    font_dir.mkdir()
    cache_dir.mkdir()
    world: dict[str, Any] = {"installed": {}, "calls": [], "font_dir": font_dir,
                             "cache_dir": cache_dir, "config": b"config 1"}
    monkeypatch.setattr(fonts, "_fontconfig_layout", lambda: fonts._Layout(
        world["config"], (str(font_dir),), (str(cache_dir),)))

    def fake_run(args: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        assert args[0] == "fc-match"
        pattern = args[-1]
        world["calls"].append(pattern)
        family = pattern.split(":")[0]
        path = world["installed"].get(family)
        out = f"{path}\n0\n{family}" if path else "/usr/share/fonts/Other.ttf\n0\nDejaVu Sans"
        return subprocess.CompletedProcess(args, 0, out, "")

    monkeypatch.setattr(fonts.subprocess, "run", fake_run)
    monkeypatch.setattr(fonts.shutil, "which", lambda name: f"/usr/bin/{name}")
    return world


def _bump(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def _change_cache_dir(world: dict[str, Any]) -> None:
    _bump(world["cache_dir"])  # what fc-cache does when a package installs fonts


def _add_font_folder(world: dict[str, Any]) -> None:
    (world["font_dir"] / "new-fonts").mkdir()  # a font copied by hand, no fc-cache


def _change_config(world: dict[str, Any]) -> None:
    world["config"] = b"config 2"


@pytest.mark.parametrize("change", [_change_cache_dir, _add_font_folder, _change_config],
                         ids=["cache-dir-mtime", "font-folder", "config"])
def test_fc_match_asked_again_when_fontconfig_changes(
        change: Callable[[dict[str, Any]], None], fontconfig: dict[str, Any],
        tmp_path: Path) -> None:
    font = tmp_path / "fonts" / "Test.otf"
    font.write_bytes(b"not really a font")
    fontconfig["installed"]["FandolFang"] = str(font)
    assert fonts.find_font_face("FandolFang", "") == FontFace(font)
    assert fonts.find_font_face(FAMILY, "") is None  # not installed (yet)
    assert len(fontconfig["calls"]) == 2

    fonts._forget()
    assert fonts.find_font_face("FandolFang", "") == FontFace(font)
    assert fonts.find_font_face(FAMILY, "") is None
    assert len(fontconfig["calls"]) == 2  # both answers, the negative one too, were kept

    fontconfig["installed"][FAMILY] = str(font)  # installed, and fontconfig notices:
    change(fontconfig)
    fonts._forget()
    assert fonts.find_font_face(FAMILY, "") == FontFace(font)
    assert fonts.find_font_face("FandolFang", "") == FontFace(font)
    assert fontconfig["calls"][2:] == [FAMILY, "FandolFang"]

    fonts._forget()
    assert fonts.find_font_face(FAMILY, "") == FontFace(font)
    assert len(fontconfig["calls"]) == 4


def test_fc_match_asked_again_when_the_answered_file_changes(
        fontconfig: dict[str, Any], tmp_path: Path) -> None:
    font = tmp_path / "Test.otf"
    font.write_bytes(b"one")
    fontconfig["installed"][FAMILY] = str(font)
    assert fonts.find_font_face(FAMILY) == FontFace(font)
    fonts._forget()
    assert fonts.find_font_face(FAMILY) == FontFace(font)
    assert fontconfig["calls"] == [f"{FAMILY}:style=Regular"]

    font.write_bytes(b"two, longer")
    fonts._forget()
    assert fonts.find_font_face(FAMILY) == FontFace(font)
    assert len(fontconfig["calls"]) == 2

    font.unlink()  # removed without fontconfig noticing: asked again, not trusted
    del fontconfig["installed"][FAMILY]
    fonts._forget()
    assert fonts.find_font_face(FAMILY) is None
    assert len(fontconfig["calls"]) == 3


def test_fc_match_failure_is_not_kept(fontconfig: dict[str, Any],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(args: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        raise subprocess.TimeoutExpired(args, 30)

    with monkeypatch.context() as patch:
        patch.setattr(fonts.subprocess, "run", broken)
        assert fonts.find_font_face(FAMILY, "") is None
    assert _entries("fc-match-") == []
    fontconfig["installed"][FAMILY] = "/usr/share/fonts/x.otf"
    fonts._forget()
    assert fonts.find_font_face(FAMILY, "") == FontFace(Path("/usr/share/fonts/x.otf"))
    assert fontconfig["calls"] == [FAMILY]  # asked, though nothing about fonts changed


@pytest.mark.parametrize("content", [
    b"",
    b"{",
    b"\xff\xfe garbage",
    b"[]",
    b'{"format": 1, "state": "x", "answers": {}}',
])
def test_spoilt_fc_match_entry_is_ignored(content: bytes, fontconfig: dict[str, Any],
                                          tmp_path: Path) -> None:
    font = tmp_path / "Test.otf"
    font.write_bytes(b"font")
    fontconfig["installed"][FAMILY] = str(font)
    assert fonts.find_font_face(FAMILY, "") == FontFace(font)
    [entry] = _entries("fc-match-")
    good = json.loads(entry.read_bytes())
    entry.write_bytes(content)
    fonts._forget()
    assert fonts.find_font_face(FAMILY, "") == FontFace(font)
    assert len(fontconfig["calls"]) == 2
    assert json.loads(entry.read_bytes()) == good  # rewritten with the fresh answer


@pytest.mark.parametrize("answer", [
    ["/x.otf", 0, 1],  # too short
    ["/x.otf", "0", 1, 2],  # index not a number
    ["/x.otf", 0, True, 2],
    ["", 0, 1, 2],
    "FandolFang",
])
def test_fc_match_entry_of_the_wrong_shape_is_ignored(
        answer: object, fontconfig: dict[str, Any], tmp_path: Path) -> None:
    font = tmp_path / "Test.otf"
    font.write_bytes(b"font")
    fontconfig["installed"][FAMILY] = str(font)
    assert fonts.find_font_face(FAMILY, "") == FontFace(font)
    [entry] = _entries("fc-match-")
    stored = json.loads(entry.read_bytes())
    stored["answers"][f"{FAMILY}\0"] = answer
    entry.write_text(json.dumps(stored))
    fonts._forget()
    assert fonts.find_font_face(FAMILY, "") == FontFace(font)
    assert len(fontconfig["calls"]) == 2


def test_fontconfig_state_of_this_machine_is_stable() -> None:
    if not Path(fonts._MAIN_CONFIG).is_file():
        pytest.skip("not the usual fontconfig layout: answers are not kept at all")
    # fontconfig may write its user cache on a first run (a fresh machine): let it settle.
    subprocess.run(["fc-match", "FandolKai"], capture_output=True, check=True)
    first = fonts._fontconfig_state()
    assert first is not None
    _installed("FandolFang")  # running fc-match must not change what it depends on
    assert fonts._fontconfig_state() == first


def test_custom_fontconfig_is_not_persisted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FONTCONFIG_FILE", fonts._MAIN_CONFIG)
    assert fonts._fontconfig_layout() is None
    _installed("FandolFang")
    assert _entries("fc-match-") == []


def test_fontconfig_layout_reads_includes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    etc = tmp_path / "etc"
    (etc / "conf.d").mkdir(parents=True)
    home = tmp_path / "home"
    (home / ".config" / "fontconfig").mkdir(parents=True)
    main = etc / "fonts.conf"
    main.write_text(textwrap.dedent("""\
        <?xml version="1.0"?>
        <fontconfig>
          <dir>/usr/share/fonts</dir>
          <dir prefix="xdg">fonts</dir>
          <dir>~/.fonts</dir>
          <!-- <dir>/commented/out</dir> -->
          <include ignore_missing="yes">conf.d</include>
          <include ignore_missing="yes" prefix="xdg">fontconfig/fonts.conf</include>
          <cachedir>/var/cache/fontconfig</cachedir>
          <cachedir prefix="xdg">fontconfig</cachedir>
        </fontconfig>
        """))
    (etc / "conf.d" / "09-texlive.conf").write_text(
        "<fontconfig><dir>/usr/share/texlive/fonts</dir></fontconfig>")
    (etc / "conf.d" / "README").write_text("<dir>/not/a/conf/file</dir>")
    user = home / ".config" / "fontconfig" / "fonts.conf"
    user.write_text("<fontconfig><dir> /opt/fonts </dir></fontconfig>")
    monkeypatch.setattr(fonts, "_MAIN_CONFIG", str(main))
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", *fonts._CONFIG_ENV):
        monkeypatch.delenv(name, raising=False)

    layout = fonts._fontconfig_layout()
    assert layout is not None
    assert layout.font_dirs == ("/usr/share/fonts", f"{home}/.local/share/fonts",
                                f"{home}/.fonts", "/usr/share/texlive/fonts", "/opt/fonts")
    assert layout.cache_dirs == ("/var/cache/fontconfig", f"{home}/.cache/fontconfig")

    user.write_text("<fontconfig><dir>/opt/other-fonts</dir></fontconfig>")
    changed = fonts._fontconfig_layout()
    assert changed is not None and changed.config != layout.config
    user.unlink()  # a missing file is a state of its own
    removed = fonts._fontconfig_layout()
    assert removed is not None and removed.config not in (layout.config, changed.config)

    monkeypatch.delenv("HOME")  # no home: fontconfig skips "~" and xdg folders, so do we
    homeless = fonts._fontconfig_layout()
    assert homeless is not None
    assert homeless.font_dirs == ("/usr/share/fonts", "/usr/share/texlive/fonts")


# --- caching off or impossible -----------------------------------------------------------

def _cache_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_caching_off(monkeypatch: pytest.MonkeyPatch, decompiles: list[object]) -> None:
    root = Path(os.environ[cache.CACHE_ENV])
    assert fonts.uncovered_characters(f"诸暨{RARE}", ["FandolFang"]) == set(RARE)
    written = _cache_files(root)
    assert written  # caching on: FandolFang's map and its fc-match answer

    monkeypatch.setenv(cache.CACHE_ENV, "")
    fonts._forget()
    assert fonts.coverage_report(TEXT) == EXPECTED
    fonts.require_pdf_fonts()
    assert len(decompiles) == 1 + 6  # FandolFang's entry was not read either
    assert _cache_files(root) == written


def test_cache_that_cannot_be_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    assert fonts.coverage_report(TEXT) == EXPECTED
    fonts.require_pdf_fonts()


def test_cache_that_cannot_be_written(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> tuple[int, str]:
        raise PermissionError("read-only file system")

    # Tests run as root at times, where a read-only folder is writable all the same.
    monkeypatch.setattr(cache.tempfile, "mkstemp", refuse)
    assert fonts.coverage_report(TEXT) == EXPECTED
    fonts.require_pdf_fonts()
    assert _entries("") == []


# --- cheaper coverage questions -----------------------------------------------------------

def test_each_character_is_judged_once(monkeypatch: pytest.MonkeyPatch) -> None:
    judged: list[str] = []
    real = fonts._ignorable

    def counting(ch: str) -> bool:
        judged.append(ch)
        return real(ch)

    monkeypatch.setattr(fonts, "_ignorable", counting)
    text = "诸暨市袜业集群，同比增长。\n" * 2000
    assert fonts.uncovered_characters(text, ["FandolFang"]) == set()
    assert sorted(judged) == sorted(set(text))
    judged.clear()
    assert fonts.coverage_report(text + RARE) == (set(RARE), set())
    assert len(judged) == len(set(text + RARE))
