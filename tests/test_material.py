"""The rewrites of Material's markup (hooks/material_markup.py) work on Material's real pages, and fail loudly,
naming the rewrite, when the markup they were written against changes."""

from __future__ import annotations

import importlib.util

import re

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("almanac_material_rewrites", ROOT / "hooks" / "material_markup.py")
material = importlib.util.module_from_spec(spec)
spec.loader.exec_module(material)

PAGE = "content/runpud-2021-2024/03-goals.en.md"


@pytest.fixture(scope="module")
def english_page(built_site) -> str:
    return (built_site / "en" / "runpud-2021-2024" / "03-goals" / "index.html").read_text(encoding="utf-8")


def test_each_rewrite_works_on_materials_page(english_page):
    alternates = ('<link rel="alternate" href="/runpud-2021-2024/03-goals/" hreflang="ru">\n'
                  '<link rel="alternate" href="/en/runpud-2021-2024/03-goals/" hreflang="en">\n')
    with_alternates = english_page.replace("<link rel=\"canonical\"", alternates + "<link rel=\"canonical\"", 1)
    assert 'rel="alternate"' not in material.drop_alternate_links(with_alternates, PAGE, 3)
    moved = material.point_canonical(english_page, PAGE, "https://almanac.example.org/runpud-2021-2024/03-goals/")
    assert '<link rel="canonical" href="https://almanac.example.org/runpud-2021-2024/03-goals/">' in moved
    # What the build made of Material's "base": "../../..", and of its worker's name.
    assert '"base": "../../../en/runpud-2021-2024/"' in english_page
    materials = english_page.replace('"base": "../../../en/runpud-2021-2024/"', '"base": "../../.."').replace(
        "almanac-search.js?engine=", "")
    assert '"base": "../../../en/runpud-2021-2024/"' in material.search_base(materials, PAGE, "en/runpud-2021-2024/")
    worker = material.search_worker(materials, PAGE)
    assert '"search": "../../../assets/javascripts/workers/almanac-search.js?engine=search.' in worker


@pytest.mark.parametrize("rewrite, call, changed", [
    ("drop alternate links", lambda m, html: m.drop_alternate_links(html, PAGE, 3),
     lambda html: html.replace('rel="alternate"', 'rel="alternative"')),
    ("canonical of a fallback page", lambda m, html: m.point_canonical(html, PAGE, "https://x.org/"),
     lambda html: html.replace('<link rel="canonical" href=', '<link href=', 1)),
    ("search base", lambda m, html: m.search_base(html, PAGE, "kk/"),
     lambda html: html.replace('"base":', '"root":')),
    ("search worker", lambda m, html: m.search_worker(html, PAGE),
     lambda html: re.sub(r"workers/search\.[0-9a-f]+\.min\.js", "workers/search.js", html)),
])
def test_a_change_in_materials_markup_stops_the_build_naming_the_rewrite(english_page, rewrite, call, changed):
    page = changed(english_page).replace('rel="alternate"', 'rel="alternative"')
    with pytest.raises(material.MarkupChanged) as error:
        call(material, page)
    message = str(error.value)
    assert message.startswith(f"{PAGE}: the rewrite '{rewrite}' found no ")
    assert "update hooks/material_markup.py" in message and "\n" not in message


def test_the_preview_polls_fast_through_mkdocs_server_and_says_so_if_mkdocs_changes_it(tmp_path):
    """engine.poll is the one place outside hooks/server.py that reaches into MkDocs' LiveReloadServer."""
    import sys

    from mkdocs.exceptions import PluginError
    from mkdocs.livereload import LiveReloadServer
    from watchdog.observers.polling import PollingObserver

    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        import engine
    finally:
        sys.path.remove(str(ROOT / "hooks"))
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        server.watch(str(tmp_path))
        engine.poll(server, [str(tmp_path)], 0.1)
        assert isinstance(server.observer, PollingObserver) and server.observer.timeout == 0.1
        del server.observer
        with pytest.raises(PluginError, match="LiveReloadServer has no watchdog `observer`"):
            engine.poll(server, [str(tmp_path)], 0.1)
    finally:
        server.server_close()
