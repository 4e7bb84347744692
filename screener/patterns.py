"""Phrase patterns of eligibility text, read from ``data/patterns.yaml`` once."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from .yamlio import parse_yaml


@cache
def patterns() -> dict[str, Any]:
    resource = files("screener") / "data" / "patterns.yaml"
    return parse_yaml(resource.read_text(encoding="utf-8"), file=str(resource)).data
