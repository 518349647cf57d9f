"""Developer tasks (invoke). `inv --list` shows them; `make demo` / `make test` set up first."""

from __future__ import annotations

from invoke import Context, task

VENV_BIN = ".venv/bin"


@task
def build(c: Context, paths: str = "inputs", out: str = "outputs") -> None:
    """Build reports for the surveys in PATHS (default inputs/) into OUT."""
    c.run(f"{VENV_BIN}/reportgen build {paths} --out {out}", pty=True)


@task
def check(c: Context, paths: str = "inputs") -> None:
    """Validate surveys without writing anything."""
    c.run(f"{VENV_BIN}/reportgen check {paths}", pty=True)


@task
def test(c: Context, args: str = "") -> None:
    """Run the whole test suite."""
    c.run(f"{VENV_BIN}/python -m pytest -q {args}", pty=True)


@task
def lint(c: Context) -> None:
    """Run ruff over the code and tests."""
    c.run(f"{VENV_BIN}/ruff check reportgen tests tasks.py", pty=True)


@task
def goldens(c: Context) -> None:
    """Regenerate golden document trees on purpose; review `git diff tests/goldens` after."""
    c.run(f"{VENV_BIN}/python -m tests.goldens", pty=True)


@task
def clean(c: Context) -> None:
    """Remove built reports and caches."""
    c.run("rm -rf outputs/*.docx outputs/*.pdf outputs/.*.tmp .pytest_cache .ruff_cache")
