"""Measure reportgen against the docxtpl + LibreOffice peer, side by side, in one run.

    python -m benchmarks.run [--n 200] [--jobs 2] [--subset 20] [--rounds 2] [--soak 500]
                             [--quick] [--no-profile] [--work DIR] [--json FILE]

Every timing is a command from start to exit, as staff would see it (`reportgen build …`,
`python -m benchmarks.peer …`). Steps, in order:

  1–2. cold full build `reportgen build --jobs J --force` into an empty folder, then the
       batched peer on the same N surveys (J workers, one soffice per worker); alternated
       for --rounds rounds, the fastest round of each counts; memory sampled throughout
  3. on the first `--subset` surveys: reportgen (cold, with a cache of its own), the
     per-report peer (soffice per report) and the batched peer with one worker
  4. no-op rebuild; one survey of the N changed (median of 5); `reportgen check` of one file
  5. print.css changed (on a copy of templates/ given by REPORTGEN_TEMPLATES): every report
     is rebuilt; its per-report time against the peer's full build of steps 1–2
  6. one report from a fresh process: `reportgen build ONE.yaml --out DIR --force --quiet`
     (default --jobs, as staff type it) against `python -m benchmarks.peer ONE.yaml --jobs 1`
     on the same survey, alternated A B A B, median of 5 pairs (3 with --quick). Before
     each pair the survey gets a corrected figure, so the charts drawn from that figure are
     not in the chart cache, as when staff rebuild a survey they have just corrected
  7. watch, on a folder holding a copy of ONE survey (a template edit makes watch rebuild
     every report of the set, so the folder must hold one): save → that report's new PDF on
     disk, for a survey edit (a figure corrected) and for a template edit (a harmless rule
     appended to the set copy's print.css), one warm-up edit each, then median of 5 (3 with
     --quick); then Ctrl-C → exit (if `reportgen watch` exists)
  8. optionally a soak build of `--soak` surveys: is worker memory flat?
  9. where the time goes: import and phase timings, cProfile of charts and PDF writer

The chart cache. reportgen keeps chart pictures in a per-user cache, REPORTGEN_CACHE_DIR
(default ~/.cache/reportgen). Every command of this benchmark gets
REPORTGEN_CACHE_DIR=<work>/cache, so the user's own cache is neither used nor touched. That
folder is deleted before each cold full build (every round of step 1) and before the soak,
so those draw every chart. It is NOT deleted before steps 4–7: incremental builds, the
print.css change, the one-report build and watch reuse what the earlier builds left there,
as they would on staff's machines. Step 3's reportgen build is cold too, but uses a
separate, emptied cache folder, so that <work>/cache stays as step 1 left it. Step 9 runs
with the cache off (an empty REPORTGEN_CACHE_DIR), so its chart timings are drawing times.

Besides wall time, each measurement records the CPU time of its whole process tree and how
many cores the rest of the (shared) machine used meanwhile (others_cores), so a disturbed
timing shows as such. Each goal of the issue (GOALS) gets a verdict: value, goal, met; where
both pipelines are measured, the CPU-time ratio stands beside the wall-time ratio. The
tables are printed and everything is written to benchmarks/results.json (or --json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.generate import DEFAULT_SEED, generate
from benchmarks.measure import (
    RunResult,
    flatness,
    machine_busy_seconds,
    own_cpu_seconds,
    timed,
    tree_cpu_seconds,
)

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
REPORTGEN = str(VENV_BIN / "reportgen")
HERE = Path(__file__).resolve().parent
CACHE_ENV = "REPORTGEN_CACHE_DIR"  # reportgen's per-user cache of chart pictures
WATCH_STARTED = "正在监视"  # what `reportgen watch` says once its first build is done


@dataclass(frozen=True)
class Goal:
    """One row of the issue's goal table."""

    key: str
    scenario: str
    goal: float
    op: str  # ">=", "<=" or "<": how the measured value must compare with the goal
    unit: str  # "×", "s" or "MB"

    def met(self, value: float) -> bool:
        if self.op == ">=":
            return value >= self.goal
        if self.op == "<=":
            return value <= self.goal
        return value < self.goal


