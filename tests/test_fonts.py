"""Tests for reportgen.fonts: role table, font lookup, coverage, the missing-font error."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen import fonts
from reportgen.errors import FontError
from reportgen.fonts import (
    ROLES,
    FontFace,
    FontRole,
    coverage_report,
    find_font_face,
    find_font_file,
    has_harfbuzz_subset,
    require_pdf_fonts,
    uncovered_characters,
)

RARE = "镕堃喆犇"


@pytest.fixture(autouse=True)
def _fresh_lookup_cache() -> Iterator[None]:
    # Monkeypatched lookups must not leak into other tests through the per-process memo
    # (each test has its own persistent cache folder already: conftest.fresh_cache).
    fonts._forget()
    yield
    fonts._forget()


def test_roles() -> None:
    assert {"body", "heading1", "heading2", "title"} <= set(ROLES)
    body = ROLES["body"]
    assert isinstance(body, FontRole)
    assert (body.pdf_family, body.docx_name, body.docx_fallback) == (
        "FandolFang", "仿宋_GB2312", "仿宋")
    assert (ROLES["heading1"].pdf_family, ROLES["heading1"].docx_name) == ("FandolHei", "黑体")
    assert ROLES["heading2"].pdf_family == "FandolKai"
    assert (ROLES["heading2"].docx_name, ROLES["heading2"].docx_fallback) == (
        "楷体_GB2312", "楷体")
    title = ROLES["title"]
    assert (title.pdf_family, title.docx_name, title.docx_fallback, title.pdf_bold) == (
        "FandolSong", "方正小标宋简体", "宋体", True)
    assert ROLES["heading1"].pdf_fallback == "Noto Sans CJK SC"
    assert body.pdf_fallback == "Noto Serif CJK SC"
    for name, role in ROLES.items():
        assert role.name == name


@pytest.mark.parametrize("family", ["FandolFang", "FandolHei", "FandolKai", "FandolSong",
                                    "Noto Sans CJK SC", "Noto Serif CJK SC"])
def test_find_font_file_installed(family: str) -> None:
    path = find_font_file(family)
    assert path is not None and path.is_file()


def test_find_font_file_styles() -> None:
    regular = find_font_file("FandolHei")
    bold = find_font_file("FandolHei", "Bold")
    assert regular is not None and bold is not None
    assert regular.name == "FandolHei-Regular.otf"
    assert bold.name == "FandolHei-Bold.otf"


def test_find_font_face_ttc_index() -> None:
    face = find_font_face("Noto Sans CJK SC")
    assert face is not None
    assert face.path.suffix == ".ttc"
    # The SC face of the collection, so coverage checks use Simplified Chinese.
    out = subprocess.run(["fc-query", "-i", str(face.index), "-f", "%{family}", str(face.path)],
                         capture_output=True, text=True, check=True).stdout
    assert "Noto Sans CJK SC" in out


@pytest.mark.parametrize("family", ["No Such Font Family", "仿宋_GB2312", "方正小标宋简体"])
def test_find_font_file_not_installed(family: str) -> None:
    # fc-match substitutes some other font; that must not count as found.
    assert find_font_file(family) is None


def test_find_font_file_without_fontconfig(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.shutil, "which", lambda _name: None)
    assert find_font_file("FandolFang") is None


def test_find_font_file_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        return real_run(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(fonts.subprocess, "run", counting_run)
    first = find_font_file("FandolKai")
    second = find_font_file("FandolKai")
    assert first == second
    assert len(calls) == 1


def test_require_pdf_fonts_installed() -> None:
    require_pdf_fonts()


def _without(monkeypatch: pytest.MonkeyPatch, predicate: object) -> None:
    real = fonts.find_font_face.__wrapped__

    def fake(family: str, style: str = "Regular") -> FontFace | None:
        if predicate(family):  # type: ignore[operator]
            return None
        return real(family, style)

    monkeypatch.setattr(fonts, "find_font_face", fake)


def test_require_pdf_fonts_fandol_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, lambda f: f.startswith("Fandol"))
    with pytest.raises(FontError) as info:
        require_pdf_fonts()
    message = str(info.value)
    assert message == (
        "缺少 Fandol 字体（FandolFang 等）；请运行 make demo 或 sudo bash "
        "scripts/setup-system.sh（从 Debian 的 texlive-lang-chinese 包中提取）"
    )


def test_require_pdf_fonts_one_fandol_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, lambda f: f == "FandolKai")
    with pytest.raises(FontError, match="缺少 Fandol 字体（FandolKai）"):
        require_pdf_fonts()


def test_require_pdf_fonts_noto_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, lambda f: f.startswith("Noto"))
    with pytest.raises(FontError) as info:
        require_pdf_fonts()
    message = str(info.value)
    assert "缺少 Noto CJK 字体" in message
    assert "fonts-noto-cjk" in message
    assert "Fandol" not in message


def test_require_pdf_fonts_all_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, lambda _f: True)
    with pytest.raises(FontError) as info:
        require_pdf_fonts()
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert "Fandol" in lines[0] and "fonts-noto-cjk" in lines[1]


def test_uncovered_characters() -> None:
    text = f"诸暨市袜业集群 {RARE}\n\tabc 123（）、。"
    assert uncovered_characters(text, ["FandolFang"]) == set(RARE)
    assert uncovered_characters(text, ["FandolFang", "Noto Serif CJK SC"]) == set()
    # A family that is not installed covers nothing.
    assert uncovered_characters("诸暨", ["No Such Font Family"]) == {"诸", "暨"}
    assert uncovered_characters("", ["FandolFang"]) == set()


def test_uncovered_characters_ignores_whitespace_and_control() -> None:
    assert uncovered_characters(" \n\t\u3000\u200b\x07", ["No Such Font Family"]) == set()


def test_coverage_report() -> None:
    fallback, missing = coverage_report(f"产业集群发展情况调研报告，负责人王{RARE}。")
    assert fallback == set(RARE)
    assert missing == set()


def test_coverage_report_missing_everywhere() -> None:
    # U+20000 (CJK Extension B) is in neither Fandol nor Noto CJK.
    fallback, missing = coverage_report("集群\U00020000")
    assert missing == {"\U00020000"}
    assert "\U00020000" not in fallback


def test_coverage_report_plain_text_is_clean() -> None:
    assert coverage_report("一、发展现状（一）纺织服装业。共有169家企业，同比增长33.6%。") == (
        set(), set())


def test_has_harfbuzz_subset_matches_system() -> None:
    expected = any(Path(p).exists() for p in (
        "/usr/lib/x86_64-linux-gnu/libharfbuzz-subset.so.0",
        "/usr/lib/aarch64-linux-gnu/libharfbuzz-subset.so.0",
    ))
    if expected:
        assert has_harfbuzz_subset() is True
    else:
        assert isinstance(has_harfbuzz_subset(), bool)


def test_has_harfbuzz_subset_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    # fonts imports ctypes only when asked, so the modules themselves are patched.
    monkeypatch.setattr(ctypes.util, "find_library", lambda _name: None)

    def no_lib(_name: str) -> object:
        raise OSError("not found")

    monkeypatch.setattr(ctypes, "CDLL", no_lib)
    assert has_harfbuzz_subset() is False
