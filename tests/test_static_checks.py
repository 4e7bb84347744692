"""The package ships py.typed: mypy must accept it; ruff keeps the code free of the
mistakes a linter finds (configuration in pyproject.toml).  Both run with the tests, so CI
runs them."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("tool, args", [
    ("mypy", ["screener"]),
    ("ruff", ["check", "screener", "tests", "benchmarks", "examples", "build_backend", "setup.py"]),
])
def test_static_checks_pass(tool: str, args: list[str]) -> None:
    if importlib.util.find_spec(tool) is None and os.environ.get("CI") != "true":
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]')")
    result = subprocess.run([sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