GOALS: tuple[Goal, ...] = (
    Goal("full_build_vs_batched_peer",
         "full build, N surveys, J jobs, vs batched docxtpl + LibreOffice "
         "(peer per-report time / reportgen per-report time)", 1.2, ">=", "×"),
    Goal("print_css_rebuild_vs_peer_full_build",
         "rebuild of all reports after a print.css change, vs the peer's full build "
         "(peer per-report time / rebuild per-report time)", 2.0, ">=", "×"),
    Goal("one_report_seconds",
         "one report from a fresh process (`reportgen build one.yaml`)", 1.5, "<=", "s"),
    Goal("one_report_vs_peer",
         "one report from a fresh process vs the peer for one report "
         "(median of the pairwise peer / reportgen ratios)", 1.2, ">=", "×"),
    Goal("watch_template_edit_seconds",
         "watch: template edit saved → new PDF on disk", 0.5, "<=", "s"),
    Goal("watch_data_edit_seconds",
         "watch: survey edit saved → new PDF on disk", 0.7, "<=", "s"),
    Goal("one_survey_seconds",
         "one changed survey of 100–200: `reportgen build` start → exit", 1.5, "<=", "s"),
    Goal("noop_seconds", "no-op rebuild of 200 (keep)", 0.5, "<", "s"),
    Goal("check_seconds", "`reportgen check` of one file (keep)", 0.3, "<", "s"),
    Goal("worker_peak_mb", "worker memory, peak RSS (keep)", 400, "<", "MB"),
    # "Flat": the largest worker in the soak's last fifth at most 10% above the first fifth.
    Goal("worker_memory_flat",
         "worker memory flat over the soak (largest worker, last fifth / first fifth)",
         1.1, "<=", "×"),
)


# -- the machine and what exists -----------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    soffice = shutil.which("soffice")
    lo = (subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=120)
          .stdout.strip() if soffice else "not installed")

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": os_name, "kernel": platform.release(), "python": platform.python_version(),
        "versions": {d: version(d) for d in ("reportgen", "weasyprint", "python-docx",
                                             "matplotlib", "docxtpl", "pydyf")},
        "libreoffice": lo,
    }


def features() -> dict[str, bool]:
    build_help = subprocess.run([REPORTGEN, "build", "--help"], capture_output=True,
                                text=True).stdout
    main_help = subprocess.run([REPORTGEN, "--help"], capture_output=True, text=True).stdout
    return {"jobs": "--jobs" in build_help, "force": "--force" in build_help,
            "quiet": "--quiet" in build_help, "watch": re.search(r"^\s+watch\s", main_help,
                                                                re.M) is not None}


# -- helpers -------------------------------------------------------------------------


class Bench:
    def __init__(self, work: Path, jobs: int, feats: dict[str, bool]) -> None:
        self.work = work
        self.jobs = jobs
        self.feats = feats
        self.templates = work / "templates"
        self.cache = work / "cache"
        # Every command gets both: the templates copy (step 5 and watch edit it) and a chart
        # cache of the benchmark's own, which it empties before the cold builds.
        self.env = {"REPORTGEN_TEMPLATES": str(self.templates), CACHE_ENV: str(self.cache)}
        self.log = work / "commands.log"

    def environ(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The whole environment of a command the benchmark starts itself (watch, phases)."""
        return {**os.environ, **self.env, **(extra or {})}

    def clear_cache(self, folder: Path | None = None) -> None:
        """Empty a chart cache (by default the benchmark's) before a cold build."""
        shutil.rmtree(folder or self.cache, ignore_errors=True)

    def build_command(self, paths: Path, out: Path, force: bool = False,
                      default_jobs: bool = False) -> list[str]:
        command = [REPORTGEN, "build", str(paths), "--out", str(out)]
        if self.feats["jobs"] and not default_jobs:
            command += ["--jobs", str(self.jobs)]
        if force and self.feats["force"]:
            command.append("--force")
        if self.feats["quiet"]:
            command.append("--quiet")
        return command

    def run(self, command: list[str], sample: bool = False,
            env: dict[str, str] | None = None) -> RunResult:
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n$ {' '.join(command)}\n")
        result = timed(command, env={**self.env, **(env or {})}, cwd=ROOT, sample=sample,
                       log=self.log)
        if result.returncode != 0:
            raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}\n"
                             f"{result.output}")
        return result

    def peer(self, paths: Path, out: Path, jobs: int, per_report: bool = False,
             sample: bool = True) -> RunResult:
        command = [sys.executable, "-m", "benchmarks.peer", str(paths), "--out", str(out),
                   "--jobs", str(jobs), "--template", str(self.work / "peer_template.docx"),
                   "--profiles", str(self.work / "profiles"),
                   "--stats", str(out / "peer-stats.json")]
        if per_report:
            command.append("--per-report")
        return self.run(command, sample=sample)


