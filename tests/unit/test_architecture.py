"""The package rules of ARCHITECTURE.md as failing tests: import contracts and module docstrings."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DETOURS = ("import_module(", "__import__(")
PACKAGES = ("collectors", "inventory", "topology", "netops", "web", "cli", "simulator")


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed in this environment")
    proc = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" in proc.stdout and "0 broken" in proc.stdout, proc.stdout


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_says_what_it_is_for(package: str) -> None:
    missing = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations/versions" in path.as_posix():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.stat().st_size and not ast.get_docstring(tree):
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules without a docstring: {missing}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_service_never_imports_web_or_the_command_line() -> None:
    """Also imports inside functions, which import-linter sees too, and no importlib detours."""
    offenders = []
    for path in sorted((ROOT / "netops").rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in ("web", "cli"):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders, offenders


def test_no_package_uses_importlib_to_get_around_a_contract() -> None:
    offenders = [str(path.relative_to(ROOT)) for package in PACKAGES
                 for path in sorted((ROOT / package).rglob("*.py"))
                 if any(call in path.read_text(encoding="utf-8") for call in DETOURS)]
    assert not offenders, offenders


def test_class_names_are_unique_across_packages() -> None:
    """One name, one meaning: ``LinkStatus`` or ``Impact`` defined twice confuse every reader."""
    where: dict[str, list[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations/versions" in path.as_posix():
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    where.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    repeated = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not repeated, repeated
