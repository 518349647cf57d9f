"""Imports follow the data's journey: no stage imports a later one.

    survey → templating → document → writers / charts → build / checks → preview → cli

Shared helpers (errors, quantities, files, cache, formatting, fonts, the location of template
sets)
sit below every stage and import no stage. Imports inside functions count too: a lazy
import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reportgen"

# Lower numbers come first on the journey; a module may import its own level and below.
LEVELS: dict[str, int] = {
    "errors": 0, "quantities": 0, "files": 0, "templatesets": 0, "cache": 0,
    "formatting": 1, "fonts": 1,
    "survey": 2,
    "templating": 3,
    "document": 4,
    "writers": 5, "charts": 5,
    "build": 6, "checks": 6,
    "preview": 7,
    "cli": 8, "__main__": 9, "__init__": 9,
}


def _stage(module: str) -> str:
    """reportgen.survey.loader → survey; reportgen.fonts → fonts."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "reportgen":  # from reportgen import fonts
                found += [(node.lineno, f"reportgen.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.startswith("reportgen.")]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_stage_has_a_level() -> None:
    stages = {_stage("reportgen." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts))
              for p in MODULES}
    assert stages <= set(LEVELS), stages - set(LEVELS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_later_stage(path: Path) -> None:
    own = _stage("reportgen." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    wrong = [f"{path.relative_to(PACKAGE)}:{line} imports {name} ({_stage(name)})"
             for line, name in _imports(path)
             if LEVELS[_stage(name)] > LEVELS[own]]
    assert not wrong, "\n".join(wrong)
