"""A real browser (Debian's Chromium driven by Playwright) uses the web form end to end.

It logs in, posts a role with a Norwegian occupation term, sees the validation error beside the
field it concerns, fixes it, and finds the role listed. A screenshot of each step is saved under
``tests/artefacts/`` (not committed).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.service import ServiceSettings, create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install -y chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    import uvicorn

    app = create_app(ServiceSettings(db=str(tmp_path / "roles.db")))
    repository = app.state.service.repository
    repository.add_account("Bikuben birøkterlag", "enterprise")
    repository.set_password("Bikuben birøkterlag", "honning-er-godt")
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                       access_log=False))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the service did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def test_browser_posts_a_role_sees_an_error_fixes_it_and_finds_it(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page(locale="nb-NO")
            page.goto(f"{server}/login")
            page.get_by_label("Konto").fill("Bikuben birøkterlag")
            page.get_by_label("Passord").fill("honning-er-godt")
            page.get_by_role("button", name="Logg inn").click()
            expect(page.get_by_role("heading", name="Stillinger")).to_be_visible()

            page.get_by_role("link", name="Ny stilling").click()
            page.get_by_label("Tittel").fill("Birøkter i opplæring")
            occupation = page.get_by_label("Yrke")
            occupation.press_sequentially("birøk")
            # autocomplete (progressive: the form works without it) offers the taxonomy's label
            expect(page.locator('#l-occupation option[value="birøkter"]')).to_have_count(1)
            occupation.fill("birøktere")
            page.get_by_label("Ferdigheter vi lærer opp i").fill("breed insects")
            page.get_by_label("Antall plasser").fill("-1")
            page.get_by_label("Tilrettelegging som tilbys").fill("fleksibel arbeidstid")
            page.get_by_role("button", name="Lagre").click()

            slots = page.get_by_label("Antall plasser")
            expect(slots).to_have_attribute("aria-invalid", "true")
            error = page.locator("#e-slots")
            expect(error).to_contain_text("må være et helt tall, 0 eller mer, fikk '-1'")
            expect(error).to_contain_text("must be an integer >= 0, got '-1'")  # as the CLI
            # beside the field: in the same field group, and named by the input
            expect(page.locator(".field.invalid")).to_have_count(1)
            expect(page.locator(".field.invalid #f-slots")).to_have_count(1)
            expect(page.locator(".field.invalid #e-slots")).to_have_count(1)
            expect(page.get_by_label("Yrke")).to_have_value("birøktere")
            page.screenshot(path=str(ARTEFACTS / "service-browser-error.png"), full_page=True)

            slots.fill("2")
            page.get_by_role("button", name="Lagre").click()
            expect(page.get_by_role("status")).to_contain_text("Stillingen er lagret.")
            expect(page.locator("dd", has_text="birøktere")).to_be_visible()

            page.get_by_role("link", name="Stillinger").first.click()
            row = page.get_by_role("row", name="Birøkter i opplæring")
            expect(row).to_be_visible()
            expect(row).to_contain_text("birøktere")
            page.screenshot(path=str(ARTEFACTS / "service-browser.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTEFACTS / "service-browser.png").stat().st_size > 0
