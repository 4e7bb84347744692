"""HTML pages from Jinja2 templates: one environment, one stylesheet, no network.

Every page screener writes (``check --format html``, ``screen --format html``, ``review``)
is a template under ``screener/templates/`` that extends ``base.html.j2`` and inlines
``screener.css``, so a page is one self-contained file that prints and opens offline.
Autoescaping is on for every template: text from rules, sources and patients is never
markup.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any, Iterator

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup


def _asset(name: str) -> str:
    return (files("screener") / "templates" / name).read_text(encoding="utf-8")


@cache
def environment() -> Environment:
    """The one Jinja2 environment (autoescaped, strict about undefined names)."""
    env = Environment(
        loader=PackageLoader("screener", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["stylesheet"] = Markup(_asset("screener.css"))
    env.globals["asset"] = lambda name: Markup(_asset(name))
    return env


def render_page(template: str, **context: Any) -> str:
    """A whole page as one string."""
    return environment().get_template(template).render(**context)


def stream_page(template: str, **context: Any) -> Iterator[str]:
    """A page in chunks, as the template consumes its (possibly lazy) context."""
    return environment().get_template(template).generate(**context)
