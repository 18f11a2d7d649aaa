"""The contract's rules, limits, errors, results and tokens are one source copied into every app.

Every app folder (`*_app/` at the top of the repository) that has one of the shared modules
has it byte for byte; the two reference apps have all of them. Shared modules stay free of
any framework, so a copy means the same behaviour wherever it runs.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_MODULES = ("rules.py", "errors.py", "data.py", "tokens.py")
REFERENCE_APPS = ("django_app", "fastapi_app")
# What a shared module may import besides the standard library and its shared siblings.
ALLOWED_THIRD_PARTY = {"jwt"}


def app_folders() -> list[Path]:
    """Every app folder of the repository, the reference apps first."""
    found = sorted(p.parent for p in REPO.glob("*_app/__init__.py"))
    return sorted(found, key=lambda p: (p.name not in REFERENCE_APPS, p.name))


def test_the_reference_apps_have_every_shared_module() -> None:
    names = [p.name for p in app_folders()]
    assert names[:2] == list(REFERENCE_APPS), names
    for app in REFERENCE_APPS:
        missing = [m for m in SHARED_MODULES if not (REPO / app / m).is_file()]
        assert not missing, (app, missing)


@pytest.mark.parametrize("module", SHARED_MODULES)
def test_shared_module_is_identical_in_every_app_that_has_it(module: str) -> None:
    copies = {p.name: (p / module).read_bytes() for p in app_folders() if (p / module).is_file()}
    reference = copies[REFERENCE_APPS[0]]
    differing = sorted(name for name, text in copies.items() if text != reference)
    assert not differing, f"{module} differs from {REFERENCE_APPS[0]}/{module} in {differing}"


@pytest.mark.parametrize("module", SHARED_MODULES)
def test_shared_module_imports_no_framework(module: str) -> None:
    tree = ast.parse((REPO / REFERENCE_APPS[0] / module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            assert node.module is not None and f"{node.module}.py" in SHARED_MODULES, node.module
            continue
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            top = name.partition(".")[0]
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, (module, name)
