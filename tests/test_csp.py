"""The Content-Security-Policy's hashes: the fast scanner finds exactly what HTMLParser finds.

`almanac.csp.inline_code` reads a page with a scanner that visits only what can carry inline code, and
leaves to `HTMLParser` (the reference) any markup it is unsure of. A hash it got wrong would block a
script or a style in the reader's browser, so both are compared on every page of the built site and on
markup written to trip a scanner.
"""

from __future__ import annotations

import pytest

from almanac import csp

TRICKY = {
    "comment": '<p>a</p><!-- <script>alert(1)</script> <b style="x"> --><i style="color: red">b</i>',
    "upper case": '<DIV STYLE="margin: 0">x</DIV><SCRIPT>var a = 1;</SCRIPT><Style>p{}</Style>',
    "quoted >": '<a title="1 > 0" style="top: 1px" href="#">x</a><span data-x=\'a>b\' style=\'left: 2px\'>y</span>',
    "entities": '<p style="font-family: &quot;PT Sans&quot;; color: &#35;333">x</p>',
    "words in text": "<p>content= and onion= and style = are words here, and so is on=</p>",
    "attribute words": '<meta content="width=device-width"><a href="/?session=1&amp;on=2" class="content">x</a>',
    "handlers": '<button onclick="go()" onmouseover=\'x\'>b</button><img src=x onerror=alert(1)>',
    "bare values": "<div style=margin:0 id=x>x</div><p style>empty</p>",
    "data scripts": '<script type="application/json">{"a": "<b style=\\"x\\">"}</script><script src="a.js"></script>'
                    '<script type="module">import x from "./x.js";</script>',
    "raw text": '<script>if (a < b && c > d) { s = "</div><i style=\'x\'>"; }</script><i style="y">z</i>',
    "svg": '<svg><style>text { font-family: &quot;PT&quot; }</style><text style="fill: #000">1</text></svg>'
           '<style>p { content: "&amp;" }</style>',
    "self-closing": '<svg style="width: 1px"/><br style="clear: both"/><script/>',
    "nested svg": "<svg><g><svg><style>a{}</style></svg></g><style>b{}</style></svg><style>c{}</style>",
    "end tags": '</p style="x"><p>x</p ><div\n  style="a: 1"\n  class="b">y</div>',
    # The scanner leaves these to HTMLParser; the answer must be the same all the same.
    "cdata": '<svg><![CDATA[ <script>x</script> ]]><style>a{}</style></svg>',
    "unclosed script": '<p style="a">x</p><script>var a = 1;',
    "unclosed comment": '<p style="a">x</p><!-- <i style="b">',
    "< in a value": '<a title="a<b" style="color: red">x</a>',
    "longer lower case": '<p title="İstanbul" style="margin: 0">x</p>',
    "junk tag": '<p style="a" =>x</p><a style="b" "c">y</a>',
    "not a tag": '<p>x <д style="a"> y</p><i style="b">z</i>',
}


def _reference(page: str) -> csp.Inline:
    return csp.Inline(*(tuple(dict.fromkeys(found)) for found in csp.reference_inline_code(page)))


@pytest.mark.parametrize("name", TRICKY)
def test_the_scanner_agrees_with_htmlparser_on_tricky_markup(name):
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body>{TRICKY[name]}</body></html>"
    assert csp.inline_code(page) == _reference(page), name


def test_the_scanner_agrees_with_htmlparser_on_every_built_page(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 100
    unsure = []
    for path in pages:
        page = path.read_text(encoding="utf-8")
        try:
            found = csp._scan(page)
        except csp._Unsure:
            unsure.append(path.relative_to(built_site).as_posix())
            continue
        assert tuple(map(list, found)) == tuple(map(list, csp.reference_inline_code(page))), path
        assert found[0], f"{path}: Material's inline scripts were not found"
    # Every page the site builds is read by the scanner itself, not by the fallback.
    assert unsure == []
