"""Rendering a screening result: a terminal table, Markdown, JSON, or a printable HTML page.

``render(result, fmt)`` returns text ending with a newline.  ``table`` is for a terminal
(wrapped to ``width`` columns), ``markdown`` for notes and tickets, ``json`` is the
``Result`` model itself (it reads back with ``Result.model_validate_json``), ``html`` a
static, self-contained page (inline CSS, no scripts, no external assets) that a study
coordinator can print and hand to an investigator.
"""

from __future__ import annotations

import html
import re
import textwrap
from typing import Literal

from .errors import InputError, escape_controls
from .evaluate import CriterionResult, NodeResult, Result

Format = Literal["table", "markdown", "json", "html"]
FORMATS: tuple[str, ...] = ("table", "markdown", "json", "html")

DEFAULT_WIDTH = 100
TEXT_LIMIT = 90
"""Longest criterion text shown in the table format (the rest is cut with an ellipsis)."""

VERDICT_WORDS = {"eligible": "ELIGIBLE", "ineligible": "INELIGIBLE", "needs_review": "NEEDS REVIEW"}
STATUS_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}
OUTCOME_WORDS = {"pass": "pass", "fail": "FAIL", "review": "review"}


def render(result: Result, fmt: str = "table", *, width: int | None = None) -> str:
    """The result as text in ``fmt`` (table, markdown, json or html)."""
    if fmt == "table":  # ids and values from files must not drive the terminal
        return escape_controls(render_table(result, width=width or DEFAULT_WIDTH), keep="\n")
    if fmt == "markdown":
        return escape_controls(render_markdown(result), keep="\n")
    if fmt == "json":
        return render_json(result)
    if fmt == "html":
        return render_html(result)
    raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}", field="format")


# ---------------------------------------------------------------------------- helpers


def collapse(text: str | None) -> str:
    """Whitespace (newlines included) collapsed to single spaces."""
    return re.sub(r"\s+", " ", text or "").strip()


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary where possible."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def _trial_name(result: Result) -> str:
    parts = [p for p in (result.trial.id, result.trial.title) if p]
    return " — ".join(collapse(p) for p in parts) or "(untitled trial)"


def _patient_name(result: Result) -> str:
    name = result.patient.id
    return f"{name} ({result.patient.source})" if result.patient.source else name


def verdict_line(result: Result) -> str:
    """"INELIGIBLE: E2 (exclusion met), I1 (inclusion not met)" and the like."""
    word = VERDICT_WORDS[result.verdict]
    deciding = result.deciding()
    if result.verdict == "eligible":
        inclusions = sum(c.section == "inclusion" for c in result.criteria)
        exclusions = len(result.criteria) - inclusions
        return f"{word}: all {inclusions} inclusion criteria met, none of {exclusions} exclusion criteria met"
    if not deciding:
        return f"{word}: no criteria to check"
    reasons = ", ".join(f"{c.id} ({c.section} {STATUS_WORDS[c.status]})" for c in deciding)
    if result.verdict == "ineligible":
        return f"{word}: {reasons}"
    return f"{word}: cannot be decided from the data for {reasons}"


# ---------------------------------------------------------------------------- table


def render_table(result: Result, width: int = DEFAULT_WIDTH) -> str:
    width = max(width, 60)
    header = f"Trial {_trial_name(result)} | Patient {_patient_name(result)} | as of {result.as_of.isoformat()}"
    lines = textwrap.wrap(header, width, subsequent_indent="  ") + [""]
    id_width = max([2, *(len(c.id) for c in result.criteria)])
    id_width = min(id_width, 12)
    headers = ("ID", "SECTION", "STATUS", "RESULT", "CRITERION AND EXPLANATION")
    widths = [id_width, 9, 7, 6]
    gap = "  "
    text_width = max(width - sum(widths) - len(gap) * len(widths), 20)
    lines.append(_row(headers[:4], widths, gap) + gap + headers[4])
    lines.append("-" * min(width, sum(widths) + len(gap) * len(widths) + text_width))
    for criterion in result.criteria:
        lines.extend(_criterion_rows(criterion, widths, gap, text_width))
    lines.append("")
    lines.extend(textwrap.wrap("Verdict: " + verdict_line(result), width, subsequent_indent="  ") or [""])
    if result.to_collect:
        lines.append("")
        lines.append("To collect next:")
        for item in result.to_collect:
            lines.extend(textwrap.wrap(collapse(item), width, initial_indent="  - ", subsequent_indent="    "))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _row(cells, widths, gap) -> str:
    return gap.join(str(cell)[:w].ljust(w) for cell, w in zip(cells, widths))


def _criterion_rows(criterion: CriterionResult, widths: list[int], gap: str, text_width: int) -> list[str]:
    text = truncate(collapse(criterion.text), min(TEXT_LIMIT, text_width - 2))
    body = [f"“{text}”"] if text else []
    body += textwrap.wrap(collapse(criterion.explanation), text_width, break_on_hyphens=False) or [""]
    cells = (
        criterion.id,
        criterion.section,
        STATUS_WORDS[criterion.status],
        OUTCOME_WORDS[criterion.outcome],
    )
    rows = [_row(cells, widths, gap) + gap + body[0]]
    blank = " " * (sum(widths) + len(gap) * len(widths))
    rows += [blank + line for line in body[1:]]
    return rows


