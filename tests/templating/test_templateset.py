"""Where template sets are found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.errors import TemplateError
from reportgen.templating.templateset import (
    TEMPLATES_ENV,
    available_sets,
    find_template_set,
    templates_root,
)


def test_default_root_is_the_toolkits_templates_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEMPLATES_ENV, raising=False)
    assert (templates_root() / "default" / "report.html").is_file()


def test_environment_variable_chooses_another_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(templates_root() / "default", tmp_path / "mine")
    monkeypatch.setenv(TEMPLATES_ENV, str(tmp_path))
    assert available_sets() == ["mine"]
    assert find_template_set("mine").root == (tmp_path / "mine").resolve()
    with pytest.raises(TemplateError, match="可用的模板集：mine"):
        find_template_set("default")
