"""The mypyc build: which modules an install compiles, and whether this one runs them compiled.

A regular install (``pip install .``, a wheel) compiles ``MODULES`` with mypyc into one
shared library, as black and mypy ship theirs; an editable install and an install with
``SCREENER_PURE_PYTHON=1`` run the .py files (``build_backend/screener_build.py`` decides).
This file is the one list of the compiled modules: the build backend and
``benchmarks/build_compiled.py`` read it.  Standard library only: the build loads it
without importing the package.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util

# Item reading and the per-trial stages of ``screener compile``, and writing its YAML.  Why the other modules on
# that path stay interpreted (pydantic models, ruamel subclasses, an import cycle) is in
# the docstring of benchmarks/build_compiled.py.
MODULES = (
    "ages", "applies_to", "carry", "classes", "clauses", "comparators", "comparisons", "compiler", "exceptions", "extract",
    "headings", "implied", "inherit", "itemmemo", "itemwords", "leaves", "mentions", "openers", "phraseindex",
    "prefilter", "prefix_negation", "qualified", "quantities", "readnodes", "rulecheck", "ruledout", "ruletree",
    "scope", "segment", "stable_ids", "text", "titres", "tokens", "trusted", "unit_offsets", "unit_spellings",
    "plaindata", "yamlwrite",
)
GROUP = "screener_native"  # the name of the shared library that holds the compiled modules


def compiled_modules() -> list[str]:
    """The modules of ``MODULES`` that import as C extensions here (found, not imported)."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    found = []
    for name in MODULES:
        spec = importlib.util.find_spec(f"{__package__}.{name}")
        if spec is not None and spec.origin is not None and spec.origin.endswith(suffixes):
            found.append(name)
    return found


def compiled() -> bool:
    """Whether every module of ``MODULES`` runs compiled by mypyc."""
    return len(compiled_modules()) == len(MODULES)


def build() -> str:
    """The build that runs, in words: "compiled (mypyc)", "pure Python" or partly compiled."""
    count = len(compiled_modules())
    if count == len(MODULES):
        return "compiled (mypyc)"
    return "pure Python" if count == 0 else f"partly compiled (mypyc: {count} of {len(MODULES)} modules)"
