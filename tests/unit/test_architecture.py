"""The floor plan of docs/architecture.md holds: rooms import only downwards, tables live only in
``parliament_app/models``, permission rules only in ``parliament_app/policy``, and no service
treats a missing user as "everything allowed" by accident."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("parliament_app", "sessions", "activities")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# A module longer than this says at its top why it is not split.
LONG_FILE_LINES = 600


def _python_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=300,
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_the_rooms_import_only_downwards() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")
def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The contract is not decoration: the clock (core) importing the page shell (ui) fails it,
    even when the import hides inside a function."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    clock = tmp_path / "parliament_app" / "core" / "clock.py"
    clock.write_text(
        clock.read_text() + "\n\ndef _sneaky():\n    from parliament_app.ui import shell\n"
    )
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "parliament_app.core is not allowed to import parliament_app.ui" in result.stdout
    assert "parliament_app.core.clock -> parliament_app.ui.shell" in result.stdout


def test_every_table_is_in_the_models_package() -> None:
    outside = []
    for path in _python_files():
        if (ROOT / "parliament_app" / "models") in path.parents:
            continue
        if re.search(r"^\s+__tablename__\s*=", path.read_text(), re.MULTILINE):
            outside.append(str(path.relative_to(ROOT)))
    assert outside == []


def test_importing_the_models_registers_every_table() -> None:
    """One import, no side-effect imports elsewhere: the metadata Alembic migrates is complete."""
    code = (
        "import parliament_app.models as m, sys;"
        "print(len(m.metadata.tables));"
        "print(sorted(n for n in sys.modules if n.startswith(('sessions', 'activities'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    tables, feature_modules = result.stdout.splitlines()
    assert int(tables) >= 40
    assert feature_modules == "[]"


def _functions_named(pattern: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _python_files():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and re.match(pattern, node.name):
                found.setdefault(str(path.relative_to(ROOT)), []).append(node.name)
    return found


def test_public_permission_rules_live_in_the_policy() -> None:
    """``may_*``, ``require_*`` and ``*_scope`` functions are the policy's; a service that needs a
    rule asks ``parliament_app.policy``."""
    rules = _functions_named(r"^(may_|require_)|.*_scope$")
    outside = {
        path: names
        for path, names in rules.items()
        if not path.startswith("parliament_app/policy/")
    }
    assert outside == {}


def test_long_modules_say_why_they_are_not_split() -> None:
    unexplained = []
    for path in _python_files():
        text = path.read_text()
        if text.count("\n") <= LONG_FILE_LINES:
            continue
        if not text.startswith("# Not split: ") and "Not split: " not in text[:1500]:
            unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert unexplained == []


def _runs_at_import(node: ast.stmt) -> bool:
    """A page's top-level statement that would do something when the module is imported."""
    if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef):
        return False
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return False  # the docstring
    if isinstance(node, ast.Assign | ast.AnnAssign):
        calls = [call for call in ast.walk(node) if isinstance(call, ast.Call)]
        names = {ast.unparse(call.func) for call in calls}
        request_bound = {"current_language", "page_user", "transaction", "local_today"}
        return any(name.startswith("st.") or name in request_bound for name in names)
    if isinstance(node, ast.If):
        return ast.unparse(node) != "if __name__ == '__main__':\n    render()"
    return True


@pytest.mark.parametrize(
    "page",
    sorted(
        path.stem
        for path in (ROOT / "parliament_app" / "ui" / "pages").glob("*.py")
        if path.stem != "__init__"
    ),
)
def test_every_page_is_a_render_function(page: str) -> None:
    """Pages can be imported, measured and reused: importing one runs nothing; Streamlit runs the
    file as ``__main__``, which calls ``render()``."""
    tree = ast.parse((ROOT / "parliament_app" / "ui" / "pages" / f"{page}.py").read_text())
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert "render" in functions
    running = [ast.unparse(node).splitlines()[0] for node in tree.body if _runs_at_import(node)]
    assert not running, f"{page}.py runs at import: {running}"
