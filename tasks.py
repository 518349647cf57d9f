"""Developer tasks (invoke). `inv --list` shows them; `make demo` / `make test` set up first."""

from __future__ import annotations

import shlex

from invoke import Context, task

VENV_BIN = ".venv/bin"
LINTED = "reportgen tests tasks.py benchmarks"


def _paths(paths: str) -> str:
    """Several paths may be given in one option: `--paths "inputs/a.yaml inputs/b.yaml"`."""
    return " ".join(shlex.quote(p) for p in shlex.split(paths))


@task(help={"paths": "survey files or folders (default inputs)", "out": "output folder",
            "jobs": "worker processes (default: number of cores)",
            "force": "rebuild every report, even the up-to-date ones",
            "quiet": "only errors and the summary"})
def build(c: Context, paths: str = "inputs", out: str = "outputs", jobs: int = 0,
          force: bool = False, quiet: bool = False) -> None:
    """Build the reports that are out of date (DOCX and PDF) for PATHS into OUT."""
    options = f" --jobs {jobs}" if jobs else ""
    options += " --force" if force else ""
    options += " --quiet" if quiet else ""
    c.run(f"{VENV_BIN}/reportgen build {_paths(paths)} --out {shlex.quote(out)}{options}",
          pty=True)


@task(help={"paths": "survey files or folders (default inputs)", "out": "output folder"})
def watch(c: Context, paths: str = "inputs", out: str = "outputs") -> None:
    """Rebuild the affected reports whenever a survey or template file is saved (Ctrl-C stops)."""
    c.run(f"{VENV_BIN}/reportgen watch {_paths(paths)} --out {shlex.quote(out)}", pty=True)


@task(help={"paths": "survey files or folders (default inputs)"})
def check(c: Context, paths: str = "inputs") -> None:
    """Validate surveys without writing anything."""
    c.run(f"{VENV_BIN}/reportgen check {_paths(paths)}", pty=True)


@task(help={"fast": "the quick suite: skip the tests marked @pytest.mark.slow"
                    " (-m \"not slow\")",
            "args": "extra pytest arguments, e.g. \"-x -k watch\""})
def test(c: Context, fast: bool = False, args: str = "") -> None:
    """Run the whole test suite, or with --fast the quick one (not the slow tests)."""
    options = ' -m "not slow"' if fast else ""
    c.run(f"{VENV_BIN}/python -m pytest -q{options} {args}", pty=True)


@task(help={"n": "surveys for the full build (inv bench -n 200)",
            "jobs": "workers for both pipelines",
            "subset": "surveys for the per-report and one-worker peers",
            "soak": "also build this many surveys to watch worker memory (0: skip)",
            "rounds": "alternating rounds of the two full builds (the best one counts)",
            "quick": "a small run (10 surveys) to try the benchmark out",
            "work": "scratch folder for surveys and outputs"})
def bench(c: Context, n: int = 200, jobs: int = 2, subset: int = 20, soak: int = 0,
          rounds: int = 2, quick: bool = False, work: str = "/tmp/reportgen-bench") -> None:
    """Benchmark reportgen against docxtpl + LibreOffice; writes benchmarks/results.json."""
    # `inv bench -n 200 --jobs 2`: invoke spells a one-letter option -n, never --n.
    options = (f"--n {n} --jobs {jobs} --subset {subset} --soak {soak} --rounds {rounds}"
               f" --work {shlex.quote(work)}")
    options += " --quick" if quick else ""
    c.run(f"{VENV_BIN}/python -m benchmarks.run {options}", pty=True)


@task
def lint(c: Context) -> None:
    """Run ruff over the code, tests, tasks.py and benchmarks."""
    c.run(f"{VENV_BIN}/ruff check {LINTED}", pty=True)


@task
def goldens(c: Context) -> None:
    """Regenerate golden document trees on purpose; review `git diff tests/goldens` after."""
    c.run(f"{VENV_BIN}/python -m tests.goldens", pty=True)


@task
def clean(c: Context) -> None:
    """Remove built reports, build stamps and caches."""
    c.run("rm -rf outputs/*.docx outputs/*.pdf outputs/.*.tmp outputs/.reportgen-stamps.json"
          " outputs/.reportgen.lock .pytest_cache .ruff_cache")
