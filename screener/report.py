"""Rendering a screening result: a terminal table, Markdown, JSON, or a printable HTML page.

``render(result, fmt)`` returns text ending with a newline.  ``table`` is for a terminal
(wrapped to ``width`` columns), ``markdown`` for notes and tickets, ``json`` is the
``Result`` model itself (it reads back with ``Result.model_validate_json``), ``html`` a
static, self-contained page (``templates/check.html.j2``: inline CSS, no scripts, no external assets) that a study
coordinator can print and hand to an investigator.
"""

from __future__ import annotations

import re
import textwrap
from typing import Literal

from .errors import InputError
from .evaluate import CriterionResult, Result
from .pages import render_page

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
    if fmt == "table":
        return render_table(result, width=width or DEFAULT_WIDTH)
    if fmt == "markdown":
        return render_markdown(result)
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

DETAIL_FIELDS = ("given", "converted", "threshold", "explanation", "assumed", "missing")


def render_html(result: Result) -> str:
    """The page from ``templates/check.html.j2``: verdict, why, what to collect, every criterion."""
    deciding = [
        {"label": f"{c.id} ({c.section} {STATUS_WORDS[c.status]})", "text": collapse(c.text), "explanation": collapse(c.explanation)}
        for c in result.deciding()
    ]
    return render_page(
        "check.html.j2",
        title=f"Pre-screen: {_trial_name(result)} | {result.patient.id} | {result.as_of.isoformat()}",
        trial_name=_trial_name(result),
        patient_name=_patient_name(result),
        as_of=result.as_of.isoformat(),
        verdict=result.verdict,
        verdict_word=f"{HTML_VERDICT_MARK[result.verdict]} {HTML_VERDICT[result.verdict]}",
        verdict_reason=verdict_line(result).split(": ", 1)[-1],
        disclaimer=DISCLAIMER,
        deciding_heading=DECIDING_HEADINGS[result.verdict],
        deciding=deciding,
        to_collect=[collapse(item) for item in result.to_collect],
        headers=("ID", "Section", "Criterion", "Status", "Outcome", *DETAIL_HEADERS),
        criteria=[_html_criterion(c) for c in result.criteria],
    )


def _html_criterion(criterion: CriterionResult) -> dict:
    """One criterion's cells; ``details`` has a row per leaf (the criterion's cells span them)."""
    details = [{name: getattr(d, name) for name in DETAIL_FIELDS} for d in criterion.details]
    no_detail = dict.fromkeys(DETAIL_FIELDS, None) | {"explanation": criterion.explanation, "assumed": [], "missing": []}
    return {
        "id": criterion.id, "section": criterion.section, "text": criterion.text.strip(), "manual": criterion.manual,
        "status": STATUS_WORDS[criterion.status], "outcome": criterion.outcome, "outcome_word": OUTCOME_WORDS[criterion.outcome],
        "details": details or [no_detail],
    }


__all__ = ["DISCLAIMER", "FORMATS", "Format", "collapse", "md_cell", "render", "render_html", "truncate", "verdict_line"]
