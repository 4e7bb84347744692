"""The review page in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright, for both seed trials and 20 corpus trials compiled here.

Asserted from the rendered DOM: the text shown is the source's criteria text exactly;
every criterion span is marked and its text equals the source slice; every number of the
text is read by a rule, flagged "unread", or one of the documented exemptions; no request
leaves the page; landmarks, headings, keyboard and contrast; the page works without
JavaScript; a screenshot is produced (kept in ``tests/artifacts/``, gitignored).

Without chromium or playwright the tests skip, saying so, except under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from screener.compiler import compile_source
from screener.rules import dump_rules, walk
from screener.review import review_page
from screener.sources import from_record, read_sources

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CORPUS = next((folder / "corpus" / "trials.jsonl" for folder in (ROOT.parent / "shared", Path("/work/shared"))
               if (folder / "corpus" / "trials.jsonl").exists()), ROOT.parent / "shared" / "corpus" / "trials.jsonl")
SEEDS = {
    "NCT02213705": (ROOT / "rules" / "NCT02213705.yaml", ROOT / "tests" / "fixtures" / "seeds" / "NCT02213705.txt"),
    "NCT04711200": (ROOT / "rules" / "NCT04711200.yaml", ROOT / "tests" / "fixtures" / "seeds" / "NCT04711200.txt"),
}
CORPUS_TRIALS = 20
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
COMPUTED = {"comparison", "condition", "interval", "sex"}

# Every text node of the criteria text, in order, with its offset and what encloses it
# (the criterion ids shown beside the marks are labels, not text, and are skipped).
TEXT_NODES_JS = """() => {
  const panel = document.querySelector('.annotated');
  const out = []; let offset = Number(panel.dataset.start);
  for (const cell of panel.querySelectorAll('.text-cell')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (p.closest('a.criterion-ref')) continue;
      const mark = p.closest('mark.criterion');
      out.push([offset, n.data, !!p.closest('.read'), !!p.closest('mark.unread'), mark ? mark.dataset.criterion : null]);
      offset += n.data.length;
    }
  }
  return out;
}"""

CONTRAST_JS = """(selector) => Array.from(document.querySelectorAll(selector)).slice(0, 40).map(e => {
  let bg = 'rgba(0, 0, 0, 0)', node = e;
  while (node && /rgba\\(.*, 0\\)$|transparent/.test(bg)) { bg = getComputedStyle(node).backgroundColor; node = node.parentElement; }
  return [getComputedStyle(e).color, bg];
})"""


def _skip_or_fail(reason: str):
    """Skip, saying why; under CI=true what the tests need must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _need_browser():
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason is None and not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason:
        _skip_or_fail(reason)


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _corpus_cases() -> list[tuple[str, int]]:
    """20 trials spread evenly over the corpus (by line), so every registry era and layout shows."""
    if not CORPUS.exists():
        return []
    with CORPUS.open(encoding="utf-8") as stream:
        count = sum(1 for _ in stream)
    step = count // CORPUS_TRIALS
    return [(f"corpus-line-{n}", n) for n in range(1 + step // 2, count + 1, step)][:CORPUS_TRIALS]


def _corpus_line(number: int) -> dict:
    with CORPUS.open(encoding="utf-8") as stream:
        for index, line in enumerate(stream, start=1):
            if index == number:
                return json.loads(line)
    raise AssertionError(f"no line {number}")


CASES = [(name, None) for name in SEEDS] + _corpus_cases()


@pytest.fixture(params=CASES, ids=[name for name, _ in CASES])
def case(request, tmp_path):
    """(trial name, rules, source, page path): the seed's committed rules, or a corpus trial compiled now."""
    name, line = request.param
    if line is None:
        rules_file, source_file = SEEDS[name]
        source = read_sources(str(source_file), name)[0]
        from screener.rules import load_rules

        rules = load_rules(rules_file)
        page = review_page(rules_file, source_file)
    else:
        if not CORPUS.exists():
            pytest.skip(f"no corpus at {CORPUS}")
        source = from_record(_corpus_line(line), f"{CORPUS}:{line}")
        rules = compile_source(source)
        rules_file = tmp_path / "rules.yaml"
        rules_file.write_text(dump_rules(rules), encoding="utf-8")
        page = review_page(rules_file)  # the source found through trial.source, "trials.jsonl:N"
        name = rules.trial.id or name
    path = tmp_path / "review.html"
    path.write_text(page, encoding="utf-8")
    return name, rules, source, path


def test_twenty_corpus_trials_are_in_the_cases():
    if not CORPUS.exists():
        _skip_or_fail(f"no corpus at {CORPUS}")
    assert len(_corpus_cases()) == CORPUS_TRIALS and len({line for _, line in _corpus_cases()}) == CORPUS_TRIALS


def _open(browser, path: Path, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return context, page, requests


def _numbers_exempt(text: str, a: int, b: int, windows: set[float]) -> bool:
    """The documented exemptions from "unread number": part of a name (HIV1, HTLV-1, 10^9,
    HbA1c), list numbering (1. / 2) at a line start), a recency window its rule reads."""
    before, after = text[max(0, a - 2):a], text[b:b + 1]
    if re.search(r"[A-Za-z^_/]$|[A-Za-z]-$", before) or re.match(r"[A-Za-z^_]", after):
        return True
    line_start = text.rfind("\n", 0, a) + 1
    if re.fullmatch(r"[ \t>*•·\-(\[]*", text[line_start:a]) and re.match(r"[.)\]](\s|$)", text[b:b + 2]):
        return True
    return float(text[a:b].replace(",", "")) in windows


def _windows(rule) -> set[float]:
    """Durations the computed leaves read: recency windows and event windows' start and end."""
    found = set()
    for node in walk(rule):
        window = getattr(node, "window", None)
        for duration in (getattr(node, "within", None), window and window.start, window and window.end):
            if node.kind in COMPUTED and duration:
                found.add(float(duration.value))
    return found


def test_review_page_in_chromium(browser, case):
    name, rules, source, path = case
    context, page, requests = _open(browser, path)
    try:
        nodes = page.evaluate(TEXT_NODES_JS)
        start = page.locator(".annotated").get_attribute("data-start")
        shown = "".join(text for _, text, *_ in nodes)
        region_start = int(start)
        # the text as written: exactly the source's characters, nothing added or lost
        assert shown == source.text[region_start:region_start + len(shown)]
        owner, read, unread = {}, set(), set()
        for offset, text, is_read, is_unread, criterion in nodes:
            for i in range(offset, offset + len(text)):
                owner[i] = criterion
                if is_read:
                    read.add(i)
                if is_unread:
                    unread.add(i)

        # every criterion span is marked, and its text is the source slice
        for criterion in rules.criteria:
            if criterion.span is None:
                assert page.locator(f"#c-{criterion.id}").count() == 1
                continue
            a, b = criterion.span
            assert source.text[a:b] == criterion.text
            mark = page.locator(f'mark.criterion[data-criterion="{criterion.id}"]')
            assert mark.count() == 1, f"{name} {criterion.id} not marked"
            assert mark.text_content() == source.text[a:b]
            assert (mark.get_attribute("data-start"), mark.get_attribute("data-end")) == (str(a), str(b))
            if criterion.field is None:
                assert all(owner.get(i) == criterion.id for i in range(a, b)), f"{name} {criterion.id} span not covered"

        # every number is read by a rule, flagged unread, or exempt
        computed = {c.id: [n.span for n in walk(c.rule) if n.kind in COMPUTED and n.span] for c in rules.criteria}
        windows = {c.id: _windows(c.rule) for c in rules.criteria}
        end = region_start + len(shown)
        flagged = 0
        for number in re.finditer(r"\d+(?:[.,]\d+)*", source.text[:end]):
            a, b = number.span()
            if a < region_start:
                continue
            inside = [(x, y) for x, y in computed.get(owner.get(a) or "", []) if x <= a and b <= y]
            if any(i in unread for i in range(a, b)):
                flagged += 1
                assert not inside, f"{name}: {number.group()} at {a} is read by a rule but flagged"
                assert page.locator(f'mark.unread[data-start="{a}"]').count() == 1
            elif any(i in read for i in range(a, b)):
                assert inside, f"{name}: {number.group()} at {a} underlined but read by no rule"
            else:
                assert _numbers_exempt(source.text, a, b, windows.get(owner.get(a) or "", set())), \
                    f"{name}: {number.group()!r} at {a} is neither read nor flagged"
        assert page.locator(".annotated mark.unread").count() == flagged
        assert page.locator("#summary li a[href^='#n-']").count() == flagged

        # no request leaves the page: the only one is the page itself
        assert requests == [path.as_uri()]

        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"review-{name}.png"
        page.screenshot(path=str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    finally:
        context.close()


def _luminance(rgb: str) -> float:
    channels = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _seed_page(tmp_path: Path) -> Path:
    rules_file, source_file = SEEDS["NCT02213705"]
    path = tmp_path / "review.html"
    path.write_text(review_page(rules_file, source_file), encoding="utf-8")
    return path


def test_landmarks_headings_keyboard_and_contrast(browser, tmp_path):
    context, page, _ = _open(browser, _seed_page(tmp_path))
    try:
        assert page.locator("html").get_attribute("lang") == "en"
        for landmark in ("header", "nav", "main", "footer"):
            assert page.locator(landmark).count() == 1
        levels = [int(tag[1]) for tag in page.eval_on_selector_all("h1, h2, h3", "hs => hs.map(h => h.tagName)")]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "a heading level is skipped"
        assert page.locator("article.rule").count() == page.locator("article.rule h3").count()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the criteria text"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#text"
        page.locator("a.criterion-ref").first.focus()
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#c-I1"
        for selector in ("body", "mark.criterion", "mark.unread", "a.criterion-ref", "article.rule h3 .kind", ".empty", "a", "code"):
            for color, background in page.evaluate(CONTRAST_JS, selector):
                light, dark = sorted((_luminance(color), _luminance(background)), reverse=True)
                assert (light + 0.05) / (dark + 0.05) >= 4.5, f"{selector}: {color} on {background}"
    finally:
        context.close()


def test_works_without_javascript_and_filters_with_it(browser, tmp_path):
    path = _seed_page(tmp_path)
    context, page, _ = _open(browser, path, javascript=False)
    try:
        assert page.locator("#filter").is_hidden()
        assert page.locator("article.rule:visible").count() == page.locator("article.rule").count() > 0
    finally:
        context.close()
    context, page, _ = _open(browser, path)
    try:
        assert page.locator("#filter").is_visible()
        total = page.locator("#text .row:visible").count()
        page.get_by_label("computed", exact=True).uncheck()
        hidden = page.locator('#text .row.filtered-out')
        assert hidden.count() > 0 and page.locator("#text .row:visible").count() == total - hidden.count()
        for kinds in hidden.evaluate_all("rows => rows.map(r => r.dataset.kinds)"):
            assert set(kinds.split()) == {"computed"}
        page.emulate_media(media="print")
        assert page.locator("#filter").is_hidden() and page.locator("article.rule:visible").count() == page.locator("article.rule").count()
    finally:
        context.close()


def test_exceptions_restrictions_and_readings_in_chromium(browser, tmp_path):
    """The meaning kinds (unless, restrict, readings) as the browser shows them: their words,
    the flags on each card and in the summary, and nothing left as JSON."""
    from test_review_meaning import CASES, _page_rules

    rules, text = _page_rules()
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps({**rules, "trial": {"id": "T1", "source": "t.txt"}}), encoding="utf-8")
    path = tmp_path / "review.html"
    path.write_text(review_page(tmp_path / "r.json"), encoding="utf-8")
    context, page, _ = _open(browser, path)
    try:
        for cid, _, _, _, words, flags, kind in CASES:
            card = page.locator(f"#c-{cid}")
            assert " ".join(card.locator(".plain").inner_text().split()) == words
            assert card.locator("h3 .tag").all_inner_texts() == flags and card.get_attribute("data-kind") == kind
        summary = [" ".join(li.split()) for li in page.locator("#summary ul.flags li").all_inner_texts()]
        assert summary == [f"{c[0]} {' '.join(c[5])}" for c in CASES if c[5]]
        assert page.locator("pre.json").count() == 0
    finally:
        context.close()
