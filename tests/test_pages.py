"""The HTML pages share one template environment and one stylesheet."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from screener.pages import render_page

ROOT = Path(__file__).resolve().parents[1]
CSS = (files("screener") / "templates" / "screener.css").read_text(encoding="utf-8")


@pytest.mark.parametrize("template", ["check.html.j2", "screen.html.j2"])
def test_every_page_inlines_the_one_stylesheet(template, request):
    from screener.report import render_html
    from screener.screen import matrix_html

    if template == "check.html.j2":
        page = render_html(request.getfixturevalue("some_result"))
    else:
        page = "".join(matrix_html(iter([]), ["NCT1"]))
    assert f"<style>{CSS}</style>" in page
    assert page.startswith("<!doctype html>\n") and page.endswith("</html>\n")
    assert "<main>" in page and "<h1>" in page


def test_autoescape_is_on_for_every_template():
    page = render_page("screen.html.j2", title="<t>", disclaimer="<b>x</b>", trials=["<i>"], rows=[])
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<title>&lt;t&gt;</title>" in page and "<th scope=\"col\">&lt;i&gt;</th>" in page


@pytest.fixture
def some_result():
    from screener import check, load_patient, load_rules

    return check(load_rules(ROOT / "rules" / "NCT02213705.yaml"), load_patient(ROOT / "examples" / "patients" / "ssc-eligible.yaml"))
