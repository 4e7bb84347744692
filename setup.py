"""setuptools' entry point: the extensions a wheel compiles with mypyc come from the build
backend (build_backend/screener_build.py); everything else is in pyproject.toml."""

import sys
from pathlib import Path

from setuptools import setup

sys.path.insert(0, str(Path(__file__).resolve().parent / "build_backend"))
from screener_build import setup_arguments  # noqa: E402

setup(**setup_arguments())