def pdf_facts(folder: Path) -> dict[str, Any]:
    pdfs = sorted(folder.glob("*.pdf"))
    sizes = [p.stat().st_size for p in pdfs]
    pages = []
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.M)
        pages.append(int(match.group(1)) if match else 0)
    if not pdfs:
        return {"count": 0}
    return {"count": len(pdfs), "size_kb_mean": round(statistics.mean(sizes) / 1024),
            "size_kb_max": round(max(sizes) / 1024), "pages_min": min(pages),
            "pages_median": statistics.median(pages), "pages_max": max(pages)}


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of each output: a rebuilt output is a new file renamed into place."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.iterdir() if p.suffix in (".pdf", ".docx")}


def changed(before: dict[str, tuple[int, int]], folder: Path) -> list[str]:
    after = snapshot(folder)
    return sorted(name for name, key in after.items() if before.get(name) != key)


def identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def edit_survey(path: Path, step: int) -> None:
    """Change the first cluster's output a little: a figure corrected, still a valid survey."""
    text = path.read_text(encoding="utf-8")

    def bump(match: re.Match[str]) -> str:
        number, unit = match.group(1), match.group(2)
        if "." in number:
            places = len(number.split(".")[1])
            return f"  output: {float(number) + step / 10 ** places:.{places}f}{unit}"
        return f"  output: {int(number) + step}{unit}"

    new, count = re.subn(r"^  output: ([\d.]+)(亿元|万元)$", bump, text, count=1, flags=re.M)
    assert count == 1, f"no output line in {path}"
    path.write_text(new, encoding="utf-8")


def edit_template(css: Path, step: int) -> None:
    """Append a rule that matches nothing: the set's files change, the report's look does not.

    A rule rather than a comment, so that a digest of the parsed stylesheet would see it too.
    """
    with css.open("a", encoding="utf-8") as stream:
        stream.write(f"\n.benchmark-edit-{step} {{ color: inherit; }}\n")


def repeated(results: list[RunResult]) -> dict[str, Any]:
    """A short command run several times: medians, each run, and how busy the machine was."""
    return {"seconds_median": round(statistics.median(r.seconds for r in results), 3),
            "cpu_seconds_median": round(statistics.median(r.cpu_seconds for r in results), 3),
            "seconds": [round(r.seconds, 3) for r in results],
            "cpu_seconds": [round(r.cpu_seconds, 3) for r in results],
            "others_cores": [round(r.others_cores, 2) for r in results]}


def paired(ours: list[RunResult], theirs: list[RunResult]) -> dict[str, Any]:
    """Alternating pairs (ours, theirs): each side's medians and the median of the per-pair
    ratios theirs / ours, for wall and CPU time. A burst of other work on the shared machine
    then disturbs one pair, not one side."""
    pairs = list(zip(ours, theirs, strict=True))

    def ratio(values: list[tuple[float, float]]) -> float | None:
        if any(mine <= 0 for mine, _ in values):
            return None
        return round(statistics.median(other / mine for mine, other in values), 3)

    return {"pairs": len(pairs), "reportgen": repeated(ours), "peer": repeated(theirs),
            "ratio_median": ratio([(o.seconds, t.seconds) for o, t in pairs]),
            "cpu_ratio_median": ratio([(o.cpu_seconds, t.cpu_seconds) for o, t in pairs])}


def mb(result: RunResult, role: str) -> float | None:
    return result.peak_mb(role)


def max_mb(results: list[RunResult], role: str) -> float | None:
    peaks = [p for p in (r.peak_mb(role) for r in results) if p is not None]
    return max(peaks) if peaks else None


def summary(results: list[RunResult], n: int) -> dict[str, Any]:
    """Rounds of one timed build: the best (least disturbed) and all of them."""
    best = min(results, key=lambda r: r.seconds)
    return {"seconds": round(best.seconds, 2), "per_report": round(best.seconds / n, 3),
            "cpu_per_report": round(best.cpu_seconds / n, 3),
            "rounds": [{"seconds": round(r.seconds, 2), "cpu_seconds": round(r.cpu_seconds, 1),
                        "others_cores": round(r.others_cores, 2),
                        "load_before": round(r.load_before, 2)} for r in results]}


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


# -- steps ---------------------------------------------------------------------------


def prepare(work: Path, n: int, subset: int, seed: int, jobs: int) -> tuple[Path, Path]:
    surveys, sub = work / "surveys", work / "subset"
    for folder in (surveys, sub):
        shutil.rmtree(folder, ignore_errors=True)
    paths = generate(surveys, n, seed)
    sub.mkdir()
    for path in paths[:subset]:
        shutil.copy2(path, sub / path.name)
    shutil.rmtree(work / "templates", ignore_errors=True)
    shutil.copytree(ROOT / "templates", work / "templates")
    from benchmarks.peer import build_template, warm_profiles

    build_template(work / "peer_template.docx")
    warm_profiles(work / "profiles", jobs)
    return surveys, sub