# ---------------------------------------------------------------------------- markdown


def md_cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return collapse(text).replace("\\", "\\\\").replace("|", "\\|")


def render_markdown(result: Result) -> str:
    lines = [
        f"# Eligibility pre-screen: {md_cell(_trial_name(result))}",
        "",
        f"Patient **{md_cell(_patient_name(result))}**, as of {result.as_of.isoformat()}.",
        "",
        f"**Verdict: {md_cell(verdict_line(result))}**",
        "",
        "| ID | Section | Criterion | Status | Result | Explanation |",
        "|---|---|---|---|---|---|",
    ]
    for c in result.criteria:
        cells = (c.id, c.section, c.text, STATUS_WORDS[c.status], OUTCOME_WORDS[c.outcome], c.explanation)
        lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    lines.append("")
    lines.append("## To collect next")
    lines.append("")
    if result.to_collect:
        lines.extend(f"- {collapse(item)}" for item in result.to_collect)
    else:
        lines.append("Nothing: every criterion could be decided from the profile.")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- json


def render_json(result: Result) -> str:
    return result.model_dump_json(indent=2) + "\n"


# ---------------------------------------------------------------------------- html

DISCLAIMER = "Pre-screen only: to be confirmed by the investigator; not a clinical decision."

HTML_VERDICT = {"eligible": "Eligible", "ineligible": "Ineligible", "needs_review": "Needs review"}
HTML_VERDICT_MARK = {"eligible": "✓", "ineligible": "✗", "needs_review": "?"}
"""A glyph beside the verdict word, so the banner reads without colour too."""

DECIDING_HEADINGS = {
    "eligible": "Why eligible",
    "ineligible": "Why ineligible",
    "needs_review": "What needs review",
}

DETAIL_HEADERS = ("Patient value", "Converted", "Threshold", "Explanation")

HTML_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 11pt/1.4 system-ui, "Segoe UI", Helvetica, Arial, sans-serif; color: #111; background: #fff;
       margin: 1.5rem auto; max-width: 80rem; padding: 0 1rem; }
