"""Which reports a build rebuilds, for every kind of change, and how the stamps survive.

The decisions are made by the real planner and stamp file; `quick_work` stands in for the
renderer only (it loads the survey, finds and hashes its template set like build_file, then
writes the survey's bytes as the "report"), so each case costs milliseconds. The real
renderer is exercised by tests/test_batch.py and tests/test_watch.py.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import reportgen
from reportgen import files
from reportgen.build import stamps
from reportgen.build.batch import Job, Outcome, Summary, build_batch, plan_builds
from reportgen.cli.progress import PlainReporter
from reportgen.files import atomic_write
from tests.conftest import ROOT, SAMPLES


def quick_work(job: Job, out_dir: Path) -> Outcome:
    """Everything build_job does except rendering: load, find and hash the set, write."""
    from reportgen.errors import ReportgenError
    from reportgen.survey import load_survey
    from reportgen.templating.templateset import find_template_set

    outcome = Outcome(job.source, reason=job.reason)
    try:
        survey = load_survey(job.source)
        outcome.template_set = survey.report.template or "default"
        template_set = find_template_set(survey.report.template)
    except ReportgenError as exc:
        outcome.error = str(exc)
        return outcome
    outcome.template_digest = stamps.template_set_digest(template_set.root)
    for fmt in job.formats:
        target = out_dir / f"{job.stem}.{fmt}"
        atomic_write(target, job.source.read_bytes())
        outcome.outputs.append(target)
    return outcome


class Workspace:
    """Surveys a, b (template set default) and c (set other) with their own templates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs = root / "inputs"
        self.out = root / "out"
        self.templates = root / "templates"
        self.inputs.mkdir()
        shutil.copytree(ROOT / "templates" / "default", self.templates / "default")
        shutil.copytree(ROOT / "templates" / "default", self.templates / "other")
        text = (SAMPLES / "lingxi.yaml").read_text(encoding="utf-8")
        self.write("a", text)
        self.write("b", text.replace("灵溪县", "乙县", 1))
        self.write("c", text.replace("report:\n", "report:\n  template: other\n", 1))
        self.notices: list[str] = []

    def write(self, stem: str, text: str) -> None:
        (self.inputs / f"{stem}.yaml").write_text(text, encoding="utf-8")

    def surveys(self) -> list[Path]:
        return sorted(self.inputs.glob("*.yaml"))

    def build(self, formats: tuple[str, ...] = ("docx", "pdf"), force: bool = False,
              jobs: int = 1) -> Summary:
        reporter = PlainReporter(quiet=True)
        reporter.notice = self.notices.append  # type: ignore[method-assign]
        return build_batch(self.surveys(), self.out, reporter, formats=formats, force=force,
                           jobs=jobs, work=quick_work, prepare=None)


def built(summary: Summary) -> list[str]:
    return sorted(o.source.stem for o in summary.built)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    workspace = Workspace(tmp_path)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(workspace.templates))
    first = workspace.build()
    assert built(first) == ["a", "b", "c"] and not first.failed
    return workspace


def test_nothing_changed_rebuilds_nothing(ws: Workspace) -> None:
    summary = ws.build()
    assert built(summary) == [] and len(summary.up_to_date) == 3


def test_saving_a_survey_unchanged_rebuilds_nothing(ws: Workspace) -> None:
    survey = ws.inputs / "a.yaml"
    os.utime(survey, ns=(survey.stat().st_atime_ns, survey.stat().st_mtime_ns + 10**9))
    assert built(ws.build()) == []


def test_one_edited_survey_rebuilds_only_it(ws: Workspace) -> None:
    before = (ws.out / "a.pdf").read_bytes()
    with open(ws.inputs / "b.yaml", "a", encoding="utf-8") as stream:
        stream.write("# 改了一个数\n")
    summary = ws.build()
    assert built(summary) == ["b"]
    assert summary.built[0].reason == "调研数据已修改"
    assert (ws.out / "a.pdf").read_bytes() == before
    assert built(ws.build()) == []


def test_template_edit_rebuilds_every_survey_of_that_set_and_no_other(ws: Workspace) -> None:
    css = ws.templates / "other" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* 页边距 */\n", encoding="utf-8")
    assert built(ws.build()) == ["c"]
    (ws.templates / "default" / "report.html").write_text(
        (ws.templates / "default" / "report.html").read_text(encoding="utf-8") + "\n",
        encoding="utf-8")
    summary = ws.build()
    assert built(summary) == ["a", "b"]
    assert {o.reason for o in summary.built} == {"模板集已修改"}