def single_survey_folder(work: Path, name: str, source: Path) -> tuple[Path, Path]:
    """A fresh folder `work/name` holding only a copy of `source`, and an empty output folder
    `work/name-out`; returns (the copy, the output folder).

    A template edit makes watch rebuild every report of the set in the folders it watches,
    so the watch latency steps watch a folder with one survey and time that report alone.
    """
    folder, out = work / name, work / f"{name}-out"
    for path in (folder, out):
        shutil.rmtree(path, ignore_errors=True)
    folder.mkdir(parents=True)
    copy = folder / source.name
    shutil.copy2(source, copy)
    return copy, out


def one_report(bench: Bench, source: Path, pairs: int) -> dict[str, Any]:
    """Step 6: one survey from a fresh process, reportgen and the peer alternated A B A B."""
    survey, out = single_survey_folder(bench.work, "one", source)
    peer_out = bench.work / "one-peer-out"
    shutil.rmtree(peer_out, ignore_errors=True)
    command = bench.build_command(survey, out, force=True, default_jobs=True)
    ours: list[RunResult] = []
    theirs: list[RunResult] = []
    for k in range(pairs):
        # A corrected figure before each pair: its charts are then drawn, not taken from
        # the cache, by reportgen as by the peer (which has none).
        edit_survey(survey, k + 1)
        ours.append(bench.run(command))
        theirs.append(bench.peer(survey, peer_out, 1, sample=False))
    return {"survey": source.name, "command": " ".join(command), **paired(ours, theirs)}


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def settle(pid: int, quiet: float = 0.3, limit: float = 60.0) -> float:
    """Wait until the process tree `pid` has stopped using CPU (its rebuild, DOCX and stamps
    included, is over), at most `limit` seconds; return its CPU seconds then."""
    deadline = time.monotonic() + limit
    last = tree_cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = tree_cpu_seconds(pid)
        if now - last < 0.02:  # an idle watcher polls, but uses far less than this
            return now
        last = now
    return last


def tail(log: Path) -> str:
    """The end of a command's output, for an error message (it is Chinese: UTF-8)."""
    return log.read_text(encoding="utf-8", errors="replace")[-500:]


def _edits(latencies: list[float], cpus: list[float], others: list[float]) -> dict[str, Any]:
    if not latencies:
        return {}
    return {"seconds_median": round(statistics.median(latencies), 3),
            "cpu_seconds_median": round(statistics.median(cpus), 3),
            "seconds": [round(s, 3) for s in latencies],
            "cpu_seconds": [round(c, 3) for c in cpus],
            "others_cores": [round(o, 2) for o in others]}


