"""The allowlist for markup that editors and translators write: raw HTML, URLs, attribute lists and SVG files.

Reads: the text of one Markdown line at a time, or one SVG file. Writes: nothing.

Content comes from many hands, so what a page may carry is an allowlist, not a
blocklist (the model is ammonia, Rust's sanitiser, which `nh3` wraps):

- raw HTML: the elements and attributes in ELEMENTS and ATTRIBUTES, nothing
  else. `<script>`, `<style>`, `<meta>`, `<base>`, `<form>`, `<iframe>`,
  `<object>` and every other element outside the list, every `on*` attribute
  and `style` (which WeasyPrint would apply to the brochure while the web CSP
  drops it) are refused. A tag the strict grammar below cannot read is refused
  too, so that no browser parses something this check did not see.
- URLs, in raw HTML and in Markdown links, images, reference definitions and
  autolinks: relative, http(s), mailto or tel; `data:` only for raster images.
  `javascript:`, `vbscript:` and every other scheme are refused, after the
  entity decoding and whitespace stripping that browsers apply.
- attribute lists (`{: #id .class key="value" }`, the attr_list extension):
  ids, classes and a few harmless keys.
- SVG files: no script, no event handler, no `foreignObject`, no reference to
  anything outside the file (see `check_svg`).

Every refusal is an `AlmanacError` whose message names the file, the line and
the element, attribute or URL. nh3 is the second opinion on each allowed tag:
if the sanitiser would still remove something from it, the tag is refused.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3

from .errors import AlmanacError

_GLOBAL = {"id", "class", "title", "lang", "dir", "markdown"}   # markdown="1": md_in_html
ELEMENTS = {
    # text
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "ins", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
    # blocks
    "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "hr", "li", "ol", "p", "pre",
    "summary", "ul",
    # tables
    "caption", "col", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    # images (the files themselves are checked where they are embedded)
    "img",
}
ATTRIBUTES = {
    "a": {"href", "hreflang"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "data": {"value"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "td": {"colspan", "rowspan", "headers"}, "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"}, "colgroup": {"span"}, "details": {"open"},
}
URL_ATTRIBUTES = {"href", "src", "cite", "srcset"}
_ALLOWED = {element: ATTRIBUTES.get(element, set()) | _GLOBAL for element in ELEMENTS}   # nh3's form of the list
SCHEMES = {"http", "https", "mailto", "tel"}
IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.I)
# Keys an attribute list may set besides #id and .class.
ATTR_LIST_KEYS = {"title", "lang", "dir", "alt", "width", "height", "loading"}

_NAME = r"[A-Za-z][A-Za-z0-9-]*"
_ATTRIBUTE = rf"""\s+[^\s"'<>/=`]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_TAG = re.compile(rf"<(/?)({_NAME})((?:{_ATTRIBUTE})*)\s*(/?)>")
_ONE_ATTRIBUTE = re.compile(r"""\s*([^\s"'<>/=`]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^\s<>]*|mailto:[^\s<>]+|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>", re.I)
# The delimiters of an HTML comment. What a comment holds is checked as if it were markup: browsers end a
# comment early (at `--!>`, or `<!-->` and `<!--->` at once) where Python-Markdown may not, so anything
# inside one could come out live, and a `<style>` that did would be hashed into the page's policy.
_COMMENT = re.compile(r"<!--|--!?>")
_MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)")
# A link reference definition (`[id]: url`); a footnote (`[^1]: text`) is text, whatever word starts it.
_REFERENCE = re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*(<[^>]*>|\S+)")
_ATTR_LIST = re.compile(r"\{:?[ \t]*([#.][^}\n]*|[A-Za-z_-]+=[^}\n]*)\}")
_ATTR_ITEM = re.compile(r"""([#.][^\s"'}]+)|([A-Za-z_:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s}]+)|(\S+)""")
_VALUE_MARKER = re.compile(r"\{\{.*?\}\}")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def check_line(line: str, where: str) -> None:
    """Refuse raw HTML, URLs and attribute lists outside the allowlist in one line of prose
    (inline code already removed); `where` is "<file>, line <n>"."""
    if "<" in line:
        _check_html(_COMMENT.sub(" ", line), where)
    if "](" in line or "]:" in line:
        for match in _MD_LINK.finditer(line):
            check_url(match.group(1).strip("<>"), where, "link" if not match.group(0).startswith("!") else "image")
        reference = _REFERENCE.match(line)
        if reference:
            check_url(reference.group(1).strip("<>"), where, "link")
    if "{" in line:
        _check_attr_lists(_VALUE_MARKER.sub("", line), where)


def check_url(url: str, where: str, what: str, image: bool = False) -> None:
    """A URL an editor wrote: relative, or http(s), mailto or tel; data: only for a raster image."""
    # Browsers decode entities and drop control characters and spaces before they read the scheme.
    plain = _CONTROL.sub("", html.unescape(url))
    scheme = urlsplit(plain).scheme.lower() if ":" in plain.split("/", 1)[0] else ""
    if not scheme or scheme in SCHEMES:
        return
    if scheme == "data" and (image or what == "image") and IMAGE_DATA.match(plain):
        return
    raise AlmanacError(f"{where}: the {what} {_short(url)!r} uses the scheme '{scheme}:', which is not allowed; "
                       f"expected a relative path or an http(s), mailto or tel URL"
                       f"{' (data: only for PNG, JPEG, GIF or WebP images)' if what == 'image' else ''}.")


def _check_html(line: str, where: str) -> None:
    position = 0
    for start in _TAG_START.finditer(line):
        if start.start() < position:
            continue
        autolink = _AUTOLINK.match(line, start.start())
        if autolink:
            position = autolink.end()
            continue
        tag = _TAG.match(line, start.start())
        if not tag:
            fragment = line[start.start():start.start() + 40]
            raise AlmanacError(f"{where}: cannot read the HTML {fragment!r}; expected a tag such as "
                               f'<span lang="en">…</span> from the allowed list (see README, "Bad input"), or '
                               f"text (write '&lt;' for a literal '<').")
        position = tag.end()
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        _check_element(name, where)
        if not closing:
            _check_attributes(name, attributes, where)
            _second_opinion(tag.group(0), name, attributes, where)


def _check_element(name: str, where: str) -> None:
    if name in ELEMENTS:
        return
    why = {"script": "scripts belong to the theme, under overrides/",
           "style": "styles belong to the theme's stylesheets; a <style> in a page restyles the whole brochure",
           "meta": "a <meta> can redirect readers", "base": "a <base> changes where every link leads",
           "form": "pages send nothing anywhere", "iframe": "pages embed nothing from elsewhere",
           "object": "pages embed nothing from elsewhere", "embed": "pages embed nothing from elsewhere",
           "link": "stylesheets and links to other resources belong to the theme",
           }.get(name, "it is not on the list of elements pages need")
    heading = " (write a Markdown heading: '## Title')" if re.fullmatch(r"h[1-6]", name) else ""
    raise AlmanacError(f"{where}: the HTML element <{name}> is not allowed: {why}{heading}; expected text, "
                       f"Markdown, or an element from the allowed list (see README, \"Bad input\").")


def _attributes(text: str) -> list[tuple[str, str | None]]:
    found = []
    for match in _ONE_ATTRIBUTE.finditer(text):
        if match.group(1):
            value = match.group(2)
            if value is not None and value[:1] in "\"'":
                value = value[1:-1]
            found.append((match.group(1).lower(), None if value is None else html.unescape(value)))
    return found


def _check_attributes(name: str, text: str, where: str) -> None:
    for attribute, value in _attributes(text):
        if attribute.startswith("on"):
            raise AlmanacError(f"{where}: the attribute {attribute!r} on <{name}> is an event handler, which is "
                               f"not allowed; pages carry no scripts.")
        if attribute not in _GLOBAL and attribute not in ATTRIBUTES.get(name, ()):
            allowed = sorted(_GLOBAL - {"markdown"} | ATTRIBUTES.get(name, set()))
            hint = " (styles belong to the theme's stylesheets)" if attribute == "style" else ""
            raise AlmanacError(f"{where}: the attribute {attribute!r} is not allowed on <{name}>{hint}; "
                               f"expected one of: {', '.join(allowed)}.")
        if attribute in URL_ATTRIBUTES and value:
            urls = [c.split()[0] for c in value.split(",") if c.strip()] if attribute == "srcset" else [value]
            for url in urls:
                check_url(url, where, f"{attribute} of <{name}>", image=name == "img")


def _second_opinion(tag: str, name: str, attributes: str, where: str) -> None:
    """nh3 with the same allowlist: an attribute it would still remove is refused as well."""
    # An HTML parser drops a table cell met outside a table: give each tag the context it lives in.
    cleaned = nh3.clean(_CONTEXT.get(name, "{}").format(tag), tags=ELEMENTS, attributes=_ALLOWED,
                        url_schemes=SCHEMES | {"data"}, link_rel=None, strip_comments=True)
    found = re.search(rf"<{name}\b[^>]*>", cleaned)
    kept = {attribute for attribute, _ in _attributes(_TAG.match(found.group(0)).group(3))} if found else set()
    for attribute, _ in _attributes(attributes):
        if attribute not in kept:
            raise AlmanacError(f"{where}: the attribute {attribute!r} on <{name}> does not pass the HTML sanitiser "
                               f"(its value is not allowed); expected a plain value or URL.")


_CONTEXT = {"td": "<table><tr>{}", "th": "<table><tr>{}", "tr": "<table>{}", "thead": "<table>{}",
            "tbody": "<table>{}", "tfoot": "<table>{}", "caption": "<table>{}", "colgroup": "<table>{}",
            "col": "<table><colgroup>{}", "li": "<ul>{}", "dt": "<dl>{}", "dd": "<dl>{}",
            "summary": "<details>{}", "figcaption": "<figure>{}"}


def _check_attr_lists(line: str, where: str) -> None:
    for block in _ATTR_LIST.finditer(line):
        for item in _ATTR_ITEM.finditer(block.group(1)):
            shorthand, key, value, other = item.groups()
            if shorthand:
                continue
            if other:
                raise AlmanacError(f"{where}: cannot read the attribute list {block.group(0)!r}; expected "
                                   f"'{{: #id .class key=\"value\" }}'.")
            key = key.lower()
            if key.startswith("on") or key not in ATTR_LIST_KEYS:
                raise AlmanacError(f"{where}: the attribute {key!r} in {block.group(0)!r} is not allowed; "
                                   f"expected #id, .class or one of: {', '.join(sorted(ATTR_LIST_KEYS))}.")


# --- SVG files ---------------------------------------------------------------------------------------------

_SVG_REFUSED = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "handler", "listener"}


_svg_checked: dict[str, bytes] = {}


def check_svg_file(path, shown: str) -> None:
    """`check_svg` on a file, once per content (every language pass sees the same files)."""
    import hashlib

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AlmanacError(f"{shown}: cannot read the file: {exc.strerror}.") from None
    digest = hashlib.sha256(data).digest()
    if _svg_checked.get(str(path)) != digest:
        check_svg(data, shown)
        _svg_checked[str(path)] = digest


def check_svg(data: bytes, shown: str) -> None:
    """Refuse an SVG file that could run code or load anything: no script, no event handler, no
    foreignObject, no reference or stylesheet outside the file itself (only '#id' references)."""
    from xml.etree import ElementTree

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AlmanacError(f"{shown}: not valid UTF-8; expected an SVG file saved as UTF-8.") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        # Entities can pull in other files or expand without bound; SVG needs neither.
        raise AlmanacError(f"{shown}, line {_line(text, re.search(r'<!(DOCTYPE|ENTITY)', text, re.I).start())}: "
                           f"a DOCTYPE or entity declaration is not allowed in an SVG file.")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise AlmanacError(f"{shown}, line {exc.position[0]}: not a well-formed SVG file ({exc.msg}).") from None
    lines = _element_lines(text)
    for index, element in enumerate(root.iter()):
        name = _local(element.tag).lower()
        line = lines[index] if index < len(lines) else 1
        where = f"{shown}, line {line}"
        if name in _SVG_REFUSED:
            raise AlmanacError(f"{where}: the SVG element <{_local(element.tag)}> is not allowed; an SVG file "
                               f"may carry shapes, text and styles, never scripts or embedded documents.")
        animated = _local(element.attrib.get("attributeName", "")).lower()
        if name in ("set", "animate", "animatetransform", "animatemotion") and (
                animated.startswith("on") or animated in ("href", "src", "style")):
            raise AlmanacError(f"{where}: the SVG <{_local(element.tag)}> animates {animated!r}, which is not allowed "
                               f"(it could turn into a script or a link elsewhere).")
        for attribute, value in element.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                raise AlmanacError(f"{where}: the SVG attribute {local!r} is an event handler, which is not allowed.")
            if local in ("href", "src") and not value.strip().startswith("#"):
                if not (name == "image" and IMAGE_DATA.match(value.strip())):
                    raise AlmanacError(f"{where}: the SVG <{_local(element.tag)}> refers to {_short(value)!r}; "
                                       f"expected a reference inside the file ('#id') or an embedded PNG or JPEG.")
            if "url(" in value.replace(" ", "") and not re.fullmatch(r"\s*url\(\s*['\"]?#[^)]*\)\s*", value):
                _check_css_urls(value, where)
        if name == "style" and element.text:
            _check_css_urls(element.text, where)


def _check_css_urls(css: str, where: str) -> None:
    if "@import" in css.lower():
        raise AlmanacError(f"{where}: @import is not allowed in an SVG file; it would load another file.")
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
        if not url.strip().startswith("#") and not IMAGE_DATA.match(url.strip()):
            raise AlmanacError(f"{where}: the SVG style refers to {_short(url)!r}; expected only references "
                               f"inside the file ('url(#id)').")


def _element_lines(text: str) -> list[int]:
    # ElementTree keeps no line numbers; its elements come in document order, as do these start tags.
    return [_line(text, m.start()) for m in re.finditer(r"<(?![/!?])", text)]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"