def formats_built(summary: Summary) -> dict[str, list[str]]:
    return {o.source.stem: sorted(p.suffix.lstrip(".") for p in o.outputs)
            for o in summary.built}


def test_a_template_edit_rebuilds_only_the_formats_that_read_the_file(ws: Workspace) -> None:
    """print.css styles the PDF only, reference.docx the DOCX only; report.html both."""
    docx = ws.out / "c.docx"
    before = docx.stat().st_mtime_ns, docx.read_bytes()
    css = ws.templates / "other" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* 页边距 */\n", encoding="utf-8")
    summary = ws.build()
    assert formats_built(summary) == {"c": ["pdf"]}
    assert summary.built[0].reason == "模板集已修改"
    assert (docx.stat().st_mtime_ns, docx.read_bytes()) == before
    (ws.templates / "other" / "fonts").mkdir()
    (ws.templates / "other" / "fonts" / "logo.otf").write_bytes(b"OTTO")
    assert formats_built(ws.build()) == {"c": ["pdf"]}
    reference = ws.templates / "other" / "reference.docx"
    reference.write_bytes(reference.read_bytes() + b"\0")
    assert formats_built(ws.build()) == {"c": ["docx"]}
    html = ws.templates / "other" / "report.html"
    html.write_text(html.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert formats_built(ws.build()) == {"c": ["docx", "pdf"]}
    assert built(ws.build()) == []


def test_a_new_file_in_a_set_counts_but_editor_junk_does_not(ws: Workspace) -> None:
    (ws.templates / "default" / ".report.html.swp").write_bytes(b"vim swap")
    (ws.templates / "default" / "report.html~").write_bytes(b"backup")
    (ws.templates / "default" / "~$ference.docx").write_bytes(b"word lock")
    assert built(ws.build()) == []
    (ws.templates / "other" / "logo.png").write_bytes(b"\x89PNG")
    assert built(ws.build()) == ["c"]


def test_survey_switching_template_set_is_rebuilt_and_then_follows_the_new_set(
        ws: Workspace) -> None:
    text = (ws.inputs / "a.yaml").read_text(encoding="utf-8")
    ws.write("a", text.replace("report:\n", "report:\n  template: other\n", 1))
    assert built(ws.build()) == ["a"]
    (ws.templates / "other" / "cluster.html").write_text("{# 改 #}\n", encoding="utf-8")
    assert built(ws.build()) == ["a", "c"]


def test_new_toolkit_version_rebuilds_everything(ws: Workspace,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reportgen, "__version__", "99.0.0")
    summary = ws.build()
    assert built(summary) == ["a", "b", "c"]
    assert {o.reason for o in summary.built} == {"工具版本已更新"}
    assert built(ws.build()) == []


def test_deleted_output_rebuilds_only_that_output(ws: Workspace) -> None:
    (ws.out / "b.docx").unlink()
    summary = ws.build()
    assert built(summary) == ["b"]
    assert summary.built[0].outputs == [ws.out / "b.docx"]  # b.pdf was still current
    assert summary.built[0].reason == "输出文件已删除"
    assert (ws.out / "b.docx").is_file()


def test_replaced_output_is_rebuilt(ws: Workspace) -> None:
    (ws.out / "c.pdf").write_bytes(b"someone saved another file here")
    assert built(ws.build()) == ["c"]


def test_force_rebuilds_everything(ws: Workspace) -> None:
    summary = ws.build(force=True)
    assert built(summary) == ["a", "b", "c"] and summary.up_to_date == []


def test_only_missing_formats_are_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(tmp_path)
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(ws.templates))
    assert built(ws.build(formats=("docx",))) == ["a", "b", "c"]
    summary = ws.build(formats=("docx", "pdf"))
    assert all([p.suffix for p in o.outputs] == [".pdf"] for o in summary.built)
    assert built(ws.build(formats=("docx",))) == []
    assert built(ws.build(formats=("pdf",))) == []


def test_a_survey_moved_to_another_folder_is_rebuilt(ws: Workspace) -> None:
    moved = ws.root / "elsewhere"
    moved.mkdir()
    shutil.copy(ws.inputs / "a.yaml", moved / "a.yaml")
    reporter = PlainReporter(quiet=True)
    summary = build_batch([moved / "a.yaml"], ws.out, reporter, work=quick_work, prepare=None)
    assert built(summary) == ["a"]
    assert built(summary) and summary.built[0].reason.startswith("上次由")