def watch_latency(bench: Bench, source: Path, repeats: int) -> dict[str, Any]:
    """Step 7: `reportgen watch` on a folder with one survey; save → its new PDF on disk."""
    survey, out = single_survey_folder(bench.work, "watch", source)
    pdf = out / f"{survey.stem}.pdf"
    css = bench.templates / "default" / "print.css"
    log = bench.work / "watch.log"
    log.write_text("", encoding="utf-8")
    # No --jobs: as staff start it (`inv watch`).
    command = [REPORTGEN, "watch", str(survey.parent), "--out", str(out)]
    with log.open("ab") as stream:
        # A benchmark started in the background (nohup … &) inherits SIGINT ignored; staff
        # press Ctrl-C in a terminal, so give watch the default disposition back.
        proc = subprocess.Popen(command, env=bench.environ(), cwd=ROOT, stdout=stream,
                                stderr=subprocess.STDOUT, preexec_fn=_default_sigint)
    result: dict[str, Any] = {"survey": source.name, "command": " ".join(command)}
    edits: dict[str, Callable[[int], None]] = {
        "data_edit": lambda k: edit_survey(survey, k + 1),
        "template_edit": lambda k: edit_template(css, k + 1),
    }
    try:
        deadline = time.monotonic() + 300
        while WATCH_STARTED not in log.read_text(encoding="utf-8", errors="replace") \
                or identity(pdf) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                result["error"] = "watch did not start: " + tail(log)
                return result
            time.sleep(0.05)
        settle(proc.pid)
        for kind, edit in edits.items():
            latencies: list[float] = []
            cpus: list[float] = []
            others: list[float] = []
            for k in range(repeats + 1):  # edit 0 is a warm-up and is not counted
                before = identity(pdf)
                cpu_before, busy_before = tree_cpu_seconds(proc.pid), machine_busy_seconds()
                mine_before = own_cpu_seconds()
                start = time.perf_counter()
                edit(k)
                while identity(pdf) == before:
                    if time.perf_counter() - start > 60 or proc.poll() is not None:
                        result[kind] = _edits(latencies, cpus, others)
                        result["error"] = (f"no new PDF 60 s after a {kind.replace('_', ' ')}"
                                           f": {tail(log)}")
                        return result
                    time.sleep(0.005)
                latency = time.perf_counter() - start
                cpu = settle(proc.pid) - cpu_before
                span = time.perf_counter() - start
                busy = machine_busy_seconds() - busy_before
                if k:
                    latencies.append(latency)
                    cpus.append(cpu)
                    others.append(max(0.0, (busy - cpu - (own_cpu_seconds() - mine_before))
                                      / span))
            result[kind] = _edits(latencies, cpus, others)
    finally:
        stop = time.perf_counter()
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code: int | None = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None
        result["exit_on_ctrl_c"] = code
        result["ctrl_c_to_exit_seconds"] = round(time.perf_counter() - stop, 3)
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="reportgen benchmark (see module docstring)")
    parser.add_argument("--n", type=int, default=200, help="surveys for the full build")
    parser.add_argument("--jobs", type=int, default=2, help="workers for both pipelines")
    parser.add_argument("--subset", type=int, default=20,
                        help="surveys for the per-report and one-worker peers")
    parser.add_argument("--soak", type=int, default=0, help="also build this many (memory)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating rounds of the full reportgen and peer builds")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", type=Path, default=Path("/tmp/reportgen-bench"),
                        help="scratch folder (surveys, outputs, profiles, chart cache)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    parser.add_argument("--quick", action="store_true",
                        help="small run: --n 10 --subset 4, no soak, fewer repeats")
    parser.add_argument("--no-profile", action="store_true", help="skip step 9")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.subset, args.soak, args.rounds = min(args.n, 10), min(args.subset, 4), 0, 1
    args.subset = min(args.subset, args.n)
    # Short commands, one-report pairs and watch edits: median of this many.
    args.repeats = 3 if args.quick else 5
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    repeats = args.repeats
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    feats = features()
    bench = Bench(work, args.jobs, feats)
    bench.log.write_text("", encoding="utf-8")
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "n": args.n,
                               "jobs": args.jobs, "subset": args.subset, "seed": args.seed,
                               "repeats": repeats, "features": feats, "machine": machine(),
                               "steps": {}}
    steps = results["steps"]

    def say(text: str) -> None:
        print(text, flush=True)

    say(f"preparing {args.n} surveys, templates copy and soffice profiles in {work}")
    surveys, sub = prepare(work, args.n, args.subset, args.seed, args.jobs)
    out, peer_out = work / "out", work / "peer-out"
    # Steps 4 and 5 edit the first surveys; steps 6 and 7 work on copies of the last one.
    last = sorted(surveys.glob("*.yaml"))[-1]

    # 1–2: the headline comparison, back to back, alternating for --rounds rounds so that
    # a burst of other work on the shared machine does not land on one pipeline only.
    fulls: list[RunResult] = []
    peers: list[RunResult] = []
    for k in range(args.rounds):
        for folder in (out, peer_out):
            shutil.rmtree(folder, ignore_errors=True)
        bench.clear_cache()  # cold: every chart is drawn
        say(f"1. reportgen cold full build (round {k + 1}/{args.rounds}) …")
        fulls.append(bench.run(bench.build_command(surveys, out, force=True), sample=True))
        say(f"   {fulls[-1].seconds:.1f} s, {fulls[-1].cpu_seconds:.0f} CPU s, "
            f"others used {fulls[-1].others_cores:.2f} cores meanwhile")
        say(f"2. batched peer (round {k + 1}/{args.rounds}) …")
        peers.append(bench.peer(surveys, peer_out, args.jobs))
        say(f"   {peers[-1].seconds:.1f} s, {peers[-1].cpu_seconds:.0f} CPU s, "
            f"others used {peers[-1].others_cores:.2f} cores meanwhile")
    full = min(fulls, key=lambda r: r.seconds)  # the least disturbed round
    steps["full_build"] = {**summary(fulls, args.n),
                           "worker_peak_mb": max_mb(fulls, "worker"),
                           "main_peak_mb": max_mb(fulls, "main"),
                           "workers_seen": full.count("worker"),
                           "sampler_errors": full.sampler_errors, "pdf": pdf_facts(out)}
    stats = json.loads((peer_out / "peer-stats.json").read_text())
    steps["peer_batched"] = {**summary(peers, args.n),
                             "worker_peak_mb": max_mb(peers, "worker"),
                             "soffice_peak_mb": max_mb(peers, "soffice"),
                             "workers": stats, "pdf": pdf_facts(peer_out)}

    # 3: the same few surveys through each variant. reportgen builds cold, with a cache of
    # its own: emptying <work>/cache here would take from steps 4–7 what step 1 left them.
    say(f"3. subset of {args.subset}: reportgen, per-report peer, one-worker peer …")
    sub_out, sub_cache = work / "subset-out", work / "subset-cache"
    shutil.rmtree(sub_out, ignore_errors=True)
    bench.clear_cache(sub_cache)
    small = bench.run(bench.build_command(sub, sub_out, force=True), sample=True,
                      env={CACHE_ENV: str(sub_cache)})
    variants = {"reportgen": small}
    for name, jobs, each in (("peer_per_report", args.jobs, True), ("peer_one_worker", 1, False)):
        folder = work / f"{name}-out"
        shutil.rmtree(folder, ignore_errors=True)
        variants[name] = bench.peer(sub, folder, jobs, per_report=each)
    steps["subset"] = {name: summary([r], args.subset) for name, r in variants.items()}

    # 4: incremental builds and check, with the chart cache as step 1 left it.
    say("4. no-op rebuild, one changed survey, check …")
    before = snapshot(out)
    noop = [bench.run(bench.build_command(surveys, out)) for _ in range(repeats)]
    steps["noop"] = {**repeated(noop), "rebuilt": len(changed(before, out))}
    one: list[RunResult] = []
    rebuilt: list[int] = []
    for k in range(repeats):
        before = snapshot(out)
        edit_survey(surveys / f"county_{k:04d}.yaml", 1)
        one.append(bench.run(bench.build_command(surveys, out)))
        rebuilt.append(len(changed(before, out)))
    steps["one_survey"] = {**repeated(one), "outputs_rebuilt": rebuilt}
    check = [bench.run([REPORTGEN, "check", str(surveys / "county_0000.yaml")])
             for _ in range(repeats)]
    steps["check"] = repeated(check)

    # 5: print.css changed: every report of the set is rebuilt, and only those; the charts
    # come from the cache, as on a machine that built these reports before.
    say("5. print.css changed: rebuild of every report …")
    edit_template(bench.templates / "default" / "print.css", 0)
    before = snapshot(out)
    tpl = bench.run(bench.build_command(surveys, out), sample=True)
    template_change = summary([tpl], args.n)
    peer_full = steps["peer_batched"]
    steps["template_change"] = {
        **template_change, "outputs_rebuilt": len(changed(before, out)),
        "vs_peer_full_build": ratio(peer_full["per_report"], template_change["per_report"]),
        "cpu_vs_peer_full_build": ratio(peer_full["cpu_per_report"],
                                        template_change["cpu_per_report"])}

    # 6: one report from a fresh process.
    say(f"6. one report from a fresh process, {repeats} alternating pairs …")
    steps["one_report"] = one_report(bench, last, repeats)

    # 7: watch.
    if feats["watch"]:
        say("7. watch latency (survey edit, template edit) and Ctrl-C …")
        steps["watch"] = watch_latency(bench, last, repeats)
    else:
        steps["watch"] = {"error": "not measured: feature missing"}

    # 8: soak.
    if args.soak:
        say(f"8. soak build of {args.soak} surveys …")
        soak_in, soak_out = work / "soak", work / "soak-out"
        shutil.rmtree(soak_out, ignore_errors=True)
        generate(soak_in, args.soak, args.seed)
        bench.clear_cache()  # every chart drawn: the most work (and memory) per worker
        soak = bench.run(bench.build_command(soak_in, soak_out, force=True), sample=True)
        steps["soak"] = {"n": args.soak, **summary([soak], args.soak),
                         "worker_peak_mb": mb(soak, "worker"),
                         "workers_seen": soak.count("worker"),
                         "flatness": flatness(soak.timeline),
                         "sampler_errors": soak.sampler_errors}

    # 9: where the time goes.
    if not args.no_profile:
        say("9. import and phase timings, cProfile …")
        command = [sys.executable, "-m", "benchmarks.phases",
                   *(str(p) for p in sorted(surveys.glob("*.yaml"))[:5]),
                   "--profile", str(HERE / "profile.txt")]
        # Cache off: the chart phase must time drawing, not reading a cached picture.
        phases = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                                env=bench.environ({CACHE_ENV: ""}), check=True)
        steps["phases"] = json.loads(phases.stdout)

    results["goals"] = goals(steps, args.n)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    print()
    print(table(results))
    print(f"\nwritten to {args.json}")
    return 0


