"""Regenerate the README's screenshot of the review page for NCT02213705.

    python scripts/review_screenshot.py [--out docs/review-NCT02213705.png]

Renders ``screener review rules/NCT02213705.yaml`` against the seed text in
``tests/fixtures/seeds/``, opens it in headless Chromium (Debian's ``chromium``, driven by
Playwright; never ``playwright install``) and captures the top of the page: the summary and the
first criteria, each rule beside its words.  Prints the file written and its size.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from screener.review import review_page

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "NCT02213705.yaml"
SOURCE = ROOT / "tests" / "fixtures" / "seeds" / "NCT02213705.txt"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "review-NCT02213705.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "review.html"
        os.chdir(ROOT)  # the page names its files as a user at the project's root would
        page_file.write_text(review_page(RULES.relative_to(ROOT), SOURCE.relative_to(ROOT)), encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=args.chromium, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_file.as_uri())
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1500})
        browser.close()
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
