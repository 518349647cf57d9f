"""Timing a command from start to exit, and sampling the memory of its process tree.

Memory is the resident set size (RSS) of every process in the command's tree, read with
psutil every SAMPLE_SECONDS; a process's peak is the largest RSS seen for it. RSS counts
shared pages (libraries, memory a forked worker still shares with its parent) in full, so it
overstates what a worker adds, never understates it. Processes are grouped by role: the
command itself ("main"), Python children ("worker"), LibreOffice ("soffice").
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

SAMPLE_SECONDS = 0.05
MB = 1024 * 1024


@dataclass
class Sample:
    seconds: float  # since the command started
    worker_rss: list[int]  # RSS of each live worker, bytes


@dataclass
class RunResult:
    command: list[str]
    seconds: float
    returncode: int
    # (pid, start time) → (role, peak bytes)
    peaks: dict[tuple[int, float], tuple[str, int]] = field(default_factory=dict)
    timeline: list[Sample] = field(default_factory=list)
    load_before: float = 0.0  # 1-minute load average when the command started
    cpu_seconds: float = 0.0  # user + system time of the whole process tree
    others_cores: float = 0.0  # CPU the rest of the machine used meanwhile, in cores
    sampler_errors: list[str] = field(default_factory=list)
    output: str = ""

    def peak_mb(self, role: str) -> float | None:
        values = [rss for r, rss in self.peaks.values() if r == role]
        return round(max(values) / MB, 1) if values else None

    def count(self, role: str) -> int:
        return sum(1 for r, _ in self.peaks.values() if r == role)


def _role(proc: psutil.Process, root: int) -> str | None:
    try:
        if proc.pid == root:
            return "main"
        name = proc.name()
        cmdline = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return None
    if "soffice" in name or "soffice" in cmdline or "oosplash" in name:
        return "soffice"
    if "resource_tracker" in cmdline or "forkserver" in cmdline:
        return None  # multiprocessing helpers, not doing any building
    if not cmdline:
        return None  # exiting (or a kernel thread): decide at a later sample, if any
    if "python" in name or "python" in cmdline or "reportgen" in cmdline:
        return "worker"
    return "other"


class _Sampler(threading.Thread):
    def __init__(self, pid: int, start: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.start_time = start
        self.peaks: dict[tuple[int, float], tuple[str, int]] = {}
        self.timeline: list[Sample] = []
        self.stop = threading.Event()
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                if not self._sample(root):
                    break
            except Exception as exc:  # a dead sampler would silently under-report memory
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self.stop.wait(SAMPLE_SECONDS)

    def _sample(self, root: psutil.Process) -> bool:
        """One sample of the tree; False once the command has exited."""
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            # A child that exits (or is a zombie) while the tree is read raises too; only
            # the command's own exit ends the sampling.
            try:
                alive = root.is_running() and root.status() != psutil.STATUS_ZOMBIE
            except psutil.Error:
                alive = False
            return alive
        workers: list[int] = []
        for proc in procs:
            try:
                # pids wrap around (pid_max may be 32768): a process is (pid, start time).
                key = (proc.pid, proc.create_time())
                rss = proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            # A process's role is decided when it is first seen: an exiting process has an
            # empty command line and would otherwise turn into "other" at its last sample.
            role = self.peaks[key][0] if key in self.peaks else _role(proc, self.pid)
            if role is None:
                continue
            old = self.peaks.get(key, (role, 0))[1]
            self.peaks[key] = (role, max(old, rss))
            if role == "worker":
                workers.append(rss)
        self.timeline.append(Sample(time.perf_counter() - self.start_time, workers))
        return True


def timed(command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
          sample: bool = False, log: Path | None = None, timeout: float = 7200) -> RunResult:
    """Run `command`, time it from start to exit, optionally sample its memory."""
    full_env = {**os.environ, **(env or {})}
    load = os.getloadavg()[0]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    machine_before = psutil.cpu_times()
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=full_env, cwd=cwd, stdout=out,
                                stderr=subprocess.STDOUT)
        sampler = _Sampler(proc.pid, start) if sample else None
        if sampler:
            sampler.start()
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            returncode = proc.wait()
        seconds = time.perf_counter() - start
        if sampler:
            sampler.stop.set()
            sampler.join()
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    result = RunResult(command, seconds, returncode, load_before=load)
    # Every descendant that exited and was waited for (pool workers, soffice) is counted in
    # RUSAGE_CHILDREN. What the machine did besides, in cores, says how much the timing was
    # disturbed by other work (the machine is shared); this process's own sampling is mine.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    mine = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = (children.ru_utime + children.ru_stime
                          - children_before.ru_utime - children_before.ru_stime)
    sampling = mine.ru_utime + mine.ru_stime - self_before.ru_utime - self_before.ru_stime
    after = psutil.cpu_times()
    busy = (_busy(after) - _busy(machine_before))
    result.others_cores = max(0.0, (busy - result.cpu_seconds - sampling) / seconds)
    if sampler:
        result.peaks, result.timeline = sampler.peaks, sampler.timeline
        result.sampler_errors = sampler.errors[:5]
    if log and returncode != 0:
        result.output = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    return result


def _busy(times: Any) -> float:
    """Seconds the CPUs were not idle (iowait counts as idle)."""
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def machine_busy_seconds() -> float:
    """Seconds all the machine's CPUs have been busy so far, summed over the CPUs."""
    return _busy(psutil.cpu_times())


def own_cpu_seconds() -> float:
    """User + system time of this (measuring) process so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tree_cpu_seconds(pid: int) -> float:
    """User + system time so far of a process that is still running and its descendants.

    For a long-running command (`reportgen watch`) RUSAGE_CHILDREN does not help: it counts
    a child only once it has been waited for. Each process's own children_* times cover the
    descendants it already reaped, so nothing is counted twice; a process that exits between
    two readings moves from "live" to its parent's children_* times.
    """
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue  # exited meanwhile
        total += times.user + times.system + times.children_user + times.children_system
    return total


def flatness(timeline: list[Sample]) -> dict[str, float] | None:
    """Largest worker RSS in the first and last fifth of a run (MB): flat means close."""
    points = [(s.seconds, max(s.worker_rss)) for s in timeline if s.worker_rss]
    if len(points) < 10:
        return None
    end = points[-1][0]
    first = [rss for t, rss in points if t <= end / 5]
    last = [rss for t, rss in points if t >= end * 4 / 5]
    if not first or not last:
        return None
    return {"first_fifth_mb": round(max(first) / MB, 1), "last_fifth_mb": round(max(last) / MB, 1)}
