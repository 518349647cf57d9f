"""Measure reportgen against the docxtpl + LibreOffice peer, side by side, in one run.

    python -m benchmarks.run [--n 200] [--jobs 2] [--subset 20] [--rounds 2] [--soak 500]
                             [--quick]

Every timing is a command from start to exit, as staff would see it (`reportgen build …`,
`python -m benchmarks.peer …`). Steps, in order:

  1–2. cold full build `reportgen build --jobs J --force` into an empty folder, then the
       batched peer on the same N surveys (J workers, one soffice per worker); alternated
       for --rounds rounds, the fastest round of each counts; memory sampled throughout
  3. on the first `--subset` surveys: reportgen, the per-report peer (soffice per report) and
     the batched peer with one worker
  4. no-op rebuild; one survey changed; `reportgen check` of one file (median of several)
  5. one template file changed (on a copy of templates/ given by REPORTGEN_TEMPLATES)
  6. watch latency, save → new PDF on disk, and Ctrl-C → exit (if `reportgen watch` exists)
  7. optionally a soak build of `--soak` surveys: is worker memory flat?
  8. where the time goes: import and phase timings, cProfile of charts and PDF writer

Besides wall time, each build records the CPU time of its whole process tree and how many
cores the rest of the (shared) machine used meanwhile, so a disturbed timing shows as such.
The table is printed and everything is written to benchmarks/results.json (or --json).
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
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.generate import DEFAULT_SEED, generate
from benchmarks.measure import RunResult, flatness, timed

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
REPORTGEN = str(VENV_BIN / "reportgen")
HERE = Path(__file__).resolve().parent

GOALS = {
    "full_vs_batched_peer": 1.2,  # reportgen at least 1.2× faster per report
    "full_vs_per_report_peer": 2.5,
    "noop_seconds": 0.5,
    "one_survey_seconds": 2.0,
    "watch_seconds": 1.0,
    "check_seconds": 0.3,
    "worker_peak_mb": 400,
}


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
        self.env = {"REPORTGEN_TEMPLATES": str(self.templates)}
        self.log = work / "commands.log"

    def build_command(self, paths: Path, out: Path, force: bool = False) -> list[str]:
        command = [REPORTGEN, "build", str(paths), "--out", str(out)]
        if self.feats["jobs"]:
            command += ["--jobs", str(self.jobs)]
        if force and self.feats["force"]:
            command.append("--force")
        if self.feats["quiet"]:
            command.append("--quiet")
        return command

    def run(self, command: list[str], sample: bool = False) -> RunResult:
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n$ {' '.join(command)}\n")
        result = timed(command, env=self.env, cwd=ROOT, sample=sample, log=self.log)
        if result.returncode != 0:
            raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}\n"
                             f"{result.output}")
        return result

    def peer(self, paths: Path, out: Path, jobs: int, per_report: bool = False) -> RunResult:
        command = [sys.executable, "-m", "benchmarks.peer", str(paths), "--out", str(out),
                   "--jobs", str(jobs), "--template", str(self.work / "peer_template.docx"),
                   "--profiles", str(self.work / "profiles"),
                   "--stats", str(out / "peer-stats.json")]
        if per_report:
            command.append("--per-report")
        return self.run(command, sample=True)


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


def repeated(results: list[RunResult]) -> dict[str, Any]:
    """A short command run several times: median, each time, and how busy the machine was."""
    return {"seconds_median": round(statistics.median(r.seconds for r in results), 3),
            "seconds": [round(r.seconds, 3) for r in results],
            "others_cores": [round(r.others_cores, 2) for r in results]}


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


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def watch_latency(bench: Bench, surveys: Path, out: Path, rounds: int) -> dict[str, Any]:
    log = bench.work / "watch.log"
    log.write_text("", encoding="utf-8")
    command = [REPORTGEN, "watch", str(surveys), "--out", str(out)]
    if bench.feats["jobs"]:
        command += ["--jobs", str(bench.jobs)]
    with log.open("ab") as stream:
        # A benchmark started in the background (nohup … &) inherits SIGINT ignored; staff
        # press Ctrl-C in a terminal, so give watch the default disposition back.
        proc = subprocess.Popen(command, env={**os.environ, **bench.env}, cwd=ROOT,
                                stdout=stream, stderr=subprocess.STDOUT,
                                preexec_fn=_default_sigint)
    latencies: list[float] = []
    try:
        deadline = time.monotonic() + 300
        while "正在监视" not in log.read_text(encoding="utf-8", errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                return {"error": "watch did not start: " + log.read_text()[-500:]}
            time.sleep(0.05)
        # Surveys from the end of the list: steps 4 and 5 edited the first ones.
        chosen = sorted(surveys.glob("*.yaml"))[::-1][:rounds + 1]
        for k, survey in enumerate(chosen):  # round 0 is a warm-up and is not counted
            pdf = out / f"{survey.stem}.pdf"
            before = (pdf.stat().st_ino, pdf.stat().st_mtime_ns)
            time.sleep(1.0)
            start = time.perf_counter()
            edit_survey(survey, 7)
            while True:
                try:
                    now = (pdf.stat().st_ino, pdf.stat().st_mtime_ns)
                except FileNotFoundError:
                    now = before
                if now != before:
                    break
                if time.perf_counter() - start > 60:
                    return {"error": f"no new PDF 60 s after saving {survey.name}"}
                time.sleep(0.005)
            if k:
                latencies.append(time.perf_counter() - start)
    finally:
        stop = time.perf_counter()
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code: int | None = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        stopped = time.perf_counter() - stop
    return {"seconds_median": round(statistics.median(latencies), 3),
            "seconds": [round(s, 3) for s in latencies], "exit_on_ctrl_c": code,
            "ctrl_c_to_exit_seconds": round(stopped, 3)}


def main(argv: list[str] | None = None) -> int:
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
                        help="scratch folder (surveys, outputs, profiles)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json")
    parser.add_argument("--quick", action="store_true",
                        help="small run: --n 10 --subset 4, no soak, fewer repeats")
    parser.add_argument("--no-profile", action="store_true", help="skip step 8")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.subset, args.soak, args.rounds = min(args.n, 10), min(args.subset, 4), 0, 1
    args.subset = min(args.subset, args.n)
    repeats = 3 if args.quick else 5
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    feats = features()
    bench = Bench(work, args.jobs, feats)
    bench.log.write_text("", encoding="utf-8")
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "n": args.n,
                               "jobs": args.jobs, "subset": args.subset, "seed": args.seed,
                               "features": feats, "machine": machine(), "steps": {}}
    steps = results["steps"]

    def say(text: str) -> None:
        print(text, flush=True)

    say(f"preparing {args.n} surveys, templates copy and soffice profiles in {work}")
    surveys, sub = prepare(work, args.n, args.subset, args.seed, args.jobs)
    out, peer_out = work / "out", work / "peer-out"

    # 1–2: the headline comparison, back to back, alternating for --rounds rounds so that
    # a burst of other work on the shared machine does not land on one pipeline only.
    fulls: list[RunResult] = []
    peers: list[RunResult] = []
    for k in range(args.rounds):
        for folder in (out, peer_out):
            shutil.rmtree(folder, ignore_errors=True)
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

    # 3: the same few surveys through each variant.
    say(f"3. subset of {args.subset}: reportgen, per-report peer, one-worker peer …")
    sub_out = work / "subset-out"
    shutil.rmtree(sub_out, ignore_errors=True)
    small = bench.run(bench.build_command(sub, sub_out, force=True), sample=True)
    variants = {"reportgen": small}
    for name, jobs, each in (("peer_per_report", args.jobs, True), ("peer_one_worker", 1, False)):
        folder = work / f"{name}-out"
        shutil.rmtree(folder, ignore_errors=True)
        variants[name] = bench.peer(sub, folder, jobs, per_report=each)
    steps["subset"] = {name: summary([r], args.subset) for name, r in variants.items()}

    # 4: incremental builds and check.
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

    # 5: one template file changed: every report of the set, and only those.
    say("5. one template file changed …")
    css = bench.templates / "default" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* benchmark edit */\n",
                   encoding="utf-8")
    before = snapshot(out)
    tpl = bench.run(bench.build_command(surveys, out), sample=True)
    steps["template_change"] = {**summary([tpl], args.n),
                                "outputs_rebuilt": len(changed(before, out))}

    # 6: watch.
    if feats["watch"]:
        say("6. watch latency …")
        steps["watch"] = watch_latency(bench, surveys, out, 3 if args.quick else 5)
    else:
        steps["watch"] = {"error": "not measured: feature missing"}

    # 7: soak.
    if args.soak:
        say(f"7. soak build of {args.soak} surveys …")
        soak_in, soak_out = work / "soak", work / "soak-out"
        shutil.rmtree(soak_out, ignore_errors=True)
        generate(soak_in, args.soak, args.seed)
        soak = bench.run(bench.build_command(soak_in, soak_out, force=True), sample=True)
        steps["soak"] = {"n": args.soak, **summary([soak], args.soak),
                         "worker_peak_mb": mb(soak, "worker"),
                         "workers_seen": soak.count("worker"),
                         "flatness": flatness(soak.timeline),
                         "sampler_errors": soak.sampler_errors}

    # 8: where the time goes.
    if not args.no_profile:
        say("8. import and phase timings, cProfile …")
        command = [sys.executable, "-m", "benchmarks.phases",
                   *(str(p) for p in sorted(surveys.glob("*.yaml"))[:5]),
                   "--profile", str(HERE / "profile.txt")]
        phases = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                                env={**os.environ, **bench.env}, check=True)
        steps["phases"] = json.loads(phases.stdout)

    results["goals"] = goals(steps)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")
    print()
    print(table(results))
    print(f"\nwritten to {args.json}")
    return 0


# -- verdicts and the table ----------------------------------------------------------


def goals(steps: dict[str, Any]) -> dict[str, Any]:
    """Each goal of the issue: the measured value, the goal and whether it is met."""
    full, peer, sub = steps["full_build"], steps["peer_batched"], steps["subset"]
    verdicts: dict[str, Any] = {}

    def verdict(name: str, value: float | None, goal: float, higher_is_better: bool) -> None:
        if value is None:
            verdicts[name] = {"value": None, "goal": goal, "met": None}
            return
        met = value >= goal if higher_is_better else value < goal
        verdicts[name] = {"value": round(value, 3), "goal": goal, "met": met}

    verdict("full_vs_batched_peer", peer["per_report"] / full["per_report"],
            GOALS["full_vs_batched_peer"], True)
    # CPU time is what contention on the shared machine disturbs least: for information.
    verdict("full_vs_batched_peer_cpu_time", peer["cpu_per_report"] / full["cpu_per_report"],
            GOALS["full_vs_batched_peer"], True)
    verdict("full_vs_per_report_peer",
            sub["peer_per_report"]["per_report"] / sub["reportgen"]["per_report"],
            GOALS["full_vs_per_report_peer"], True)
    verdict("noop_seconds", steps["noop"]["seconds_median"], GOALS["noop_seconds"], False)
    verdict("one_survey_seconds", steps["one_survey"]["seconds_median"],
            GOALS["one_survey_seconds"], False)
    verdict("watch_seconds", steps["watch"].get("seconds_median"), GOALS["watch_seconds"], False)
    verdict("check_seconds", steps["check"]["seconds_median"], GOALS["check_seconds"], False)
    peaks = [full["worker_peak_mb"], steps.get("soak", {}).get("worker_peak_mb")]
    verdict("worker_peak_mb", max((p for p in peaks if p is not None), default=None),
            GOALS["worker_peak_mb"], False)
    return verdicts


def _timed_row(label: str, r: dict[str, Any], note: str = "") -> tuple[str, ...]:
    others = max((x["others_cores"] for x in r.get("rounds", [])), default=None)
    disturbed = f"others {others} cores" if others is not None else ""
    return (label, f"{r['seconds']} s", f"{r['per_report']} s",
            f"{r['cpu_per_report']} s" if "cpu_per_report" in r else "",
            "; ".join(x for x in (note, disturbed) if x))


def table(results: dict[str, Any]) -> str:
    s = results["steps"]
    n, subset, jobs = results["n"], results["subset"], results["jobs"]
    full, peer = s["full_build"], s["peer_batched"]
    rows = [
        ("what", "time", "per report", "CPU per report", "notes"),
        _timed_row(f"reportgen build --jobs {jobs} --force, {n} surveys (cold)", full,
                   f"worker peak {full['worker_peak_mb']} MB RSS"),
        _timed_row(f"peer: docxtpl + one soffice per worker, {jobs} workers, {n} surveys",
                   peer, f"soffice peak {peer['soffice_peak_mb']} MB RSS"),
    ]
    for name, label in (("reportgen", f"reportgen build --jobs {jobs} --force"),
                        ("peer_per_report", f"peer, soffice once per report, {jobs} workers"),
                        ("peer_one_worker", "peer, one soffice batch, 1 worker")):
        rows.append(_timed_row(f"{label}, {subset} surveys", s["subset"][name]))
    rows += [
        (f"no-op rebuild of {n}", f"{s['noop']['seconds_median']} s", "", "",
         f"outputs rebuilt: {s['noop']['rebuilt']}"),
        (f"rebuild after one survey changed (of {n})", f"{s['one_survey']['seconds_median']} s",
         "", "", f"outputs rebuilt: {s['one_survey']['outputs_rebuilt']}"),
        _timed_row(f"rebuild after one template file changed ({n})", s["template_change"],
                   f"outputs rebuilt: {s['template_change']['outputs_rebuilt']}"),
        ("reportgen check of one file", f"{s['check']['seconds_median']} s", "", "", ""),
    ]
    watch = s["watch"]
    rows.append(("watch: save → new PDF on disk",
                 f"{watch['seconds_median']} s" if "seconds_median" in watch else "—", "", "",
                 watch.get("error", f"Ctrl-C: exit {watch.get('exit_on_ctrl_c')} after "
                                    f"{watch.get('ctrl_c_to_exit_seconds')} s")))
    if "soak" in s:
        soak = s["soak"]
        flat = soak["flatness"] or {}
        rows.append(_timed_row(
            f"soak build of {soak['n']}", soak,
            f"worker peak {soak['worker_peak_mb']} MB; largest worker in first / last fifth "
            f"{flat.get('first_fifth_mb')} / {flat.get('last_fifth_mb')} MB"))
    pdf, peer_pdf = full["pdf"], peer["pdf"]
    rows.append(("PDF per report (reportgen / peer)",
                 f"{pdf.get('size_kb_mean')} / {peer_pdf.get('size_kb_mean')} KB", "", "",
                 f"pages {pdf.get('pages_min')}–{pdf.get('pages_max')} / "
                 f"{peer_pdf.get('pages_min')}–{peer_pdf.get('pages_max')}"))
    lines = ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    lines.insert(1, "| --- | ---: | ---: | ---: | --- |")
    lines += ["", "| goal | measured | goal | met |", "| --- | ---: | ---: | --- |"]
    for name, v in results["goals"].items():
        met = {True: "met", False: "NOT met", None: "not measured"}[v["met"]]
        lines.append(f"| {name} | {v['value']} | {v['goal']} | {met} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
