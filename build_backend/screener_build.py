"""screener's build backend: setuptools, with the compile path compiled by mypyc in wheels.

A wheel, and so a regular ``pip install .``, compiles the modules of
``screener/native.py`` (``MODULES``) with mypyc into one shared library, as black and mypy
ship theirs: ``screener compile`` runs about 1.4x faster.  Everything else is setuptools'
own build (``setuptools.build_meta``), unchanged:

- an editable install (``pip install -e .``) stays pure Python: an extension beside the
  .py files would silently run instead of a developer's edits;
- ``SCREENER_PURE_PYTHON=1`` builds a pure-Python wheel on purpose;
- without a C compiler or Python's C headers, or when mypyc or the compiler fails, the
  wheel is pure Python and one warning line says why (pip shows it with ``-v``;
  ``screener --version`` names the build that runs); ``SCREENER_REQUIRE_COMPILED=1``
  (CI) makes that an error instead.

Only a wheel that compiles asks for mypy (the ``compiled`` extra, pinned to versions this
build was proven with) and the package's dependencies (mypyc types the code against them,
as mypy does): PEP 517's ``get_requires_for_build_wheel``, so that editable installs and
opt-outs do not install them.  ``setup.py`` calls ``setup_arguments`` for the extensions.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import sys
import sysconfig
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401  the hooks this backend leaves to setuptools
    build_editable,
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)
from setuptools.command.build_ext import build_ext
from setuptools.errors import BaseError, CCompilerError

ROOT = Path(__file__).resolve().parents[1]
PURE_PYTHON = "SCREENER_PURE_PYTHON"  # set to 1 to build and install without compiling
REQUIRE_COMPILED = "SCREENER_REQUIRE_COMPILED"  # set to 1 to fail instead of falling back (CI)
_OFF = {"", "0", "false", "no"}

_building_wheel = False  # set by build_wheel while setuptools runs setup.py for a wheel


def native_modules() -> tuple[tuple[str, ...], str]:
    """``MODULES`` and ``GROUP`` of screener/native.py, loaded without importing the package."""
    spec = importlib.util.spec_from_file_location("_screener_native", ROOT / "screener" / "native.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MODULES, module.GROUP


def pure_reason(environ: Mapping[str, str], compiler: str | None, headers: bool) -> str | None:
    """Why a wheel is built pure Python, or None to compile it: the opt-out, then what a
    compile needs (``compiler``: the C compiler found on PATH, ``headers``: Python.h exists)."""
    if environ.get(PURE_PYTHON, "").strip().lower() not in _OFF:
        return f"{PURE_PYTHON}={environ[PURE_PYTHON]}"
    if compiler is None:
        return "no C compiler found (install gcc, or set CC)"
    if not headers:
        return "Python's C headers (Python.h) are missing (on Debian: apt-get install python3-dev)"
    return None


def _compiler() -> str | None:
    """The C compiler setuptools would run (``$CC``, else the one Python was built with), if on PATH."""
    if sys.platform == "win32":  # setuptools finds MSVC itself; a failure falls back to pure Python
        return "msvc"
    command = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    words = shlex.split(command)
    return shutil.which(words[0]) if words else None


def _headers() -> bool:
    return (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file()


def _reason() -> str | None:
    return pure_reason(os.environ, _compiler(), _headers())


def warn(reason: str) -> None:
    """The one line a fallback prints (pip shows a build's output with -v); with
    ``SCREENER_REQUIRE_COMPILED=1`` (CI) the build fails instead."""
    if os.environ.get(REQUIRE_COMPILED, "").strip().lower() not in _OFF:
        raise SystemExit(f"screener: the mypyc build failed and {REQUIRE_COMPILED} is set: {reason}")
    print(f"screener: WARNING: installing pure Python, not compiled with mypyc (slower compile): {reason}", file=sys.stderr)


def compile_requirements() -> list[str]:
    """What a compiling build needs besides setuptools: the ``compiled`` extra and the dependencies."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["optional-dependencies"]["compiled"], *project["dependencies"]]


def get_requires_for_build_wheel(config_settings: Any = None) -> list[str]:
    extra = compile_requirements() if _reason() is None else []
    return [*_setuptools.get_requires_for_build_wheel(config_settings), *extra]


def build_wheel(wheel_directory: str, config_settings: Any = None, metadata_directory: str | None = None) -> str:
    global _building_wheel
    _building_wheel = True
    try:
        return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
    finally:
        _building_wheel = False


class FallbackBuildExt(build_ext):
    """build_ext that leaves a pure-Python build when the C compiler fails, instead of failing."""

    def run(self) -> None:
        self.remove_stale()
        try:
            super().run()
        except (CCompilerError, BaseError, OSError) as error:
            for output in self.get_outputs():  # no extension of a half-built group stays behind
                Path(output).unlink(missing_ok=True)
            warn(f"the C compiler failed: {error}")

    def remove_stale(self) -> None:
        """Drop extensions an earlier build left in build/ that this one does not make (a
        module since taken off the list): the wheel packs build/ whole, and a stale
        extension would run instead of its .py file."""
        wanted = {Path(output).resolve() for output in self.get_outputs()}
        for path in Path(self.build_lib).rglob("*"):
            if path.suffix in {".so", ".pyd"} and path.resolve() not in wanted:
                path.unlink()


def setup_arguments() -> dict[str, Any]:
    """``setup()``'s ext_modules and build_ext for a wheel that compiles; nothing otherwise."""
    if not _building_wheel:
        return {}
    reason = _reason()
    if reason is not None:
        warn(reason)
        return {}
    modules, group = native_modules()
    paths = [f"screener/{name}.py" for name in modules]
    try:
        from mypyc.build import mypycify
    except ImportError:
        warn("mypy (its mypyc) is not installed in the build environment")
        return {}
    try:  # mypy's settings (the pydantic plugin) come from pyproject.toml; its cache stays in build/
        extensions = mypycify(["--cache-dir", "build/mypy_cache", *paths], opt_level="3", group_name=group)
    except (Exception, SystemExit) as error:  # mypyc exits on a type error after printing it
        warn(f"mypyc failed ({error!r}; its messages are above)")
        return {}
    return {"ext_modules": extensions, "cmdclass": {"build_ext": FallbackBuildExt}}
