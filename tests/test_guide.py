"""docs/模板编辑指南.md cannot rot: each of its examples is applied and checked here.

A fenced block in the guide is preceded by a marker comment saying what to do with it:

    <!-- test: case NAME | find templates/default/report.html -->   start a case (a fresh copy
                                                                    of the sets and samples);
                                                                    the block must be in the file
    <!-- test: replace | expect-text lingxi 某句话 -->                 the block replaces what was
                                                                    found; then render and check
    <!-- test: find templates/default/report.html | delete -->      remove the block from the file
    <!-- test: merge inputs/zhucheng.yaml -->                       the block's first line is in
                                                                    the file; add the rest under it
    <!-- test: run -->                                              a console transcript: run each
                                                                    `$ reportgen …`, compare output
    <!-- test: shown -->                                            illustration only (Jinja is
                                                                    still parsed)

Expectations render a sample survey with the set it chooses, as a build does:
expect-text / expect-no-text SURVEY TEXT, expect-figure SURVEY CAPTION-PART,
expect-style SURVEY TAG PROPERTY VALUE (the print CSS, laid out by WeasyPrint).
In transcripts a line "⋯" stands for any number of lines and "⋯" inside a line for any text.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pytest

from reportgen import formatting
from reportgen.templating import helpers
from reportgen.templating.context import CONTEXT_NAMES
from reportgen.templating.environment import BOUND_HELPERS
from reportgen.writers.styles import STYLE_LABELS
from tests.conftest import ROOT, SAMPLES

GUIDE = ROOT / "docs" / "模板编辑指南.md"
MAX_IMAGE_BYTES = 200_000

_BLOCK = re.compile(r"<!--\s*test:(?P<steps>.*?)-->\s*\n(?P<fence>`{3,})(?P<lang>[^\n]*)\n"
                    r"(?P<body>.*?)\n(?P=fence)[ \t]*$", re.S | re.M)
_FENCE = re.compile(r"^(`{3,})([^\n]*)\n(.*?)\n\1[ \t]*$", re.S | re.M)


@dataclass
class Snippet:
    steps: list[list[str]]
    lang: str
    body: str
    line: int


@dataclass
class Case:
    name: str
    snippets: list[Snippet] = field(default_factory=list)


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def snippets() -> list[Snippet]:
    text = guide_text()
    found = []
    for match in _BLOCK.finditer(text):
        steps = [s.strip().split(maxsplit=4) for s in match.group("steps").split(" | ")]
        found.append(Snippet([s for s in steps if s], match.group("lang").strip(),
                             match.group("body"), text.count("\n", 0, match.start()) + 1))
    return found


def cases() -> dict[str, Case]:
    result: dict[str, Case] = {}
    current: Case | None = None
    for snippet in snippets():
        if snippet.steps and snippet.steps[0][0] == "case":
            current = result.setdefault(snippet.steps[0][1], Case(snippet.steps[0][1]))
            snippet.steps = snippet.steps[1:]
        if current is not None and any(s[0] != "shown" for s in snippet.steps):
            current.snippets.append(snippet)
    return result


# ----------------------------------------------------------------------------- running


class Workspace:
    """What a staff member has: the toolkit's sets and the sample surveys, in one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for name in ("default", "brief"):
            shutil.copytree(ROOT / "templates" / name, root / "templates" / name)
        shutil.copytree(SAMPLES, root / "inputs")
        self.found: tuple[Path, str] | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "REPORTGEN_TEMPLATES": str(self.root / "templates"),
                "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "100"}

    def find(self, path: str, body: str, where: str) -> None:
        file = self.root / path
        text = file.read_text(encoding="utf-8")
        assert body in text, f"{where}: the guide's snippet is no longer in {path}:\n{body}"
        self.found = (file, body)

    def replace(self, body: str, where: str) -> None:
        assert self.found, f"{where}: replace without a find before it"
        file, old = self.found
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace(old, body, 1), encoding="utf-8")
        self.found = (file, body)

    def delete(self, where: str) -> None:
        assert self.found, f"{where}: delete without a find"
        file, old = self.found
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace(old + "\n", "", 1) if old + "\n" in text
                        else text.replace(old, "", 1), encoding="utf-8")

    def merge(self, path: str, body: str, where: str) -> None:
        file = self.root / path
        lines = file.read_text(encoding="utf-8").split("\n")
        first, *rest = body.split("\n")
        assert first in lines, f"{where}: {first!r} is not a line of {path}"
        at = lines.index(first) + 1
        file.write_text("\n".join(lines[:at] + rest + lines[at:]), encoding="utf-8")

    def run(self, transcript: str, where: str) -> None:
        commands: list[tuple[str, list[str]]] = []
        for line in transcript.split("\n"):
            if line.startswith("$ "):
                commands.append((line[2:], []))
            else:
                assert commands, f"{where}: a transcript starts with `$ reportgen …`"
                commands[-1][1].append(line)
        for command, expected in commands:
            args = shlex.split(command)
            assert args[0] == "reportgen", f"{where}: only reportgen commands are run"
            result = subprocess.run([sys.executable, "-m", "reportgen", *args[1:]],
                                    cwd=self.root, env=self.env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, timeout=300)
            actual = [line.rstrip() for line in result.stdout.rstrip("\n").split("\n")]
            assert transcript_matches(expected, actual), (
                f"{where}: output of `{command}` differs from the guide.\n--- guide:\n"
                + "\n".join(expected) + "\n--- real:\n" + "\n".join(actual))

    # -- expectations -------------------------------------------------------------------

    def document(self, survey: str):  # type: ignore[no-untyped-def]
        from reportgen.build import render_document, template_set_for
        from reportgen.survey import load_survey

        loaded = load_survey(self.root / "inputs" / f"{survey}.yaml")
        template_set = template_set_for(loaded, self.root / "templates")
        return render_document(loaded, template_set), template_set

    def expect(self, step: list[str], where: str) -> None:
        kind, survey, *rest = step
        document, template_set = self.document(survey)
        text = document.plain_text()
        if kind == "expect-text":
            assert " ".join(rest) in text, f"{where}: {' '.join(rest)!r} not in the report"
        elif kind == "expect-no-text":
            assert " ".join(rest) not in text, f"{where}: {' '.join(rest)!r} still in the report"
        elif kind == "expect-figure":
            captions = [f.caption for f in document.figures()]
            assert any(" ".join(rest) in c for c in captions), f"{where}: figures {captions}"
        elif kind == "expect-style":
            tag, prop, value = rest
            assert computed_style(document, template_set.root, tag, prop) == value, where
        else:
            raise AssertionError(f"{where}: unknown step {kind}")


