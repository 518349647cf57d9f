"""What a batch shows: a rich progress bar on a terminal, plain lines everywhere else.

    make_reporter(quiet=, verbose=)    the right Reporter for where stderr goes

Plain output (CI logs, pipes, --quiet) has no bar and no ANSI codes: one line per report
built ("已生成 …" on stdout) or failed (the full message with file:line, on stderr), then a
summary. On a terminal the same lines scroll above a progress bar on stderr. The bar is
redrawn from the batch's main loop (auto_refresh off), so the display starts no thread:
worker processes are forked from this process and must not inherit a half-held lock.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reportgen.build.batch import Job, Outcome, Plan, Summary

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


def seconds(value: float) -> str:
    return f"{value:.1f} 秒" if value >= 0.1 else f"{value:.2f} 秒"


def summary_line(summary: Summary) -> str:
    line = (f"已生成 {len(summary.built)} / 无需更新 {len(summary.up_to_date)} / "
            f"失败 {len(summary.failed)}，用时 {seconds(summary.seconds)}")
    return f"{line}（已中断）" if summary.interrupted else line


def _outputs(outcome: Outcome) -> str:
    return "、".join(str(p) for p in outcome.outputs)


class PlainReporter:
    """Lines only; successes on stdout, failures and notices on stderr."""

    def __init__(self, quiet: bool = False, verbose: bool = False,
                 out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self._out = out
        self._err = err

    # sys.stdout/sys.stderr are looked up late so test runners that swap them still see us.
    def say(self, text: str) -> None:
        print(text, file=self._out or sys.stdout, flush=True)

    def warn(self, text: str) -> None:
        print(text, file=self._err or sys.stderr, flush=True)

    def waiting_for_lock(self, out_dir: Path) -> None:
        self.warn(f"另一个 reportgen 正在生成到 {out_dir}/，等待其完成…")

    def notice(self, text: str) -> None:
        if not self.quiet:
            self.warn(f"提示：{text}")

    def start(self, plan: Plan, workers: int) -> None:
        if self.verbose:
            for path in plan.up_to_date:
                self.say(f"无需更新：{path}")
            if plan.jobs:
                self.say(f"需要生成 {len(plan.jobs)} 份报告（{workers} 个进程）")

    def building(self, jobs: Sequence[Job]) -> None:
        pass

    def tick(self) -> None:
        pass

    def done(self, outcome: Outcome) -> None:
        if not self.quiet:
            for text in outcome.warnings:
                self.warn(f"提示：{text}")
        if outcome.ok:
            if not self.quiet:
                extra = (f"（{seconds(outcome.seconds)}，{outcome.reason}）"
                         if self.verbose else "")
                self.say(f"已生成 {_outputs(outcome)}{extra}")
            return
        self.warn(outcome.error or "")
        self.warn(f"未生成：{outcome.source}")

    def finish(self, summary: Summary) -> None:
        if summary.interrupted:
            self.warn("已中断：已完成的报告已保留，其余下次生成")
        if summary.failed and not self.quiet:
            self.warn("失败：")
            for outcome in summary.failed:
                self.warn(f"  {outcome.first_error_line}")
        if summary.ok:
            self.say(summary_line(summary))
        else:
            self.warn(summary_line(summary))


class RichReporter(PlainReporter):
    """A progress bar on stderr (a terminal), with each county's line printed above it."""

    def __init__(self, verbose: bool = False, console: Console | None = None) -> None:
        super().__init__(quiet=False, verbose=verbose)
        from rich.console import Console

        self.console = console or Console(stderr=True, highlight=False)
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def _print(self, text: str, style: str = "") -> None:
        from rich.text import Text

        # Styled as a Text (never markup: survey text may contain [brackets]); a style
        # passed to print() would also colour the live bar redrawn below the line.
        self.console.print(Text(text, style=style), soft_wrap=True)

    def say(self, text: str) -> None:
        self._print(text)

    def warn(self, text: str) -> None:
        self._print(text, "yellow" if text.startswith("提示") else "")

    def start(self, plan: Plan, workers: int) -> None:
        super().start(plan, workers)
        if not plan.jobs:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(),
            console=self.console, auto_refresh=False, transient=True)
        self._task = self._progress.add_task(f"生成报告（{workers} 个进程）",
                                             total=len(plan.jobs))
        self._progress.start()
        self._progress.refresh()

    def building(self, jobs: Sequence[Job]) -> None:
        if self._progress is not None and self._task is not None:
            names = "、".join(job.stem for job in jobs[:4])
            more = f" 等 {len(jobs)} 份" if len(jobs) > 4 else ""
            self._progress.update(self._task, description=f"正在生成 {names}{more}")
            self._progress.refresh()

    def tick(self) -> None:
        if self._progress is not None:
            self._progress.refresh()

    def done(self, outcome: Outcome) -> None:
        for text in outcome.warnings:
            self.warn(f"提示：{text}")
        if outcome.ok:
            extra = f"（{seconds(outcome.seconds)}，{outcome.reason}）" if self.verbose else ""
            self._print(f"✓ 已生成 {_outputs(outcome)}{extra}", "green")
        else:
            self._print(f"✗ 未生成：{outcome.source}", "bold red")
            self._print(outcome.error or "", "red")
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
            self._progress.refresh()

    def finish(self, summary: Summary) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if summary.interrupted:
            self._print("已中断：已完成的报告已保留，其余下次生成", "yellow")
        for outcome in summary.failed:
            self._print(f"  ✗ {outcome.first_error_line}", "red")
        self._print(summary_line(summary), "bold green" if summary.ok else "bold red")


def make_reporter(quiet: bool = False, verbose: bool = False) -> PlainReporter:
    """A progress bar only on a terminal and not --quiet; plain lines otherwise."""
    if not quiet and sys.stderr.isatty():
        return RichReporter(verbose=verbose)
    return PlainReporter(quiet=quiet, verbose=verbose)
