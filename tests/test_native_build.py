"""The mypyc build: one module list, the decision to compile a wheel or not (opt-out,
missing compiler or headers, mypyc or compiler failure), editable installs left pure
Python, and the build named by ``screener --version``.  The compiled install itself is
proven by benchmarks/build_compiled.py --check and the suite run against it (README)."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import screener
from screener import native
from screener.cli import app

ROOT = Path(__file__).resolve().parents[1]
BACKEND = ROOT / "build_backend" / "screener_build.py"


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def backend() -> Any:
    if not BACKEND.is_file():
        pytest.skip(f"no build backend at {BACKEND}: run the tests from a source checkout")
    return _load(BACKEND, "screener_build_under_test")


def test_module_list_names_existing_modules_once() -> None:
    package = Path(native.__file__).parent
    assert len(set(native.MODULES)) == len(native.MODULES)
    assert [name for name in native.MODULES if not (package / f"{name}.py").is_file()] == []


def test_build_and_script_read_the_one_module_list(backend: Any) -> None:
    assert backend.native_modules() == (native.MODULES, native.GROUP)
    script = (ROOT / "benchmarks" / "build_compiled.py").read_text(encoding="utf-8")
    assert "from screener.native import GROUP, MODULES" in script
    assert '"ages", "applies_to"' not in script  # no second copy of the list


@pytest.mark.parametrize("environ, compiler, headers, expected", [
    ({}, "/usr/bin/gcc", True, None),
    ({"SCREENER_PURE_PYTHON": "0"}, "/usr/bin/gcc", True, None),
    ({"SCREENER_PURE_PYTHON": ""}, "/usr/bin/gcc", True, None),
    ({"SCREENER_PURE_PYTHON": "1"}, "/usr/bin/gcc", True, "SCREENER_PURE_PYTHON=1"),
    ({"SCREENER_PURE_PYTHON": "yes"}, "/usr/bin/gcc", True, "SCREENER_PURE_PYTHON=yes"),
    ({"SCREENER_PURE_PYTHON": "1"}, None, False, "SCREENER_PURE_PYTHON=1"),  # the opt-out is named first
    ({}, None, True, "no C compiler"),
    ({}, "/usr/bin/gcc", False, "Python.h"),
])
def test_when_a_wheel_compiles(backend: Any, environ: dict[str, str], compiler: str | None, headers: bool, expected: str | None) -> None:
    reason = backend.pure_reason(environ, compiler, headers)
    assert reason == expected if expected is None else expected in reason


@pytest.mark.parametrize("pure, asks_for_mypy", [("1", False), ("", True)])
def test_only_a_compiling_wheel_asks_for_mypy_and_the_dependencies(backend: Any, monkeypatch: pytest.MonkeyPatch, pure: str, asks_for_mypy: bool) -> None:
    monkeypatch.setenv("SCREENER_PURE_PYTHON", pure)
    monkeypatch.setattr(backend, "_compiler", lambda: "/usr/bin/gcc")
    monkeypatch.setattr(backend, "_headers", lambda: True)
    monkeypatch.setattr(backend._setuptools, "get_requires_for_build_wheel", lambda config_settings=None: [])
    requires = backend.get_requires_for_build_wheel()
    assert any(r.startswith("mypy") for r in requires) is asks_for_mypy
    assert any(r.startswith("pydantic") for r in requires) is asks_for_mypy  # mypyc types the code against it


def test_editable_installs_and_metadata_never_compile(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """setup.py runs for every hook; only build_wheel sets the flag, so build_editable
    (setuptools' own hook) gets no extension that would shadow the edited .py files."""
    import setuptools.build_meta

    monkeypatch.setitem(sys.modules, "mypyc.build", None)  # any attempt to compile would fail loudly
    assert backend.build_editable is setuptools.build_meta.build_editable
    assert backend.setup_arguments() == {}


def _fake_mypycify(monkeypatch: pytest.MonkeyPatch, effect: Any) -> None:
    build = types.ModuleType("mypyc.build")
    build.mypycify = effect  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mypyc.build", build)


def _building_wheel(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCREENER_REQUIRE_COMPILED", raising=False)  # .ci/run sets it
    monkeypatch.setattr(backend, "_building_wheel", True)
    monkeypatch.setattr(backend, "_reason", lambda: None)


def test_a_wheel_compiles_the_module_list_into_one_group(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def mypycify(paths: list[str], **options: str) -> list[str]:
        calls.append((paths, options))
        return ["extension"]

    _fake_mypycify(monkeypatch, mypycify)
    _building_wheel(backend, monkeypatch)
    arguments = backend.setup_arguments()
    assert arguments["ext_modules"] == ["extension"] and arguments["cmdclass"]["build_ext"] is backend.FallbackBuildExt
    (paths, options), = calls
    assert [p for p in paths if p.endswith(".py")] == [f"screener/{name}.py" for name in native.MODULES]
    assert options["group_name"] == native.GROUP


def _mypyc_fails(paths: list[str], **options: str) -> None:
    raise SystemExit(1)  # what mypyc does after printing a type error


@pytest.mark.parametrize("cause, warning", [
    ("opt-out", "SCREENER_PURE_PYTHON=1"),
    ("mypyc error", "mypyc failed"),
    ("no mypy", "mypy (its mypyc) is not installed"),
])
def test_a_wheel_falls_back_to_pure_python_with_one_warning_line(backend: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cause: str, warning: str) -> None:
    _building_wheel(backend, monkeypatch)
    if cause == "opt-out":
        monkeypatch.setattr(backend, "_reason", lambda: backend.pure_reason({"SCREENER_PURE_PYTHON": "1"}, "gcc", True))
    if cause == "mypyc error":
        _fake_mypycify(monkeypatch, _mypyc_fails)
    if cause == "no mypy":
        monkeypatch.setitem(sys.modules, "mypyc.build", None)
    assert backend.setup_arguments() == {}
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("screener: WARNING: installing pure Python") and warning in lines[0]


def test_ci_requires_the_compiled_build(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _building_wheel(backend, monkeypatch)
    _fake_mypycify(monkeypatch, _mypyc_fails)
    monkeypatch.setenv("SCREENER_REQUIRE_COMPILED", "1")
    with pytest.raises(SystemExit, match="mypyc failed"):
        backend.setup_arguments()


def test_a_compiler_failure_leaves_no_extension_behind(backend: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from setuptools import Distribution, Extension

    monkeypatch.delenv("SCREENER_REQUIRE_COMPILED", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.c").write_text("#error this extension does not compile\n", encoding="utf-8")
    distribution = Distribution({"name": "broken", "ext_modules": [Extension("broken", ["broken.c"])]})
    command = backend.FallbackBuildExt(distribution)
    command.build_lib = str(tmp_path / "lib")
    command.build_temp = str(tmp_path / "temp")
    command.ensure_finalized()
    command.run()
    assert list((tmp_path / "lib").rglob("broken*")) == []
    assert "screener: WARNING: installing pure Python" in capsys.readouterr().err


def test_an_extension_left_by_an_earlier_build_is_not_packed(backend: Any, tmp_path: Path) -> None:
    from setuptools import Distribution, Extension

    distribution = Distribution({"name": "kept", "ext_modules": [Extension("pkg.kept", ["kept.c"])]})
    command = backend.FallbackBuildExt(distribution)
    command.build_lib = str(tmp_path)
    command.ensure_finalized()
    (tmp_path / "pkg").mkdir()
    kept, stale, source = (tmp_path / "pkg" / name for name in (Path(command.get_ext_filename("pkg.kept")).name, "gone.so", "gone.py"))
    for path in (kept, stale, source):
        path.write_text("", encoding="utf-8")
    command.remove_stale()
    assert sorted(p.name for p in (tmp_path / "pkg").iterdir()) == sorted([kept.name, "gone.py"])


@pytest.mark.parametrize("found, expected", [
    (list(native.MODULES), "compiled (mypyc)"),
    ([], "pure Python"),
    (["text"], f"partly compiled (mypyc: 1 of {len(native.MODULES)} modules)"),
])
def test_the_build_in_words(monkeypatch: pytest.MonkeyPatch, found: list[str], expected: str) -> None:
    monkeypatch.setattr(native, "compiled_modules", lambda: found)
    assert native.build() == expected
    assert native.compiled() is (expected == "compiled (mypyc)")


def test_version_names_the_build_that_runs() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip().endswith(native.build())
    assert screener.compiled() is (native.build() == "compiled (mypyc)")


def test_a_source_tree_runs_its_python_files() -> None:
    """An editable install imports the source tree: no extension may sit beside the .py
    files (pip install -e . builds none; build_compiled.py refuses to write there)."""
    package = Path(native.__file__).parent
    if not (package.parent / "pyproject.toml").is_file():
        pytest.skip(f"screener is imported from an install ({package}), not a source tree")
    assert sorted(p.name for p in package.rglob("*") if p.suffix in {".so", ".pyd"}) == []
    assert native.build() == "pure Python"
