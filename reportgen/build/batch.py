"""Batch builds: skip what is up to date, build the rest in worker processes, stamp results.

    build_batch(paths, out_dir, formats, reporter, force=, jobs=)   what `build` and `watch` run
    plan_builds(...)    which surveys (and formats) need building, and why; reads no YAML
    run_jobs(...)       builds jobs in-process (one job) or in a pool of worker processes

Deciding that nothing needs building must stay cheap (200 surveys well under half a second),
so this module imports only the standard library and build.stamps at load time; Jinja,
lxml, matplotlib, WeasyPrint and python-docx are imported only once something is built.

Workers are forked from a parent that has already imported the heavy libraries and
registered the fonts (prepare_worker), so each worker starts in milliseconds, pays for those
imports zero times rather than once per report, and pools can be recycled cheaply. The
parent runs no threads of its own while it forks (the progress display refreshes from the
main loop), which keeps fork safe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from reportgen.build import stamps
from reportgen.build.children import become_child, collected_warnings
from reportgen.build.inputs import readable_survey, resolved
from reportgen.build.lock import output_lock
from reportgen.build.outputs import remove_leftovers
from reportgen.errors import describe, internal_error, os_reason
from reportgen.writers import DEFAULT_FORMATS, WRITERS

STAMP_FLUSH_SECONDS = 1.0  # an interrupted batch keeps the stamps of what it finished
JOBS_PER_WORKER = 50  # then the pool is replaced, so no worker's memory creeps up for ever
TICK_SECONDS = 0.2


@dataclass(frozen=True)
class Job:
    """One survey to build, in the formats whose outputs are not current."""

    source: Path
    formats: tuple[str, ...]
    survey_digest: str | None  # None if the file could not be read (the build says why)
    reason: str

    @property
    def stem(self) -> str:
        return self.source.stem


@dataclass
class Plan:
    jobs: list[Job]
    up_to_date: list[Path]
    toolchain: str
    notices: list[str] = field(default_factory=list)
    template_sets: dict[Path, str] = field(default_factory=dict)  # as stamped


@dataclass
class Outcome:
    """What a worker sends back: plain data only (exceptions with extra fields don't pickle)."""

    source: Path
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None  # the full message staff read (file:line), when it failed
    template_set: str | None = None
    template_digest: stamps.SetDigest | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def first_error_line(self) -> str:
        first = (self.error or "").strip().splitlines()[0] if self.error else ""
        return first if str(self.source) in first else f"{self.source}：{first}"


@dataclass
class Summary:
    built: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    up_to_date: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    # survey → the template set it uses, as far as known (stamps, then this build)
    template_sets: dict[Path, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted


class Reporter(Protocol):
    """What a batch tells the person watching (see reportgen.progress)."""

    def waiting_for_lock(self, out_dir: Path) -> None: ...
    def notice(self, text: str) -> None: ...
    def start(self, plan: Plan, workers: int) -> None: ...
    def building(self, jobs: Sequence[Job]) -> None: ...
    def done(self, outcome: Outcome) -> None: ...
    def tick(self) -> None: ...
    def finish(self, summary: Summary) -> None: ...


# ---------------------------------------------------------------------------------------
# Planning


def plan_builds(paths: Sequence[Path], out_dir: Path, formats: Sequence[str],
                book: stamps.StampBook, *, force: bool = False,
                digests: stamps.TemplateDigests | None = None) -> Plan:
    """Split surveys into jobs and up-to-date ones, from file hashes and stamps alone."""
    digests = digests or stamps.TemplateDigests()
    chain = stamps.toolchain()
    wanted = tuple(dict.fromkeys(formats))
    plan = Plan([], [], chain)
    seen: dict[str, Path] = {}
    seen_paths: set[Path] = set()
    for path in paths:
        if resolved(path) in seen_paths:  # named twice (a folder and a file in it): once
            continue
        seen_paths.add(resolved(path))
        if path.stem in seen:
            plan.notices.append(f"{seen[path.stem]} 与 {path} 同名，"
                                f"输出文件 {path.stem}.* 只会保留后生成的一份")
        seen[path.stem] = path
        if not readable_survey(path):  # too big, a pipe, a device: the loader says why
            plan.jobs.append(Job(path, wanted, None, "无法读取"))
            continue
        try:
            survey = stamps.file_digest(path)
        except OSError:
            plan.jobs.append(Job(path, wanted, None, "无法读取"))
            continue
        if force:
            plan.jobs.append(Job(path, wanted, survey, "--force"))
            continue
        entry = book.entries.get(path.stem)
        template = digests(entry.template_set) if entry is not None else None
        if entry is not None and entry.survey == survey:
            plan.template_sets[path] = entry.template_set
        current, why = book.current_formats(path.stem, resolved(path), survey, template, chain,
                                            wanted)
        stale = tuple(fmt for fmt in wanted if fmt not in current)
        if stale:
            plan.jobs.append(Job(path, stale, survey, why))
        else:
            plan.up_to_date.append(path)
    return plan


# ---------------------------------------------------------------------------------------
# Building one survey (in a worker or in-process)


_prepared: set[str] = set()


def prepare_worker(formats: Sequence[str] = DEFAULT_FORMATS) -> None:
    """Import the heavy libraries, register fonts and read font tables, once per process.

    About a second the first report of a process would otherwise pay (WeasyPrint's import
    alone is ~0.8 s, the CJK font tables ~0.3 s); done in the parent before forking, every
    worker inherits it for free. Never raises: whatever fails here fails again in the build
    of each report, where it is reported against that report.
    """
    with contextlib.suppress(Exception):
        if "base" not in _prepared:
            import reportgen.build.pipeline
            import reportgen.writers.docx_writer
            from reportgen import charts

            charts.register_fonts()
            _prepared.add("base")
        if "pdf" in formats and "pdf" not in _prepared:
            import weasyprint  # noqa: F401  (pdf_writer imports it on first write)

            import reportgen.writers.pdf_writer  # noqa: F401
            from reportgen import fonts

            fonts.coverage_report("调研报告")  # reads (and caches) each face's character map
            _prepared.add("pdf")


def _init_worker(prepare: Prepare, formats: Sequence[str], parent: int) -> None:
    become_child(parent)
    if prepare is not None:
        prepare(formats)


def build_job(job: Job, out_dir: Path, assisted: bool = False) -> Outcome:
    """Build one job; never raises for a bad survey (its error is in the outcome).

    `assisted`: a second core is free, so a forked assistant (build.assistant) draws the
    charts and writes the DOCX while this process writes the PDF.
    """
    from reportgen.build.pipeline import build_file

    started = time.perf_counter()
    with collected_warnings() as said:
        assistant = None
        if assisted:
            from reportgen.build.assistant import Assistant

            assistant = Assistant.start(job.formats)  # first: it imports while we load
        result = build_file(job.source, out_dir, job.formats, assistant=assistant)
    return Outcome(
        source=job.source,
        outputs=list(result.outputs),
        error=describe(result.error) if result.error is not None else None,
        template_set=result.template_set,
        template_digest=result.template_digest,
        seconds=time.perf_counter() - started,
        warnings=[warning.message for warning in said],
        reason=job.reason,
    )


def _crashed(job: Job) -> Outcome:
    return Outcome(job.source, reason=job.reason, error=(
        f"{job.source}: 生成时工作进程意外退出（可能是内存不足或程序崩溃），未生成任何文件；"
        "其他报告不受影响。请把此信息报告给维护人员"))


# ---------------------------------------------------------------------------------------
# Running jobs

Work = Callable[[Job, Path], Outcome]
Prepare = Callable[[Sequence[str]], None] | None  # given the formats about to be built


def run_jobs(jobs: Sequence[Job], out_dir: Path, workers: int,
             on_done: Callable[[Outcome], None], *, work: Work = build_job,
             on_building: Callable[[Sequence[Job]], None] | None = None,
             tick: Callable[[], None] | None = None,
             prepare: Prepare = prepare_worker, assist: bool = False) -> None:
    """Build every job, calling on_done with each outcome as it arrives.

    One job, or one worker: built in this process (no pool to start); a single job with
    `assist` (more than one core allowed) gets an assistant process. Otherwise a pool of
    forked workers; a worker that dies (crash, out of memory) fails only the survey it was
    building: the surveys in flight when the pool broke are retried one by one.
    KeyboardInterrupt: reports already being built are finished and reported, then it is
    re-raised.
    """
    if not jobs:
        return
    if workers <= 1 or len(jobs) <= 1:
        # In-process: each library is imported when first needed, so a survey that fails
        # validation costs no WeasyPrint import (watch prepares its process up front).
        assisted = assist and len(jobs) == 1 and work is build_job
        for job in jobs:
            if on_building:
                on_building([job])
            on_done(build_job(job, out_dir, assisted=True) if assisted else work(job, out_dir))
            if tick:
                tick()
        return
    if prepare is not None:
        prepare(_formats(jobs))  # here, once: the forked workers start with it all loaded
    pending = deque(jobs)
    while pending:
        suspects = _run_pool(pending, out_dir, min(workers, len(pending)), on_done, work,
                             on_building, tick, prepare)
        if len(suspects) == 1:
            on_done(_crashed(suspects[0]))
        else:
            for job in suspects:  # alone in a pool of one, a crash names its survey
                if _run_pool(deque([job]), out_dir, 1, on_done, work, on_building, tick,
                             prepare):
                    on_done(_crashed(job))


def _formats(jobs: Iterable[Job]) -> tuple[str, ...]:
    return tuple(sorted({fmt for job in jobs for fmt in job.formats}))


def _run_pool(pending: deque[Job], out_dir: Path, workers: int,
              on_done: Callable[[Outcome], None], work: Work,
              on_building: Callable[[Sequence[Job]], None] | None,
              tick: Callable[[], None] | None, prepare: Prepare) -> list[Job]:
    """Run jobs from `pending` in one pool; the jobs in flight if the pool broke, else []."""
    budget = workers * JOBS_PER_WORKER
    in_flight: dict[Future[Outcome], Job] = {}
    suspects: list[Job] = []
    broken = False
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_init_worker,
                               initargs=(prepare, _formats(pending), os.getpid()))
    try:
        while True:
            # At most one job per worker in flight: if the pool breaks, few surveys are
            # suspects, and the results come back in the order the workers finish them.
            submitted = False
            while pending and budget and not broken and len(in_flight) < workers:
                job = pending.popleft()
                try:
                    in_flight[pool.submit(work, job, out_dir)] = job
                except BrokenProcessPool:
                    pending.appendleft(job)
                    broken = True
                    break
                budget -= 1
                submitted = True
            if submitted and on_building:
                on_building(list(in_flight.values()))
            if not in_flight:
                break
            done, _ = wait(list(in_flight), timeout=TICK_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                job = in_flight.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    suspects.append(job)
                    broken = True
                    continue
                except Exception as exc:  # e.g. an outcome that could not be sent back
                    outcome = Outcome(job.source, reason=job.reason,
                                      error=str(internal_error(exc, job.source)))
                on_done(outcome)
            if done and on_building and in_flight:
                on_building(list(in_flight.values()))
            if tick:
                tick()
    except BaseException:
        # Interrupted: start nothing new, let the reports in progress finish (their files
        # are complete and renamed, so they are reported and stamped), then stop.
        pool.shutdown(wait=True, cancel_futures=True)
        for future, job in in_flight.items():
            if not future.cancelled() and future.exception() is None:
                on_done(future.result())
            else:
                pending.appendleft(job)
        raise
    finally:
        pool.shutdown(wait=True)
    return suspects


# ---------------------------------------------------------------------------------------
# The whole batch


def _warn_slow_pdf(plan: Plan, reporter: Reporter) -> None:
    if any("pdf" in job.formats for job in plan.jobs):
        from reportgen.fonts import has_harfbuzz_subset

        if not has_harfbuzz_subset():
            reporter.notice("没有找到 libharfbuzz-subset0，生成 PDF 会慢约 20 倍；"
                            "请安装：sudo apt-get install libharfbuzz-subset0")


def _format_of(output: Path) -> str:
    """The format an output file was written in, from the writers' registry."""
    return next(name for name, entry in WRITERS.items() if entry.suffix == output.suffix)


def default_jobs() -> int:
    return os.cpu_count() or 1


def build_batch(paths: Sequence[Path], out_dir: Path, reporter: Reporter, *,
                formats: Sequence[str] = DEFAULT_FORMATS, force: bool = False,
                jobs: int | None = None, work: Work = build_job,
                prepare: Prepare = prepare_worker) -> Summary:
    """Build what is not up to date, under the output folder's lock; OSError if unwritable."""
    started = time.perf_counter()
    summary = Summary()
    with output_lock(out_dir, on_wait=lambda: reporter.waiting_for_lock(out_dir)):
        remove_leftovers(out_dir)
        book = stamps.StampBook.load(out_dir)
        if book.problem:
            reporter.notice(f"记录文件 {book.problem}，将全部重新生成")
        plan = plan_builds(paths, out_dir, formats, book, force=force)
        summary.up_to_date = plan.up_to_date
        summary.template_sets = dict(plan.template_sets)
        for text in plan.notices:
            reporter.notice(text)
        workers = max(1, min(jobs or default_jobs(), len(plan.jobs)))
        reporter.start(plan, workers)
        _warn_slow_pdf(plan, reporter)
        digests = {job.source: job.survey_digest for job in plan.jobs}
        last_save = time.monotonic()
        save_failed = False

        def save() -> None:
            nonlocal save_failed, last_save
            last_save = time.monotonic()
            try:
                book.save()
            except OSError as exc:
                if not save_failed:
                    reporter.notice(f"无法写入记录文件 {book.path}（{os_reason(exc)}）；"
                                    "下次生成时这些报告会重新生成")
                save_failed = True

        def done(outcome: Outcome) -> None:
            survey = digests.get(outcome.source)
            if outcome.template_set:
                summary.template_sets[outcome.source] = outcome.template_set
            else:
                summary.template_sets.pop(outcome.source, None)
            if outcome.ok:
                summary.built.append(outcome)
                if survey and outcome.template_set and outcome.template_digest:
                    book.record(outcome.source.stem, resolved(outcome.source), survey,
                                outcome.template_set, outcome.template_digest, plan.toolchain,
                                {_format_of(p): p for p in outcome.outputs})
            else:
                summary.failed.append(outcome)
            reporter.done(outcome)
            if time.monotonic() - last_save >= STAMP_FLUSH_SECONDS:
                save()

        try:
            run_jobs(plan.jobs, out_dir, workers, done, work=work,
                     on_building=reporter.building, tick=reporter.tick, prepare=prepare,
                     assist=(jobs or default_jobs()) > 1)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            save()
    summary.seconds = time.perf_counter() - started
    reporter.finish(summary)
    if summary.built:
        from reportgen.build.chart_cache import prune_disk_cache

        prune_disk_cache()
    return summary