def test_failed_survey_is_not_stamped_and_is_retried(ws: Workspace) -> None:
    good = (ws.inputs / "b.yaml").read_text(encoding="utf-8")
    ws.write("b", good.replace("year: 2025", "year: 二〇二五"))
    summary = ws.build()
    assert [o.source.stem for o in summary.failed] == ["b"] and built(summary) == []
    assert "year" in summary.failed[0].error  # type: ignore[operator]
    entry = stamps.StampBook.load(ws.out).entries["b"]
    assert entry.survey != stamps.file_digest(ws.inputs / "b.yaml")  # still the old stamp
    again = ws.build()
    assert [o.source.stem for o in again.failed] == ["b"], "a failure must be retried"
    ws.write("b", good.replace("year: 2025", "year: 2024"))
    assert built(ws.build()) == ["b"]
    assert built(ws.build()) == []
    # Undoing an edit whose build failed: the outputs on disk are still those of these
    # bytes (a failed build never replaces them), so there is nothing to do.
    ws.write("b", good.replace("year: 2025", "year: 二〇二五"))
    assert ws.build().failed
    ws.write("b", good.replace("year: 2025", "year: 2024"))
    assert built(ws.build()) == []


def test_failure_does_not_stop_the_others(ws: Workspace) -> None:
    ws.write("bad", "schema: 1\nregion: [\n")
    for stem in "abc":
        (ws.out / f"{stem}.docx").unlink()
    summary = ws.build(jobs=2)
    assert built(summary) == ["a", "b", "c"]
    assert [o.source.stem for o in summary.failed] == ["bad"]
    assert "bad.yaml" in summary.failed[0].first_error_line
    assert not summary.ok


# -- the stamp file itself --------------------------------------------------------------


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "a folder",
                                    "future format"])
def test_damaged_stamp_file_means_rebuild_everything_not_a_crash(ws: Workspace,
                                                                 damage: str) -> None:
    path = ws.out / stamps.STAMP_FILE
    good = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "wrong shape":
        path.write_text(json.dumps({"stamps": 1, "surveys": {"a": {"source": 3}}}))
    elif damage == "a folder":
        path.unlink()
        path.mkdir()
    else:
        path.write_text(json.dumps({"stamps": 999, "surveys": {}}))
    summary = ws.build()
    assert built(summary) == ["a", "b", "c"]
    assert any("将全部重新生成" in n for n in ws.notices), ws.notices
    if damage != "a folder":  # replaced by a good file: the next build is a no-op again
        assert built(ws.build()) == []


def test_interrupted_stamp_write_leaves_the_old_stamps_valid(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ws.out / stamps.STAMP_FILE
    before = path.read_bytes()
    book = stamps.StampBook.load(ws.out)
    book.entries.pop("a")
    book.dirty = True

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # as if the process died between write and rename

    monkeypatch.setattr(files.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        book.save()
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in ws.out.iterdir() if p.name.endswith(".tmp")] == []
    assert built(ws.build(jobs=1)) == []


def test_stamps_are_written_atomically_beside_outputs(ws: Workspace) -> None:
    data = json.loads((ws.out / stamps.STAMP_FILE).read_text(encoding="utf-8"))
    assert data["stamps"] == stamps.STAMP_FORMAT
    entry = data["surveys"]["c"]
    assert entry["template_set"] == "other"
    assert entry["source"] == str((ws.inputs / "c.yaml").resolve())
    assert set(entry["outputs"]) == {"docx", "pdf"}
    assert entry["outputs"]["pdf"]["size"] == (ws.out / "c.pdf").stat().st_size


def test_plan_needs_no_yaml_parser(ws: Workspace) -> None:
    # Deciding is hashing: it works even for a survey no YAML parser could read, and it
    # names that survey as a job (the build then reports why), never raising itself.
    ws.write("a", "\x00 not yaml at all: [")
    book = stamps.StampBook.load(ws.out)
    plan = plan_builds(ws.surveys(), ws.out, ("docx", "pdf"), book)
    assert [job.stem for job in plan.jobs] == ["a"]
    assert sorted(p.stem for p in plan.up_to_date) == ["b", "c"]


def test_next_build_removes_what_killed_builds_left_behind(ws: Workspace) -> None:
    leftovers = [ws.out / ".a.docx.k3x9_q2z.tmp", ws.out / ".b.pdf.0abcdefg.tmp",
                 ws.out / "..reportgen-stamps.json.zz9_8y7x.tmp"]
    kept = [ws.out / ".a.docx.swp", ws.out / "notes.tmp", ws.out / ".gitkeep"]
    for path in leftovers + kept:
        path.write_bytes(b"partial")
    assert built(ws.build()) == []
    assert [p for p in leftovers if p.exists()] == []
    assert all(p.exists() for p in kept)