# -- verdicts and the table ----------------------------------------------------------


def goals(steps: dict[str, Any], n: int | None = None) -> dict[str, Any]:
    """Each goal of the issue (GOALS): the measured value, the goal and whether it is met
    (None: not measured). `cpu` is the same figure in CPU time, for information: wall time
    is what staff wait for, CPU time is what other work on a shared machine disturbs least.
    """
    full, peer = steps.get("full_build", {}), steps.get("peer_batched", {})
    rebuild, one = steps.get("template_change", {}), steps.get("one_report", {})
    watch = steps.get("watch", {})
    soak = steps.get("soak", {})
    # The goals speak of 100–200 surveys; a --quick run says it measured fewer.
    fewer = f"measured on {n} surveys" if n is not None and n < 100 else ""
    values: dict[str, tuple[float | None, float | None, str]] = {
        "full_build_vs_batched_peer": (
            ratio(peer.get("per_report"), full.get("per_report")),
            ratio(peer.get("cpu_per_report"), full.get("cpu_per_report")),
            f"{peer.get('per_report')} / {full.get('per_report')} s per report"),
        "print_css_rebuild_vs_peer_full_build": (
            ratio(peer.get("per_report"), rebuild.get("per_report")),
            ratio(peer.get("cpu_per_report"), rebuild.get("cpu_per_report")),
            f"{peer.get('per_report')} / {rebuild.get('per_report')} s per report"),
        "one_report_seconds": (
            one.get("reportgen", {}).get("seconds_median"),
            one.get("reportgen", {}).get("cpu_seconds_median"),
            f"peer {one.get('peer', {}).get('seconds_median')} s"),
        "one_report_vs_peer": (
            one.get("ratio_median"), one.get("cpu_ratio_median"),
            f"median of {one.get('pairs')} alternating pairs"),
        "watch_template_edit_seconds": (
            watch.get("template_edit", {}).get("seconds_median"),
            watch.get("template_edit", {}).get("cpu_seconds_median"),
            watch.get("error", "one-survey folder")),
        "watch_data_edit_seconds": (
            watch.get("data_edit", {}).get("seconds_median"),
            watch.get("data_edit", {}).get("cpu_seconds_median"),
            watch.get("error", "one-survey folder")),
        "one_survey_seconds": (
            steps.get("one_survey", {}).get("seconds_median"),
            steps.get("one_survey", {}).get("cpu_seconds_median"), fewer),
        "noop_seconds": (steps.get("noop", {}).get("seconds_median"),
                         steps.get("noop", {}).get("cpu_seconds_median"), fewer),
        "check_seconds": (steps.get("check", {}).get("seconds_median"),
                          steps.get("check", {}).get("cpu_seconds_median"), ""),
        "worker_peak_mb": (
            max((p for p in (full.get("worker_peak_mb"), soak.get("worker_peak_mb"))
                 if p is not None), default=None), None,
            "full build and soak" if soak else "full build (no soak)"),
        "worker_memory_flat": (
            ratio((soak.get("flatness") or {}).get("last_fifth_mb"),
                  (soak.get("flatness") or {}).get("first_fifth_mb")), None,
            "largest worker {first_fifth_mb} → {last_fifth_mb} MB".format(**soak["flatness"])
            if soak.get("flatness") else "not measured: no soak"),
    }
    verdicts: dict[str, Any] = {}
    for goal in GOALS:
        value, cpu, note = values[goal.key]
        verdicts[goal.key] = {
            "scenario": goal.scenario, "value": None if value is None else round(value, 3),
            "cpu": None if cpu is None else round(cpu, 3), "goal": goal.goal, "op": goal.op,
            "unit": goal.unit, "met": None if value is None else goal.met(value), "note": note}
    return verdicts


