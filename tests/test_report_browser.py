"""The report in a real browser (Debian's Chromium driven by Playwright).

For each language: the page renders with no script error and no Content-Security-Policy
violation, makes no network request, is in that language, holds every job-seeker id in its
data and finds each one through its search box, runs none of the hostile values, and does not
scroll sideways on a phone. Screenshots of the summary and of one job-seeker's explanation at
desktop (1280 px) and phone (390 px) widths are saved under ``tests/artefacts/`` (not
committed).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import make_run

from matcher.report import STRINGS, load_run, write_report

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install -y chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("report-run")
    extra = {"overrides": [{"kind": "lock", "seeker_id": "S00003", "role_id": "R002",
                            "cost": -0.125, "objective_cost": 0.25}]}
    return folder, make_run(folder, n_seekers=120, n_roles=10, extra=extra)


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _open(browser: Any, path: Path, width: int) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    # any request that is not the report itself is refused (and recorded above)
    context.route("**/*", lambda route: route.continue_() if route.request.url == path.as_uri()
                  else route.abort())
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-ready='1']", timeout=10_000)
    return context, page, requests, problems


def _overflow(page: Any) -> int:
    return int(page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.parametrize("lang", ["nb", "da", "en"])
def test_report_in_chromium(browser: Any, report_run: tuple[Path, dict[str, Any]],
                            lang: str) -> None:
    folder, made = report_run
    ARTEFACTS.mkdir(exist_ok=True)
    path = write_report(load_run(folder), folder / f"report-{lang}.html",
                        lang=lang)  # type: ignore[arg-type]
    t = STRINGS[lang]
    context, page, requests, problems = _open(browser, path, 1280)
    try:
        assert requests == [path.as_uri()], "the page made a network request"
        assert problems == []
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.locator("h1").inner_text() == t["title"]
        assert page.locator("#matches h2").inner_text() == t["matches"]
        assert page.locator("#open h2").inner_text() == t["open_places"]
        assert page.evaluate("window.__pwned") is None
        assert page.locator("main img").count() == 0
        assert page.locator("#old-browser").is_hidden()
        # every id is in the data, and (once is enough) the search box finds every one of them
        ids = page.evaluate("window.matcherReport.seekers.map(s => s[0])")
        assert sorted(ids) == sorted(made["seekers"])
        missing = [] if lang != "nb" else page.evaluate("""ids => {
            const q = document.getElementById('q'), lost = [];
            for (const id of ids) {
              q.value = id; q.dispatchEvent(new Event('change'));
              const rows = [...document.querySelectorAll('#seeker-list tr[data-seeker]')];
              if (!rows.some(r => r.getAttribute('data-seeker') === id)) lost.push(id);
            }
            q.value = ''; q.dispatchEvent(new Event('change'));
            return lost;
        }""", made["seekers"])
        assert missing == []
        # one job-seeker's explanation: typed into the search box, alternatives opened
        target = made["seekers"][7]
        page.locator("#q").fill(target)
        expect(page.locator("#seeker-list tr[data-seeker]")).to_have_count(1)
        row = page.locator(f"tr[data-seeker='{target}']")
        row.get_by_role("button", name=t["alternatives"]).click()
        assert page.locator("#seeker-list tr.detail").first.is_visible()
        for width, name in ((1280, "desktop"), (390, "phone")):
            page.set_viewport_size({"width": width, "height": 900})
            assert _overflow(page) <= 0, f"{name}: the page scrolls sideways"
            if name == "phone":  # each change a card: every cost on screen, with its label
                cells = page.evaluate("""() => [...document.querySelectorAll('#overrides td')]
                    .map(td => [td.getBoundingClientRect().right,
                                getComputedStyle(td, '::before').content])""")
                assert max(right for right, _ in cells) <= width
                assert [label for _, label in cells][-2:] == [
                    f'"{t["cost"]}"', f'"{t["cost_objective"]}"']
            if lang == "nb" or name == "phone":
                page.locator("#summary").screenshot(
                    path=str(ARTEFACTS / f"report-{lang}-summary-{name}.png"))
                page.locator("#seeker-list table.rows").screenshot(
                    path=str(ARTEFACTS / f"report-{lang}-seeker-{name}.png"))
        assert problems == []
        assert requests == [path.as_uri()]
    finally:
        context.close()


def test_pages_filter_and_print_without_cutting_tables(
        browser: Any, report_run: tuple[Path, dict[str, Any]]) -> None:
    folder, made = report_run
    path = write_report(load_run(folder), folder / "report-print.html", lang="nb")
    context, page, _, problems = _open(browser, path, 1280)
    try:
        shown = page.locator("#seeker-list .pager span").first.inner_text()
        assert shown == f"Viser 1\u201350 av {len(made['seekers'])}"
        page.locator("#seeker-list .pager button", has_text="Neste").first.click()
        assert page.locator("#seeker-list .pager span").first.inner_text().startswith(
            "Viser 51\u2013100")
        page.select_option("#f-status", "unmatched")
        unmatched = made["matches"]["role_id"].null_count()
        assert page.locator("#seeker-list .pager span").first.inner_text().endswith(
            f"av {unmatched}")
        page.select_option("#f-sort", "score_desc")
        page.select_option("#f-status", "matched")
        scores = page.evaluate("""() => [...document.querySelectorAll(
            '#seeker-list tr[data-seeker] td.c-num')].map(td => td.textContent)""")
        values = [float(s.replace(",", ".")) for s in scores]
        matched = made["matches"]["role_id"].drop_nulls().len()
        assert values == sorted(values, reverse=True) and len(values) == min(50, matched)
        # print: every row of a small batch, A4 width, nothing wider than the page
        page.select_option("#f-status", "all")
        page.set_viewport_size({"width": 700, "height": 1000})
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.locator("#seeker-list tr[data-seeker]").count() == len(made["seekers"])
        wide = page.evaluate("""() => [...document.querySelectorAll('table, svg, figure')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .length""")
        assert wide == 0
        assert page.locator("#f-sort").is_hidden()
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.locator("#seeker-list tr[data-seeker]").count() == 50
        assert problems == []
    finally:
        context.close()