h1 { font-size: 1.5em; margin: 0 0 .25rem; }
h2 { font-size: 1.15em; margin: 1.5rem 0 .5rem; border-bottom: 1px solid #999; padding-bottom: .15rem; }
.meta { margin: 0 0 1rem; }
.meta span { margin-right: 1.5rem; }
.verdict { border: 3px solid #111; padding: .6rem 1rem; margin: 1rem 0 .5rem; font-size: 1.1em; }
.verdict strong { font-size: 1.35em; text-transform: uppercase; letter-spacing: .04em; margin-right: .5rem; }
.verdict-eligible { background: #e3f4e1; border-color: #1e7b34; border-style: solid; }
.verdict-ineligible { background: #fbe3e1; border-color: #b3261e; border-style: double; border-width: 6px; }
.verdict-needs_review { background: #fff4d6; border-color: #9a6700; border-style: dashed; }
.disclaimer { font-style: italic; margin: 0 0 1rem; }
ul { margin: .25rem 0; padding-left: 1.5rem; }
li { margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
th, td { border: 1px solid #888; padding: .3rem .4rem; vertical-align: top; text-align: left; }
thead th { background: #eee; }
.source { white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-serif, Georgia, serif; }
.empty { color: #666; }
.tag { display: inline-block; border: 1px solid #555; border-radius: 3px; padding: 0 .25rem; font-size: .85em; }
.outcome-fail { background: #fbe3e1; font-weight: bold; }
.outcome-review { background: #fff4d6; font-style: italic; }
.outcome-pass { background: #e3f4e1; }
.assumed { border: 2px dashed #9a6700; background: #fff4d6; font-weight: bold; padding: 0 .25rem; }
.missing { font-style: italic; }
@media print {
  @page { margin: 12mm; }
  body { font-size: 9pt; margin: 0; max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  thead { display: table-header-group; }
  tr, li, .verdict { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
"""


def esc(text: object) -> str:
    """Text (``None`` as empty) escaped for HTML content and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def _el(tag: str, content: str = "", cls: str | None = None, **attrs: object) -> str:
    """``<tag class=...>content</tag>``; ``content`` is markup already escaped."""
    pairs = ([("class", cls)] if cls else []) + [(k.rstrip("_"), v) for k, v in attrs.items() if v is not None]
    opening = "".join(f' {name}="{esc(value)}"' for name, value in pairs)
    return f"<{tag}{opening}>{content}</{tag}>"


def _html_list(items: list[str], cls: str | None = None) -> str:
    """A ``<ul>`` of items already escaped."""
    return _el("ul", "".join(_el("li", item) for item in items), cls)


def _or_empty(text: str | None) -> str:
    return esc(text) if text else _el("span", "—", "empty")


def render_html(result: Result) -> str:
    title = f"Pre-screen: {_trial_name(result)} | {result.patient.id} | {result.as_of.isoformat()}"
    head = (
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{_el('title', esc(title))}\n<style>{HTML_CSS}</style>"
    )
    body = "\n".join(
        (
            _html_header(result),
            _html_deciding(result),
            _html_to_collect(result),
            _html_criteria(result),
        )
    )
    return f'<!doctype html>\n<html lang="en">\n<head>\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n'


def _html_header(result: Result) -> str:
    meta = " ".join(
        _el("span", f"{label}: {_el('strong', esc(value))}")
        for label, value in (("Patient", _patient_name(result)), ("As of", result.as_of.isoformat()))
    )
    return "\n".join(
        (
            _el("h1", esc(f"Eligibility pre-screen: {_trial_name(result)}")),
            _el("p", meta, "meta"),
            _html_verdict(result),
            _el("p", esc(DISCLAIMER), "disclaimer"),
        )
    )


def _html_verdict(result: Result) -> str:
    """The banner: glyph, verdict word and the reason, with a colour and a border style."""
    word = f"{HTML_VERDICT_MARK[result.verdict]} {HTML_VERDICT[result.verdict]}"
    reason = verdict_line(result).split(": ", 1)[-1]
    content = _el("strong", esc(word + ":")) + " " + esc(reason)
    return _el("div", content, f"verdict verdict-{result.verdict}", role="status")


def _html_deciding(result: Result) -> str:
    heading = _el("h2", esc(DECIDING_HEADINGS[result.verdict]))
    deciding = result.deciding()
    if not deciding:
        return _el("section", heading + _el("p", esc(verdict_line(result).split(": ", 1)[-1])), id="deciding")
    items = [_html_deciding_item(c) for c in deciding]
    return _el("section", heading + _html_list(items), id="deciding")


def _html_deciding_item(criterion: CriterionResult) -> str:
    label = f"{criterion.id} ({criterion.section} {STATUS_WORDS[criterion.status]})"
    text = _el("q", esc(collapse(criterion.text))) if collapse(criterion.text) else ""
    return f"{_el('strong', esc(label))} {text}" + _el("div", esc(collapse(criterion.explanation)))


def _html_to_collect(result: Result) -> str:
    heading = _el("h2", "Data to collect next")
    if not result.to_collect:
        body = _el("p", "Nothing: every criterion could be decided from the profile.")
    else:
        body = _html_list([esc(collapse(item)) for item in result.to_collect])
    return _el("section", heading + body, id="to-collect")


def _html_criteria(result: Result) -> str:
    headers = ("ID", "Section", "Criterion", "Status", "Outcome", *DETAIL_HEADERS)
    head = _el("thead", _el("tr", "".join(_el("th", esc(h), scope="col") for h in headers)))
    rows = "\n".join(row for c in result.criteria for row in _html_criterion_rows(c))
    table = _el("table", f"{head}\n{_el('tbody', rows)}")
    return _el("section", _el("h2", "All criteria") + table, id="criteria")


def _html_criterion_rows(criterion: CriterionResult) -> list[str]:
    """One row per leaf detail; the criterion's own cells span them all."""
    details = [_html_detail_cells(d) for d in criterion.details] or [_html_no_detail_cells(criterion)]
    span = len(details) if len(details) > 1 else None
    manual = " " + _el("span", "manual", "tag") if criterion.manual else ""
    outcome = criterion.outcome
    shared = "".join(
        (
            _el("th", esc(criterion.id) + manual, scope="row", rowspan=span),
            _el("td", esc(criterion.section), rowspan=span),
            _el("td", esc(criterion.text.strip()), "source", rowspan=span),
            _el("td", esc(STATUS_WORDS[criterion.status]), rowspan=span),
            _el("td", esc(OUTCOME_WORDS[outcome]), f"outcome-{outcome}", rowspan=span),
        )
    )
    cls = f"criterion outcome-row-{outcome}"
    return [_el("tr", (shared if i == 0 else "") + cells, cls, id=f"c-{criterion.id}" if i == 0 else None)
            for i, cells in enumerate(details)]


def _html_detail_cells(detail: NodeResult) -> str:
    """Patient value, converted value, threshold and explanation of one leaf."""
    notes = []
    if detail.assumed:
        notes.append(_el("div", esc("Default used: " + "; ".join(detail.assumed)), "assumed"))
    if detail.missing:
        notes.append(_el("div", esc("Missing: " + "; ".join(detail.missing)), "missing"))
    return "".join(
        (
            _el("td", _or_empty(detail.given)),
            _el("td", _or_empty(detail.converted)),
            _el("td", _or_empty(detail.threshold)),
            _el("td", esc(detail.explanation) + "".join(notes)),
        )
    )


def _html_no_detail_cells(criterion: CriterionResult) -> str:
    empty = _el("td", _el("span", "—", "empty"))
    return empty * 3 + _el("td", esc(criterion.explanation))


__all__ = ["DISCLAIMER", "FORMATS", "Format", "collapse", "esc", "md_cell", "render", "render_html", "truncate", "verdict_line"]