def _others(r: dict[str, Any]) -> str:
    """The largest disturbance of a measured row, if it recorded any."""
    cores = [x["others_cores"] for x in r.get("rounds", [])] + r.get("others_cores", [])
    return f"others {max(cores)} cores" if cores else ""


def _timed_row(label: str, r: dict[str, Any], note: str = "") -> tuple[str, ...]:
    return (label, f"{r['seconds']} s", f"{r['per_report']} s",
            f"{r['cpu_per_report']} s" if "cpu_per_report" in r else "",
            "; ".join(x for x in (note, _others(r)) if x))


def _repeated_row(label: str, r: dict[str, Any], note: str = "") -> tuple[str, ...]:
    if "seconds_median" not in r:
        return (label, "—", "", "", r.get("error") or "not measured")
    spread = f"median of {len(r['seconds'])} ({min(r['seconds'])}–{max(r['seconds'])} s)"
    return (label, f"{r['seconds_median']} s", "", f"{r['cpu_seconds_median']} s",
            "; ".join(x for x in (spread, note, _others(r)) if x))


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value}×" if unit == "×" else f"{value} {unit}"


def table(results: dict[str, Any]) -> str:
    s = results["steps"]
    n, subset, jobs = results["n"], results["subset"], results["jobs"]
    full, peer = s["full_build"], s["peer_batched"]
    rows = [
        ("what", "time", "per report", "CPU (per report or command)", "notes"),
        _timed_row(f"reportgen build --jobs {jobs} --force, {n} surveys (cold)", full,
                   f"worker peak {full['worker_peak_mb']} MB RSS"),
        _timed_row(f"peer: docxtpl + one soffice per worker, {jobs} workers, {n} surveys",
                   peer, f"soffice peak {peer['soffice_peak_mb']} MB RSS"),
    ]
    for name, label in (("reportgen", f"reportgen build --jobs {jobs} --force (cold)"),
                        ("peer_per_report", f"peer, soffice once per report, {jobs} workers"),
                        ("peer_one_worker", "peer, one soffice batch, 1 worker")):
        rows.append(_timed_row(f"{label}, {subset} surveys", s["subset"][name]))
    tpl = s["template_change"]
    rows += [
        _repeated_row(f"no-op rebuild of {n}", s["noop"],
                      f"outputs rebuilt: {s['noop']['rebuilt']}"),
        _repeated_row(f"rebuild after one survey changed (of {n})", s["one_survey"],
                      f"outputs rebuilt: {s['one_survey']['outputs_rebuilt']}"),
        _repeated_row("reportgen check of one file", s["check"]),
        _timed_row(f"rebuild of {n} after print.css changed (chart cache kept)", tpl,
                   f"outputs rebuilt: {tpl['outputs_rebuilt']}; vs the peer's full build "
                   f"{_value(tpl['vs_peer_full_build'], '×')} wall, "
                   f"{_value(tpl['cpu_vs_peer_full_build'], '×')} CPU"),
    ]
    one = s.get("one_report")
    if one:
        rows += [
            _repeated_row("one report, fresh process: reportgen build ONE.yaml --force",
                          one["reportgen"],
                          f"peer / reportgen per pair: {_value(one['ratio_median'], '×')} "
                          f"wall, {_value(one['cpu_ratio_median'], '×')} CPU"),
            _repeated_row("one report, fresh process: peer --jobs 1", one["peer"]),
        ]
    watch = s["watch"]
    for kind, label in (("data_edit", "survey"), ("template_edit", "template (print.css)")):
        rows.append(_repeated_row(f"watch, one-survey folder: {label} saved → new PDF",
                                  watch.get(kind) or {"error": watch.get("error")}))
    if "exit_on_ctrl_c" in watch:
        rows.append(("watch: Ctrl-C → exit", f"{watch['ctrl_c_to_exit_seconds']} s", "", "",
                     f"exit status {watch['exit_on_ctrl_c']}"))
    if "soak" in s:
        soak = s["soak"]
        flat = soak["flatness"] or {}
        rows.append(_timed_row(
            f"soak build of {soak['n']} (cold)", soak,
            f"worker peak {soak['worker_peak_mb']} MB; largest worker in first / last fifth "
            f"{flat.get('first_fifth_mb')} / {flat.get('last_fifth_mb')} MB"))
    pdf, peer_pdf = full["pdf"], peer["pdf"]
    rows.append(("PDF per report (reportgen / peer)",
                 f"{pdf.get('size_kb_mean')} / {peer_pdf.get('size_kb_mean')} KB", "", "",
                 f"pages {pdf.get('pages_min')}–{pdf.get('pages_max')} / "
                 f"{peer_pdf.get('pages_min')}–{peer_pdf.get('pages_max')}"))
    lines = ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    lines.insert(1, "| --- | ---: | ---: | ---: | --- |")
    lines += ["", "| goal | measured | CPU | goal | verdict | notes |",
              "| --- | ---: | ---: | ---: | --- | --- |"]
    ops = {">=": "≥", "<=": "≤", "<": "<"}
    for v in results["goals"].values():
        verdict = {True: "met", False: "NOT met", None: "not measured"}[v["met"]]
        lines.append(f"| {v['scenario']} | {_value(v['value'], v['unit'])} | "
                     f"{_value(v['cpu'], v['unit'])} | {ops[v['op']]} "
                     f"{_value(v['goal'], v['unit'])} | {verdict} | {v['note']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
