"""Packaging: the wheel carries the template sets, and an installed reportgen builds reports.

The slow test builds a wheel from a copy of the sources (no inputs/, no tests/), installs it
into a folder of its own and builds a sample from a working folder outside the repository,
without network (--no-index, --no-build-isolation: setuptools comes from the venv).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from reportgen.templating.templateset import TEMPLATES_ENV, templates_root
from tests.conftest import ROOT

SURVEY = ROOT / "inputs" / "zhucheng.yaml"
MARK = "（本句来自自选模板集）"


def _packaging() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]


def test_every_package_is_in_the_wheel() -> None:
    """pyproject lists the packages by hand (for the templates mapping); none may be missed."""
    listed = set(_packaging()["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "reportgen").rglob("*.py") if "__pycache__" not in p.parts}
    missing = sorted(on_disk - listed)
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"
    assert _packaging()["package-dir"]["reportgen.templates"] == "templates"
    assert "reportgen.templates" in listed


def test_a_checkout_uses_the_top_level_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEMPLATES_ENV, raising=False)
    assert templates_root() == ROOT / "templates"
    monkeypatch.setenv(TEMPLATES_ENV, str(ROOT / "tests"))
    assert templates_root() == ROOT / "tests"


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _pip_env() -> dict[str, str]:
    """pip and setuptools as on a staff machine: their own deprecation notes are not ours."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of what the package is made of: no inputs/, no tests/."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("reportgen", "templates"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", work / "dist", source, cwd=work, env=_pip_env())
    (built,) = (work / "dist").glob("reportgen-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a folder of its own (dependencies: the venv's)."""
    target = tmp_path_factory.mktemp("site")
    _run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
         "--target", target, wheel, cwd=target, env=_pip_env())
    return target


def _env(target: Path, templates: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (TEMPLATES_ENV, "PYTHONPATH")}
    env["PYTHONPATH"] = str(target)
    if templates is not None:
        env[TEMPLATES_ENV] = str(templates)
    return env


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        return re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode("utf-8"))


@pytest.mark.slow
def test_the_wheel_carries_every_module_and_template_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    # Every file of the package: a data file added under reportgen/ needs package-data.
    package = {p.relative_to(ROOT).as_posix() for p in (ROOT / "reportgen").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert package <= names, sorted(package - names)
    shipped = {f"reportgen/templates/{p.relative_to(ROOT / 'templates').as_posix()}"
               for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert shipped and shipped <= names, sorted(shipped - names)
    assert not [n for n in names if n.startswith(("inputs/", "tests/", "templates/"))]


@pytest.mark.slow
def test_installed_package_builds_a_sample_outside_the_repository(
        installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "office"  # a working folder that is not the repository
    work.mkdir()
    assert not work.resolve().is_relative_to(ROOT)
    survey = work / SURVEY.name
    shutil.copy2(SURVEY, survey)
    where = _run(sys.executable, "-c",
                 "import reportgen; from reportgen.templating.templateset import templates_root;"
                 " print(reportgen.__file__); print(templates_root())",
                 cwd=work, env=_env(installed)).splitlines()
    package, root = Path(where[0]), Path(where[1])
    assert package.is_relative_to(installed.resolve()), package  # not the editable checkout
    assert root == installed.resolve() / "reportgen" / "templates"
    assert (root / "default" / "reference.docx").is_file()

    _run(sys.executable, "-m", "reportgen", "build", survey.name, "--out", "out",
         cwd=work, env=_env(installed))
    docx, pdf = work / "out" / "zhucheng.docx", work / "out" / "zhucheng.pdf"
    assert docx.stat().st_size > 10_000 and pdf.read_bytes().startswith(b"%PDF-")
    assert "诸城市" in _docx_text(docx) and MARK not in _docx_text(docx)


@pytest.mark.slow
def test_a_chosen_templates_folder_wins_over_the_packaged_one(
        installed: Path, tmp_path: Path) -> None:
    mine = tmp_path / "我的模板"
    shutil.copytree(installed / "reportgen" / "templates", mine)
    entry = mine / "default" / "report.html"
    text = entry.read_text(encoding="utf-8")
    assert "现将有关情况报告如下：" in text
    entry.write_text(text.replace("现将有关情况报告如下：", f"现将有关情况报告如下{MARK}："),
                     encoding="utf-8")
    work = tmp_path / "office"
    work.mkdir()
    shutil.copy2(SURVEY, work / SURVEY.name)
    env = _env(installed, mine)
    shown = _run(sys.executable, "-c",
                 "from reportgen.templating.templateset import templates_root;"
                 " print(templates_root())", cwd=work, env=env)
    assert Path(shown.strip()) == mine.resolve()
    _run(sys.executable, "-m", "reportgen", "build", SURVEY.name, "--out", "out",
         "--format", "docx", cwd=work, env=env)
    assert MARK in _docx_text(work / "out" / "zhucheng.docx")