def transcript_matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; a '⋯' line matches any number of lines, '⋯' in a line any text."""
    while expected and not expected[-1].strip():
        expected = expected[:-1]
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "⋯":
        return any(transcript_matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.rstrip().split("⋯"))
    return re.fullmatch(pattern, actual[0]) is not None and transcript_matches(rest, actual[1:])


def computed_style(document, root: Path, tag: str, prop: str) -> str:  # type: ignore[no-untyped-def]
    """A CSS property of the first `tag` box as WeasyPrint lays out the PDF page."""
    import weasyprint

    from reportgen.writers.html import document_to_html
    from reportgen.writers.pdf_writer import ResourcePolicy, make_url_fetcher

    policy = ResourcePolicy(root)
    rendered = weasyprint.HTML(string=document_to_html(document), base_url=policy.base_url(),
                               url_fetcher=make_url_fetcher(policy)).render()

    def boxes(box):  # type: ignore[no-untyped-def]
        yield box
        for child in getattr(box, "children", []):
            yield from boxes(child)

    for page in rendered.pages:
        for box in boxes(page._page_box):
            if getattr(box, "element_tag", None) == tag:
                if prop == "font-size":
                    return f"{box.style['font_size'] * 0.75:g}pt"
                if prop == "color":
                    red, green, blue = (round(c * 255) for c in box.style["color"].coordinates)
                    return f"#{red:02x}{green:02x}{blue:02x}"
                raise AssertionError(f"unsupported property {prop}")
    raise AssertionError(f"no <{tag}> in the laid-out report")


@pytest.mark.parametrize("name", list(cases()))
def test_guide_example(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = Workspace(tmp_path)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(tmp_path / "templates"))
    monkeypatch.chdir(tmp_path)
    for snippet in cases()[name].snippets:
        where = f"{GUIDE.name}:{snippet.line}"
        for step in snippet.steps:
            kind = step[0]
            if kind == "find":
                workspace.find(step[1], snippet.body, where)
            elif kind == "replace":
                workspace.replace(snippet.body, where)
            elif kind == "delete":
                workspace.delete(where)
            elif kind == "merge":
                workspace.merge(step[1], snippet.body, where)
            elif kind == "run":
                workspace.run(snippet.body, where)
            elif kind.startswith("expect-"):
                # Text to look for may contain spaces: everything after the survey.
                workspace.expect([kind, step[1], " ".join(step[2:])] if kind != "expect-style"
                                 else step, where)
            elif kind != "shown":
                raise AssertionError(f"{where}: unknown step {kind}")


# ----------------------------------------------------------------------------- the guide


def test_there_are_examples_for_each_topic() -> None:
    names = set(cases())
    for topic in ("sentence", "paragraph", "figure", "drop-section", "new-set", "css",
                  "error", "unclosed", "check"):
        assert topic in names, f"no tested example for {topic}"


def test_every_code_block_is_marked() -> None:
    """No example escapes the tests: each fence has a marker; illustrations still parse."""
    text = guide_text()
    marked = {m.start("fence") for m in _BLOCK.finditer(text)}
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        assert match.start() in marked, f"{GUIDE.name}:{line}: code block without <!-- test: -->"
    env = jinja2.Environment()
    for snippet in snippets():
        if snippet.lang == "html" and all(s == ["shown"] for s in snippet.steps):
            env.parse(snippet.body)  # a TemplateSyntaxError fails the test


def test_style_list_is_the_writers_list() -> None:
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|", guide_text(), re.M)
    listed = {name: label for name, label in rows if name in STYLE_LABELS}
    assert list(listed) == list(STYLE_LABELS), "the guide's style list must be complete"
    for name, label in STYLE_LABELS.items():
        assert listed[name] == label.replace("|", "\\|"), name


def test_every_name_templates_can_use_is_documented() -> None:
    from reportgen.survey.model import Cluster, Finding

    text = guide_text()
    names = [*CONTEXT_NAMES, *formatting.FILTERS, *helpers.FILTERS, *helpers.HELPERS,
             *BOUND_HELPERS, *Cluster.model_fields, *Finding.model_fields, "growth_rate"]
    missing = [n for n in names if not re.search(rf"`[^`\n]*\b{n}\b[^`\n]*`", text)]
    assert not missing, f"not in the guide: {missing}"


def test_images_exist_and_are_small() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", guide_text())
    assert len(images) >= 4
    for image in images:
        path = (GUIDE.parent / image).resolve()
        assert path.is_file(), image
        assert path.suffix == ".png" and path.stat().st_size < MAX_IMAGE_BYTES, image
