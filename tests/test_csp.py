"""The Content-Security-Policy's hashes are of the text the browser hashes.

`almanac.csp.inline_code` reads a page with an HTML5 parser. A hash it got wrong would block a script or
a style in the reader's browser, so markup written to trip a reader is checked twice: against the text
the HTML standard gives each element (what is hashed, case by case), and in Debian's Chromium, which
must run every script of each case under a policy listing only the hashes found, and refuse nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from almanac import csp
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS


@dataclass(frozen=True)
class Case:
    """Markup for <body>, the texts the browser hashes in it, and the names its scripts pass to ran()."""

    markup: str
    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    style_attributes: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()


ESCAPED = '<!--\nvar s = "<script>";\nvar t = "</script>";\nran("escaped");\n-->'
CASES = {
    # `</script` is an end tag only when followed by a space, '/' or '>'.
    "end tag in a string": Case('<script>var s = "</script" + "</scripts>"; ran("string")</script>',
                                scripts=('var s = "</script" + "</scripts>"; ran("string")',), runs=("string",)),
    # After <!-- a <script> opens the "double escaped" state, where </script> does not end the element.
    "script data escaped": Case(f"<script>{ESCAPED}</script>", scripts=(ESCAPED,), runs=("escaped",)),
    "comments": Case('<!-- <script>ran("never")</script> --><i style="color: red">b</i>'
                     '<!--> <script>ran("empty comment")</script><!---><script>ran("short comment")</script>',
                     scripts=('ran("empty comment")', 'ran("short comment")'), style_attributes=("color: red",),
                     runs=("empty comment", "short comment")),
    # The parser turns CRLF and CR into LF before anything else, attribute values included.
    "line endings": Case('<script>\r\nran("crlf");\r\n\rvar x = 1;\r\n</script><style>\r\n.crlf {\r\n color: red }\r\n'
                         '</style><p style="color:\r\n red">x</p>',
                         scripts=('\nran("crlf");\n\nvar x = 1;\n',), styles=("\n.crlf {\n color: red }\n",),
                         style_attributes=("color:\n red",), runs=("crlf",)),
    "style end tags": Case('<style>.a { color: red }</style ><style>.b { color: blue }</STYLE>'
                           '<style>.c {}</style x="y">',
                           styles=(".a { color: red }", ".b { color: blue }", ".c {}")),
    "upper case": Case('<DIV STYLE="margin: 0">x</DIV><SCRIPT TYPE="text/javascript">ran("upper")</SCRIPT>',
                       scripts=('ran("upper")',), style_attributes=("margin: 0",), runs=("upper",)),
    "quoted >": Case('<div title="a > b" style="color: red">x</div>'
                     '<p title=\'<script>ran("never")</script>\' style=\'margin: 0\' data-x=a>b>y</p>',
                     style_attributes=("color: red", "margin: 0")),
    "attribute entities": Case('<p style="font-family: &quot;PT Sans&quot;; color: &#35;333">x</p><p style>y</p>',
                               style_attributes=('font-family: "PT Sans"; color: #333', "")),
    # In <svg> (foreign content) the parser decodes character references, reads CDATA sections and keeps
    # a decoded CR; a script's text is its own text nodes, not those of its children.
    "svg": Case('<svg><script>ran("svg " + (1 &lt; 2) + " &amp;")&#13;</script>'
                '<script><![CDATA[ran("cdata " + (1 < 2))]]></script>'
                '<g><script>ran("svg a")<g>x</g>;ran("svg b")</script></g>'
                '<style>.svg { fill: &#x23;000 }</style><text style="fill: #000">1</text></svg>',
                scripts=('ran("svg " + (1 < 2) + " &")\r', 'ran("cdata " + (1 < 2))', 'ran("svg a");ran("svg b")'),
                styles=(".svg { fill: #000 }",), style_attributes=("fill: #000",),
                runs=("svg true &", "cdata true", "svg a", "svg b")),
    # src makes an HTML script external, href an SVG one; neither attribute means anything to the other.
    "external": Case('<script src="">ran("never")</script><script href="none.js">ran("html href")</script>'
                     '<svg><script href="none.js">ran("never")</script><script src="none.js">ran("svg src")</script>'
                     '<foreignObject><script src="none.js">ran("never")</script></foreignObject></svg>',
                     scripts=('ran("html href")', 'ran("svg src")'), runs=("html href", "svg src")),
    # The type decides whether the text is code the policy checks (import maps are) or data (JSON is not).
    "types": Case('<script type="importmap">{"imports": {}}</script>'
                  '<script type="text/javascript1.5">ran("javascript1.5")</script>'
                  '<script language="javascript">ran("language")</script><script type="MODULE">ran("module")</script>'
                  '<script type="application/json">{"ran": "never"}</script>'
                  '<script language="vbscript">ran("never")</script>'
                  '<script type="text/javascript; charset=utf-8">ran("never")</script>',
                  scripts=('{"imports": {}}', 'ran("javascript1.5")', 'ran("language")', 'ran("module")'),
                  runs=("javascript1.5", "language", "module")),
    # With scripting on, as in a browser that runs scripts, <noscript> holds text, not elements.
    "noscript": Case('<noscript><script></noscript><script>ran("after noscript")</script>'
                     '<noscript><p style="color: red">x</p><style>p {}</style></noscript>',
                     scripts=('ran("after noscript")',), runs=("after noscript",)),
    "template": Case('<template id="t"><script>ran("template")</script><p style="color: green">t</p></template>'
                     '<script>document.body.append(document.getElementById("t").content.cloneNode(true))</script>',
                     scripts=('document.body.append(document.getElementById("t").content.cloneNode(true))',
                              'ran("template")'), style_attributes=("color: green",), runs=("template",)),
    "srcdoc": Case('<iframe srcdoc="<script>parent.ran(&quot;srcdoc&quot;)</script><p style=\'color: red\'>x</p>">'
                   '</iframe>', scripts=('parent.ran("srcdoc")',), style_attributes=("color: red",), runs=("srcdoc",)),
    "text": Case('<p>кириллица</p><script>ran("кириллица \0")</script>',
                 scripts=('ran("кириллица \ufffd")',), runs=("кириллица \ufffd",)),
    "handlers": Case('<button onclick="go()" ONMOUSEOVER=\'x\'>b</button><p title="x onclick=y">onfocus=z</p>'
                     '<svg><g onclick="x()"/></svg><a href="/?session=1&amp;on=2" class="content">x</a>',
                     handlers=("onclick", "onmouseover")),
}

# Installed in every frame before its own scripts: what ran, and what the policy refused.
RECORDER = """
window.__ran = []; window.ran = (name) => window.__ran.push(name);
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} refused (${e.sample})`), true);
"""


def page_of(markup: str) -> str:
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>t</title></head><body>{markup}</body></html>'


def expected(case: Case) -> csp.Inline:
    return csp.Inline(*(tuple(map(csp.hash_source, texts)) for texts in
                        (case.scripts, case.styles, case.style_attributes)), handlers=case.handlers)


@pytest.mark.parametrize("name", CASES)
def test_hashes_the_text_the_html_standard_gives_each_element(name):
    assert csp.inline_code(page_of(CASES[name].markup)) == expected(CASES[name])


def test_chromium_runs_every_script_under_the_hashes_found():
    """One browser, one page per case, each with the policy the build would write, and a control page."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    pages = {f"/{i}": csp.add_policy(page_of(case.markup)).encode() for i, case in enumerate(CASES.values())}
    # The control: a policy without the page's hashes must be refused, or the test could not see a refusal.
    control = page_of('<style>p {}</style><p style="margin: 0"><script>ran("control")</script>')
    pages["/control"] = csp.insert_policy(control, csp.policy(csp.Inline())).encode()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = chromium.new_context()
        context.add_init_script(RECORDER)
        context.route("http://almanac.test/**", lambda route: _serve(route, pages))
        page = context.new_page()
        refused: list[str] = []   # Chromium also reports each refusal on the console
        page.on("console", lambda m: refused.append(m.text[:200]) if "Content Security Policy" in m.text else None)
        seen = {}
        for path in pages:
            refused.clear()
            page.goto(f"http://almanac.test{path}", wait_until="load")
            frames = [frame.evaluate("[window.__ran, window.__violations]") for frame in page.frames]
            seen[path] = (sorted(page.evaluate("window.__ran")), [v for _, found in frames for v in found], refused[:])
        chromium.close()
    control_ran, control_violations, _ = seen.pop("/control")
    assert control_ran == [] and {v.split()[0] for v in control_violations} == {
        "script-src-elem", "style-src-elem", "style-src-attr"}, control_violations
    for (name, case), (ran, violations, console) in zip(CASES.items(), seen.values()):
        # Event handlers are never hashed, so Chromium refuses them: Debian's Chromium 156 as soon as it parses
        # one, 150 only when it fires. Either way, only a case with handlers may see that refusal.
        handlers = [v for v in violations if v.startswith("script-src-attr ")]
        assert not handlers or case.handlers, name
        console = [text for text in console if "inline event handler" not in text]
        assert (len(violations) - len(handlers), console) == (0, []), f"{name}: Chromium refused {violations}"
        assert ran == sorted(case.runs), name


def _serve(route, pages: dict[str, bytes]) -> None:
    body = pages.get(route.request.url.removeprefix("http://almanac.test"))
    if body is None:
        route.fulfill(status=404, body=b"")
    else:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)


def test_every_built_page_is_read_and_carries_its_own_hashes(built_site):
    """The build wrote into each page the policy of the page's own inline code, Material's scripts among it."""
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        page = path.read_text(encoding="utf-8")
        inline = csp.inline_code(page)
        assert inline.scripts, f"{path}: Material's inline scripts were not found"
        assert csp.policy(inline) in page, f"{path}: its policy is not that of its own inline code"
