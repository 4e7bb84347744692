"""Rendering a screening result: a terminal table, Markdown, JSON, or a printable HTML page.

``render(result, fmt)`` returns text ending with a newline.  ``table`` is for a terminal
(wrapped to ``width`` columns), ``markdown`` for notes and tickets, ``json`` is the
``Result`` model itself (it reads back with ``Result.model_validate_json``), ``html`` a
static, self-contained page (``templates/check.html.j2``: inline CSS, no scripts, no external assets) that a study
coordinator can print and hand to an investigator.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Literal

from .errors import InputError, escape_controls
from .evaluate import CriterionResult, NodeResult, Result
from .provenance import Provenance

Format = Literal["table", "markdown", "json", "html"]
FORMATS: tuple[str, ...] = ("table", "markdown", "json", "html")

DEFAULT_WIDTH = 100
MANY = 5
"""More deciding criteria than this are listed by id only in the verdict line."""

VERDICT_WORDS = {"eligible": "ELIGIBLE", "ineligible": "INELIGIBLE", "needs_review": "NEEDS REVIEW"}
STATUS_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}
OUTCOME_WORDS = {"pass": "pass", "fail": "FAIL", "review": "review"}


def render(result: Result, fmt: str = "table", *, width: int | None = None, full: bool = True,
           provenance: Provenance | None = None) -> str:
    """The result as text in ``fmt`` (table, markdown, json or html).

    ``full=False`` makes the table a summary (verdict, failing criteria, what would decide
    each undecided one, what to collect); ``provenance`` (screener version, rules hash,
    time) is recorded in every format when given.
    """
    if fmt == "table":
        # ids and values from files must not drive the terminal
        return escape_controls(render_table(result, width=width or DEFAULT_WIDTH, full=full, provenance=provenance), keep="\n")
    if fmt == "markdown":
        return escape_controls(render_markdown(result, provenance), keep="\n")
    if fmt == "json":
        return render_json(result, provenance)
    if fmt == "html":
        return render_html(result, provenance)
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
    if len(deciding) > MANY:
        reasons = f"{len(deciding)} criteria: " + ", ".join(c.id for c in deciding)
    if result.verdict == "ineligible":
        return f"{word}: {reasons}"
    return f"{word}: cannot be decided from the data for {reasons}"


# ---------------------------------------------------------------------------- table


def render_table(result: Result, width: int = DEFAULT_WIDTH, full: bool = True, provenance: Provenance | None = None) -> str:
    width = max(width, 60)
    header = f"Trial {_trial_name(result)} | Patient {_patient_name(result)} | as of {result.as_of.isoformat()}"
    lines = textwrap.wrap(header, width, subsequent_indent="  ") + [""]
    if full:
        lines += _criteria_table(result, width) + [""]
    lines.extend(textwrap.wrap("Verdict: " + verdict_line(result), width, subsequent_indent="  ") or [""])
    lines += summary_lines(result, width)
    if result.to_collect:
        lines.append("")
        lines.append(collect_heading(result) + ":")
        shown, rest = _shown_items(result.to_collect, full)
        for item in shown:
            lines.extend(textwrap.wrap(collapse(item), width, initial_indent="  - ", subsequent_indent="    "))
        if rest:
            lines.extend(textwrap.wrap(f"  and {rest} more that cannot change the verdict alone (--all lists them)", width, subsequent_indent="    "))
    if not full:
        lines += ["", _counts(result)]
    if provenance is not None:
        lines += textwrap.wrap(provenance.line(), width, subsequent_indent="  ", break_on_hyphens=False)
    return "\n".join(line.rstrip() for line in lines) + "\n"


CONFIRM_NOTE = "; to confirm)"


def confirming(result: Result) -> bool:
    """Whether ``to_collect`` lists the data an ineligible verdict rests on (ranked by
    ``collect.ranked_result``), rather than data still missing."""
    return result.verdict == "ineligible" and bool(result.to_collect) and all(
        item.endswith(CONFIRM_NOTE) for item in result.to_collect)


def _shown_items(items: list[str], full: bool) -> tuple[list[str], int]:
    """The items the summary table lists: the decisive ones (when there are any and the
    table is not ``full``), and how many others are left out."""
    decisive = [item for item in items if item.endswith("; decisive)")]
    if full or not decisive:
        return items, 0
    return decisive, len(items) - len(decisive)


def collect_heading(result: Result, html: bool = False) -> str:
    """The heading of ``to_collect``: data to confirm when the patient is ineligible (what
    could overturn it), else data to collect, with what "decisive" means when it is used."""
    if confirming(result):
        return ("Data to confirm" if html else "To confirm") + " (the verdict rests on these data alone)"
    head = "Data to collect next" if html else "To collect next"
    if any(item.endswith("decisive)") for item in result.to_collect):
        return head + " (decisive: alone it could change the verdict)"
    return head


def nothing_to_collect(result: Result) -> str:
    """What an empty ``to_collect`` means."""
    if result.verdict != "ineligible":
        return "Nothing: every criterion could be decided from the profile."
    if sum(c.outcome == "fail" for c in result.criteria) > 1:
        return "No single datum could overturn the verdict: the failing criteria rest on different data."
    return "Nothing to collect: the verdict is decided."


def _criteria_table(result: Result, width: int) -> list[str]:
    id_width = max([2, *(len(c.id) for c in result.criteria)])
    id_width = min(id_width, 12)
    headers = ("ID", "SECTION", "STATUS", "RESULT", "CRITERION AND EXPLANATION")
    widths = [id_width, 9, 7, 6]
    gap = "  "
    text_width = max(width - sum(widths) - len(gap) * len(widths), 20)
    lines = [_row(headers[:4], widths, gap) + gap + headers[4]]
    lines.append("-" * min(width, sum(widths) + len(gap) * len(widths) + text_width))
    for criterion in result.criteria:
        lines.extend(_criterion_rows(criterion, widths, gap, text_width))
    return lines


def _counts(result: Result) -> str:
    outcomes = [c.outcome for c in result.criteria]
    parts = ", ".join(f"{outcomes.count(o)} {OUTCOME_WORDS[o].lower()}" for o in ("pass", "fail", "review"))
    return f"{len(outcomes)} criteria: {parts}; --all shows every criterion with its explanation."


def summary_lines(result: Result, width: int = DEFAULT_WIDTH) -> list[str]:
    """The failing criteria with the values that fail them, then one line per undecided
    criterion naming what would decide it."""
    lines: list[str] = []
    failing = [c for c in result.criteria if c.outcome == "fail"]
    if failing:
        lines += ["", "Why not eligible:"]
        for criterion in failing:
            head = f"  {criterion.id} {criterion.section} {STATUS_WORDS[criterion.status]}: "
            lines.append(truncate(head + f"“{collapse(criterion.text)}”", width))
            for leaf in deciding_leaves(criterion):
                lines.extend(textwrap.wrap(collapse(leaf.explanation), width, initial_indent="    ",
                                           subsequent_indent="      ", break_on_hyphens=False))
    undecided = [c for c in result.criteria if c.outcome == "review"]
    if failing and not result.to_collect:
        lines += ["", *textwrap.wrap(nothing_to_collect(result), width, subsequent_indent="  ")]
    if undecided and failing:
        lines += ["", f"{len(undecided)} other criteria are undecided; they cannot change the verdict ("
                  + ", ".join(c.id for c in undecided) + ")."]
        lines[-1:] = textwrap.wrap(lines[-1], width, subsequent_indent="  ")
    elif undecided:
        lines += ["", "Undecided (what would decide each):"]
        for criterion in undecided:
            lines.append(truncate(f"  {criterion.id} {criterion.section}: " + undecided_text(criterion), width))
    return lines


def deciding_leaves(criterion: CriterionResult) -> list[NodeResult]:
    """The leaves whose status makes the criterion fail (with value, conversion, limit)."""
    wanted = "not_met" if criterion.section == "inclusion" else "met"
    leaves = [d for d in criterion.details if d.status == wanted and d.kind != "none"]
    return leaves or criterion.details


def undecided_text(criterion: CriterionResult) -> str:
    """What is undecided in a criterion, without repeating its text: the missing values,
    "answer (yes/no)" for words screener could not read, defaults to confirm."""
    answer: dict[str, None] = {}  # first: the id to answer by must not be cut off
    parts: dict[str, None] = {}
    for leaf in criterion.details:
        if leaf.status != "unknown" and not leaf.assumed:
            continue
        if leaf.kind == "manual":
            question = collapse(leaf.explanation.removeprefix("needs review: "))
            shown = "" if _words(question) in _words(criterion.text) else f" (“{truncate(question, 40)}”)"
            answer[f"answer yes/no to {leaf_key(criterion)}{shown}"] = None
        else:
            parts.update(dict.fromkeys((leaf.missing + leaf.assumed) or [collapse(leaf.explanation)]))
    return "; ".join({**answer, **parts}) or collapse(criterion.explanation)


def _row_explanation(criterion: CriterionResult) -> str:
    """The explanation, each leaf once, with a review question that repeats the criterion's
    text (shown just above) named rather than restated."""
    if not criterion.details:
        return collapse(criterion.explanation)
    parts = [_leaf_words(leaf, criterion) for leaf in criterion.details]
    meaning = collapse(criterion.explanation).rsplit(" → ", 1)
    return "; ".join(dict.fromkeys(parts)) + (f" → {meaning[1]}" if len(meaning) == 2 else "")


def _leaf_words(leaf: NodeResult, criterion: CriterionResult) -> str:
    question = collapse(leaf.explanation.removeprefix("needs review: "))
    if leaf.kind == "manual" and leaf.status == "unknown":
        if _words(question) in _words(criterion.text):
            return f"not read: answer yes/no to {leaf_key(criterion)}"
        return f"{collapse(leaf.explanation)} (answer yes/no to {leaf_key(criterion)})"
    return collapse(leaf.explanation)


def leaf_key(criterion: CriterionResult) -> str:
    """The id to answer a criterion by: its stable key, else its position."""
    return criterion.key or criterion.id


def _words(text: str) -> str:
    """Text reduced to its words, to tell whether one text repeats another (escapes and
    punctuation aside)."""
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def _row(cells, widths, gap) -> str:
    return gap.join(str(cell)[:w].ljust(w) for cell, w in zip(cells, widths))


def _criterion_rows(criterion: CriterionResult, widths: list[int], gap: str, text_width: int) -> list[str]:
    text = collapse(criterion.text)  # in full, once: review questions below do not repeat it
    body = textwrap.wrap(f"“{text}”", text_width, break_on_hyphens=False) if text else []
    body += textwrap.wrap(_row_explanation(criterion), text_width, break_on_hyphens=False) or [""]
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


def render_markdown(result: Result, provenance: Provenance | None = None) -> str:
    lines = [
        f"# Eligibility pre-screen: {md_cell(_trial_name(result))}",
        "",
        f"Patient **{md_cell(_patient_name(result))}**, as of {result.as_of.isoformat()}.",
        "",
        *([f"_{md_cell(provenance.line())}_", ""] if provenance else []),
        f"**Verdict: {md_cell(verdict_line(result))}**",
        "",
        "| ID | Section | Criterion | Status | Result | Explanation |",
        "|---|---|---|---|---|---|",
    ]
    for c in result.criteria:
        cells = (c.id, c.section, c.text, STATUS_WORDS[c.status], OUTCOME_WORDS[c.outcome], _row_explanation(c))
        lines.append("| " + " | ".join(md_cell(cell) for cell in cells) + " |")
    lines.append("")
    lines.append(f"## {collect_heading(result)}")
    lines.append("")
    if result.to_collect:
        lines.extend(f"- {md_cell(item)}" for item in result.to_collect)
    else:
        lines.append(nothing_to_collect(result))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- json


def render_json(result: Result, provenance: Provenance | None = None) -> str:
    """The ``Result`` model as JSON; with ``provenance``, a last key ``report`` records it
    (drop that key to read the rest back with ``Result.model_validate``)."""
    if provenance is None:
        return result.model_dump_json(indent=2) + "\n"
    data = {**result.model_dump(mode="json"), "report": provenance.data()}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


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


def render_html(result: Result, provenance: Provenance | None = None) -> str:
    """The page from ``templates/check.html.j2``: verdict, why, what to collect, every criterion."""
    from .pages import render_page  # jinja2 only for pages: a table check starts without it

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
        provenance=provenance.line() if provenance else None,
        deciding_heading=DECIDING_HEADINGS[result.verdict],
        deciding=deciding,
        to_collect=[collapse(item) for item in result.to_collect],
        collect_heading=collect_heading(result, html=True),
        nothing_to_collect=nothing_to_collect(result),
        headers=("ID", "Section", "Criterion", "Status", "Outcome", *DETAIL_HEADERS),
        criteria=[_html_criterion(c) for c in result.criteria],
    )


def _html_criterion(criterion: CriterionResult) -> dict:
    """One criterion's cells; ``details`` has a row per leaf (the criterion's cells span them)."""
    details = [{name: getattr(d, name) for name in DETAIL_FIELDS} for d in criterion.details]
    no_detail = dict.fromkeys(DETAIL_FIELDS, None) | {"explanation": criterion.explanation, "assumed": [], "missing": []}
    return {
        "id": criterion.id, "key": criterion.key if criterion.key != criterion.id else None, "section": criterion.section, "text": criterion.text.strip(), "manual": criterion.manual,
        "status": STATUS_WORDS[criterion.status], "outcome": criterion.outcome, "outcome_word": OUTCOME_WORDS[criterion.outcome],
        "details": details or [no_detail],
    }


__all__ = ["DISCLAIMER", "FORMATS", "Format", "collapse", "md_cell", "render", "render_html", "truncate", "verdict_line"]


def print_table(text: str) -> None:
    """Print a rendered table on a terminal with colour (rich, imported only here): verdict
    words and outcomes coloured, the text unchanged."""
    from rich.console import Console
    from rich.text import Text

    styled = Text(text.rstrip("\n"))
    for pattern, style in COLOURS:
        styled.highlight_regex(pattern, style)
    Console(highlight=False, soft_wrap=True).print(styled)


COLOURS = [
    (r"\bINELIGIBLE\b|\bFAIL\b|\bnot met\b", "bold red"),
    (r"(?<!IN)\bELIGIBLE\b|\bpass\b", "bold green"),
    (r"\bNEEDS REVIEW\b|\breview\b|\bunknown\b", "bold yellow"),
    (r"^(Why not eligible|Undecided.*|To collect next):", "bold"),
]
