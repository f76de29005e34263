"""The built site in a real browser: Debian's Chromium driven by Playwright, as readers get it.

Some promises can only be checked where the JavaScript runs: Material resolves
the search index and fetches sitemaps in the browser, so a page that looks
right as HTML can still search the wrong language or call another host.
`make test` installs Chromium with apt-get.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium calls Google's hosts at start-up (FIELD-NOTES).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_site):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(_QuietHandler, directory=str(built_site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_pages_request_nothing_from_another_host_and_raise_no_errors(server, browser):
    page = browser.new_page()
    foreign, errors = [], []
    page.on("request", lambda request: foreign.append(request.url)
            if not request.url.startswith((server, "data:", "blob:")) else None)
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    for url in ("", "en/", "kk/", "enpud-2022-2024/", "en/runpud-2021-2024/04-indicators/",
                "kk/inpud-2021-2024/01-introduction/", "translation-status/"):
        page.goto(server + url, wait_until="networkidle")
    page.close()
    assert foreign == []
    assert errors == []


@pytest.mark.parametrize("prefix, query", [("", "миссия"), ("en/", "mission"), ("kk/", "миссиямыз")])
def test_search_finds_pages_in_the_readers_language(server, browser, prefix, query):
    page = browser.new_page()
    page.goto(server + prefix, wait_until="networkidle")
    # Material reads the query on keyup (and once its index is ready), not on input events.
    page.fill("input.md-search__input", query)
    page.press("input.md-search__input", "End")
    page.locator(".md-search-result__item").first.wait_for(state="attached", timeout=30_000)
    links = [link.get_attribute("href") for link in page.locator(".md-search-result__link").all()]
    page.close()
    assert links, f"no results for {query!r} on /{prefix}"
    for link in links:
        assert link.startswith(server + prefix), f"{query!r} on /{prefix} led to {link}"
        if not prefix:
            assert not link.startswith((server + "en/", server + "kk/")), link


def test_the_download_button_gives_the_brochure_in_the_readers_language(server, browser):
    page = browser.new_page(accept_downloads=True)
    page.goto(server + "en/kibhr-2015-2018/03-challenges/", wait_until="networkidle")
    with page.expect_download() as download_info:
        page.click("a.almanac-pdf")
    download = download_info.value
    head = Path(download.path()).read_bytes()[:5]  # read before the page's context deletes it
    page.close()
    assert download.suggested_filename == "kibhr-2015-2018.en.pdf"
    assert head == b"%PDF-"
