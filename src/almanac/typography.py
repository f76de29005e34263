"""Book typography for the PDF brochures: what CSS alone cannot do, done to the document's HTML.

Reads: the assembled brochure's HTML (`typeset`, called by `almanac.pdf.document_html`) and, in `settle`,
the pages WeasyPrint laid out from it. Writes nothing: it returns HTML, or the document laid out again.
Only the PDF changes; the website and the sources never do. Styles: overrides/print/typography.css.

`typeset`, before layout:
- quotes: straight double quotes become the language's («…» with „…“ inside in Russian and Kazakh,
  “…” with ‘…’ inside in English), by the language of the element holding the text, so a chapter given
  in its original language keeps its own; an apostrophe becomes ’. Never in code, preformatted text,
  web addresses or attributes;
- year ranges (2021–2024) never break, nor does a year part from its «г.», «гг.», «ж.», «жж.»;
- a note has no white space after its marker, which WeasyPrint 70 would break into a line of its own;
- a space before an inline element goes inside it: WeasyPrint 70 measures a text that fits its line
  with its trailing space, finds it too long, and hyphenates its first word onto a line of its own;
- tables of 6 body rows or fewer never split (`typo-keep`);
- a short first chapter (an introduction of a few lines) shares the contents page.

`settle`, after layout, mends what WeasyPrint placed badly and lays the document out again: a table
that runs onto the next page is cut there, the second part named "(continued)" in its repeated header;
a note moved past its call's page starts the paragraph that pushed it out on the next page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

# Text in these is set as it is written.
VERBATIM = {"code", "pre", "kbd", "samp", "script", "style", "svg", "math", "var", "tt", "title"}
# Quotes pair within one of these; they never run from one into the next.
BLOCKS = {"html", "body", "head", "article", "section", "nav", "header", "footer", "aside", "div", "p", "li", "ol",
          "ul", "dl", "dt", "dd", "blockquote", "figure", "figcaption", "table", "caption", "thead", "tbody",
          "tfoot", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "br"}
# Inline elements a preceding space may move into (never a footnote, whose content is the note).
INLINE = {"a", "strong", "em", "b", "i", "span", "abbr", "mark", "small", "cite", "q", "dfn", "s", "u", "sup", "sub"}

# Outer and inner quotes, opening and closing, per language; Russian's for any other Cyrillic language.
QUOTES = {"ru": ("«", "»", "„", "“"), "kk": ("«", "»", "„", "“"), "en": ("“", "”", "‘", "’")}
# Characters after which a quote opens.
OPENING_CONTEXT = set("([{«„“‘—–-/\u00a0")

# The blocks whose lines are set: where `settle` may start a new page.
PARAGRAPHS = ["p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "pre"]

KEEP_ROWS = 6           # a table with this many body rows or fewer is never split
SHORT_INTRODUCTION = 600  # characters of text: an introduction this short shares the contents page

_URL = re.compile(r"((?:https?://|www\.)[^\s\"«»<>]+)")
_YEARS = re.compile(r"(?<![\d.,])((?:1[89]|20)\d\d)(\s?[–—-]\s?)((?:1[89]|20)?\d\d)(?![\d.,]\d)")
_YEAR_ABBREVIATION = re.compile(r"(\d)[ \t\n]+(гг?\.|жж?\.)")
_PAGE_REFERENCE = re.compile(r"(?<!\w)(pp?|с|стр|б|бет)\.[ \t\n]+(?=\d)")


def typeset(html: str) -> str:
    """The brochure's HTML with book typography (see the module's docstring)."""
    soup = BeautifulSoup(html, "html.parser")
    _footnote_spaces(soup)
    _running_text(soup)
    _spaces_before_inlines(soup)
    _short_tables(soup)
    _introduction(soup)
    _number(soup)
    return str(soup)


def settle(html: str, render: Callable[[str], object], continued: dict[str, str], passes: int = 6):
    """Lay `html` (from `typeset`) out with `render` (HTML -> WeasyPrint document), mend what WeasyPrint
    placed badly, and lay it out again until nothing is left to mend. Returns the last document.

    - A table that runs onto the next page is cut there into two tables; the second starts that page,
      its first header row "<caption> (continued)" (`continued`: the word in each language; the table's
      own language is used), repeated on the pages it runs on to.
    - A note that WeasyPrint moved past its call's page, to fit one more line of a paragraph under its
      orphans rule (WeasyPrint 70, layout/block.py, `_linebox_layout`: it ignores `footnote-policy`
      there), is brought back by starting that paragraph on the next page, which is what the orphans
      rule does when there are no notes.
    A cut or a break changes nothing before it, so what is mended stays mended; each pass mends the
    first problem of each chapter (a chapter starts a page of its own, so chapters do not interact).

    Chapters are laid out the same alone as in the whole document (each starts a page; the page
    numbers, running heads and which side a page is on change no line), so the problems are first
    found and mended on a probe, only the chapters that can have any (those with a table that may split
    or with notes, and, for the notes' numbers, every chapter with notes): the whole document is then
    laid out once, and again only if something is still to mend there."""
    tried: set[str] = set()

    def mend(document) -> bool:
        nonlocal html
        problems = [problem for problem in _problems(document) if problem.table or problem.block not in tried]
        tried.update(problem.block for problem in problems)
        if problems:
            html = _mend(html, problems, continued)
        return bool(problems)

    for _ in range(passes):
        probe = _probe(html)
        if probe is None or not mend(render(probe)):
            break
    document = render(html)
    for _ in range(passes):
        if not mend(document):
            break
        document = render(html)
    return document


# Quotes, apostrophes, year ranges ------------------------------------------------------------------

def _running_text(soup: BeautifulSoup) -> None:
    """Quotes and year ranges in every text of the document, block by block."""
    for block in _text_blocks(soup):
        _quotes(block)
    for node in [node for block in _text_blocks(soup) for node in block]:
        _keep_years(node)


def _text_blocks(soup: BeautifulSoup) -> list[list[NavigableString]]:
    """The document's text nodes, grouped by the block that holds them; verbatim text left out."""
    blocks: list[list[NavigableString]] = []

    def walk(tag: Tag, current: list) -> None:
        for child in tag.children:
            if isinstance(child, Tag):
                if child.name in VERBATIM:
                    continue
                if child.name in BLOCKS:
                    inner: list = []
                    blocks.append(inner)
                    walk(child, inner)
                else:
                    walk(child, current)
            elif _is_text(child):
                current.append(child)

    top: list = []
    blocks.append(top)
    walk(soup, top)
    return [block for block in blocks if block]


def _is_text(node) -> bool:
    return isinstance(node, NavigableString) and not isinstance(
        node, (Comment, Declaration, Doctype, ProcessingInstruction))


def _language(node) -> str:
    for parent in node.parents:
        if isinstance(parent, Tag) and parent.get("lang"):
            return parent["lang"].split("-")[0].lower()
    return ""


def _is_url_text(node: NavigableString) -> bool:
    """A link whose text is its web address."""
    parent = node.parent
    return parent is not None and parent.name == "a" and bool(_URL.match(str(node).strip()))


def _quotes(block: list[NavigableString]) -> None:
    """Straight quotes to the language's, paired across the block's text nodes (a quote may open in one
    node and close in the next, around a link or emphasis). Only quotes that pair are changed: an
    unpaired one is kept as written (an editorial note may be quoting a stray quotation mark)."""
    texts = [str(node) for node in block]
    if not any('"' in text or "'" in text for text in texts):
        return
    joined = "".join(texts)
    masked = {at for match in _URL.finditer(joined) for at in range(match.start(), match.end())}
    events = []     # (position, quotes of its language, what it is)
    offset = 0
    for node, text in zip(block, texts):
        style = QUOTES.get(_language(node))
        if style is not None and not _is_url_text(node):
            for i, char in enumerate(text):
                at = offset + i
                if at in masked:
                    continue
                if char == '"':
                    events.append((at, style, _side(joined, at)))
                elif char == "'":
                    events.append((at, style, "apostrophe"))
                elif char in (style[0], style[2]) and char not in (style[1], style[3]):
                    events.append((at, style, "typographic open"))
                elif char in (style[1], style[3]) and char not in (style[0], style[2]):
                    events.append((at, style, "typographic close"))
        offset += len(text)
    out = list(joined)
    partner: dict[int, int] = {}
    pending: list[int] = []
    for at, _, side in events:
        if side == "open" or side == "either" and not pending:
            pending.append(at)
        elif side in ("close", "either") and pending:
            partner[pending.pop()] = at
    closes = {close: opening for opening, close in partner.items()}
    depth, levels = 0, {}
    for at, style, side in events:
        if side == "typographic open":
            depth += 1
        elif side == "typographic close":
            depth = max(0, depth - 1)
        elif side == "apostrophe":
            out[at] = _single_quote(joined[at - 1] if at else None, joined[at + 1:at + 2] or None, style)
        elif at in partner:
            levels[at] = depth
            out[at] = style[0] if depth % 2 == 0 else style[2]
            depth += 1
        elif at in closes:
            depth = max(0, depth - 1)
            out[at] = style[1] if levels[closes[at]] % 2 == 0 else style[3]
    offset = 0
    for node, text in zip(block, texts):
        new = "".join(out[offset:offset + len(text)])
        offset += len(text)
        if new != text:
            node.replace_with(NavigableString(new))


def _side(text: str, at: int) -> str:
    """Whether the straight quote at `at` opens ("open"), closes ("close"), may do either ("either": between
    two letters) or neither (between spaces)."""
    before = text[at - 1] if at else None
    after = text[at + 1] if at + 1 < len(text) else None
    opens = (before is None or before.isspace() or before in OPENING_CONTEXT) and after is not None \
        and not after.isspace()
    closes = before is not None and not before.isspace() and before not in OPENING_CONTEXT
    if opens:
        return "open"
    if closes:
        return "either" if after is not None and after.isalnum() else "close"
    return "neither"


def _single_quote(before: str | None, after: str | None, style: tuple) -> str:
    """An apostrophe (isn't, '90s) is ’ in every language; English also quotes inside quotes with ‘…’."""
    if before and after and before.isalpha() and after.isalnum() or after and after.isdigit():
        return "’"
    if style[2] != "‘":
        return "'"
    if (before is None or before.isspace() or before in OPENING_CONTEXT) and after and not after.isspace():
        return "‘"
    return "’" if before and not before.isspace() else "'"


def _keep_years(node: NavigableString) -> None:
    """2021–2024 in a no-wrap span, a year and its abbreviation, a page and its number, joined by a no-break
    space; web addresses left as they are."""
    if node.parent is None or _is_url_text(node):
        return
    lang = _language(node)
    pieces: list = []
    for index, part in enumerate(_URL.split(str(node)) if _URL.search(str(node)) else [str(node)]):
        if index % 2:   # a web address
            pieces.append(part)
            continue
        part = _PAGE_REFERENCE.sub("\\1.\u00a0", part)
        if lang in ("ru", "kk"):
            part = _YEAR_ABBREVIATION.sub("\\1\u00a0\\2", part)
        split = _YEARS.split(part)
        for at in range(0, len(split), 4):
            pieces.append(split[at])
            if at + 3 < len(split):
                span = Tag(name="span", attrs={"class": "typo-nowrap"})
                span.append(NavigableString("".join(split[at + 1:at + 4])))
                pieces.append(span)
    if len(pieces) == 1 and pieces[0] == str(node):
        return
    merged: list = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    node.replace_with(*[NavigableString(piece) if isinstance(piece, str) else piece for piece in merged if piece != ""])


# Footnotes and spaces --------------------------------------------------------------------------------

def _footnote_spaces(soup: BeautifulSoup) -> None:
    """No white space at either end of a note: after the marker it would end the marker's line."""
    for note in soup.select("span.fn"):
        for strip, order in ((str.lstrip, 1), (str.rstrip, -1)):
            for node in [node for node in note.descendants if _is_text(node)][::order]:
                stripped = strip(str(node))
                node.replace_with(NavigableString(stripped))
                if stripped:
                    break


def _spaces_before_inlines(soup: BeautifulSoup) -> None:
    """"word <a>link</a>" becomes "word<a> link</a>" (see the module's docstring). Before code, whose text
    is kept as written, and before a year range, whose span never wraps, the space gets a span of its own
    instead, so that the line may still break there."""
    for node in list(soup.find_all(string=True)):
        following = node.next_sibling
        if not (_is_text(node) and isinstance(following, Tag) and following.name in INLINE | VERBATIM):
            continue
        text = str(node)
        classes = following.get("class") or []
        if not text[-1:].isspace() or not text.strip() or "fn" in classes or following.name in BLOCKS:
            continue
        if any(parent.name in VERBATIM for parent in node.parents):
            continue
        first = following.contents[0] if following.contents else None
        if _is_text(first) and first[:1].isspace():
            continue
        node.replace_with(NavigableString(text.rstrip()))
        if following.name in VERBATIM or "typo-nowrap" in classes:
            space = Tag(name="span", attrs={"class": "typo-space"})
            space.append(NavigableString(" "))
            following.insert_before(space)
        elif _is_text(first):
            first.replace_with(NavigableString(" " + str(first)))
        else:
            following.insert(0, NavigableString(" "))


# Tables and the introduction -------------------------------------------------------------------------

def _short_tables(soup: BeautifulSoup) -> None:
    for table in soup.find_all("table"):
        if len(_body_rows(table)) <= KEEP_ROWS:
            table["class"] = [*(table.get("class") or []), "typo-keep"]


def _body_rows(table: Tag) -> list[Tag]:
    return [row for row in table.find_all("tr") if row.find_parent("table") is table and row.parent.name != "thead"]


def _introduction(soup: BeautifulSoup) -> None:
    """The first chapter shares the contents page when it is a few lines of text only."""
    toc = soup.find("nav", class_="toc")
    chapter = toc.find_next_sibling("article") if toc else None
    if chapter is None or chapter.find(["table", "figure", "img", "svg", "ul", "ol", "blockquote"]) \
            or chapter.select_one(".admonition, .almanac-chart, .almanac-indicators"):
        return
    heading = chapter.find("h1")
    text = chapter.get_text(" ", strip=True)
    if heading is not None:
        text = text.replace(heading.get_text(" ", strip=True), "", 1)
    if len(text) <= SHORT_INTRODUCTION:
        for tag in (toc, chapter):
            tag["class"] = [*(tag.get("class") or []), "typo-with-contents"]


# Mending the laid-out pages ---------------------------------------------------------------------------

@dataclass
class _Problem:
    """Something WeasyPrint placed badly, on `page` (0-based), in `chapter` (an article's id)."""

    chapter: str
    page: int
    table: str = ""                 # a table split across pages: its data-typo-table,
    row: int = 0                    # the body row that began the next page,
    widths: list[float] = field(default_factory=list)   # and the widths its columns had
    block: str = ""                 # a note moved past its call's page: the paragraph to start a page with


def _number(soup: BeautifulSoup) -> None:
    """Number what `settle` may have to find again in the laid-out pages: the tables that may split and
    their body rows (data-typo-table, data-typo-row), and the paragraphs (data-typo-block)."""
    for index, table in enumerate(soup.find_all("table")):
        if "typo-keep" in (table.get("class") or []):
            continue
        table["data-typo-table"] = str(index)
        for position, row in enumerate(_body_rows(table)):
            row["data-typo-row"] = str(position)
    for index, block in enumerate(soup.find_all(PARAGRAPHS)):
        block["data-typo-block"] = str(index)


def _problems(document) -> list[_Problem]:
    """The first problem of each chapter: what is mended there may move what follows in the chapter, but
    never what is in the next one, which starts a page of its own."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox, TableBox

    tables: dict[str, dict] = {}
    rows: dict[int, str] = {}        # id of a row element -> its table
    calls: dict[int, tuple[int, str]] = {}
    notes: dict[int, int] = {}
    blocks: list[list[tuple[str, str]]] = []
    for number, page in enumerate(document.pages):
        on_page: list[tuple[str, str]] = []
        for box, chapter in _boxes(page._page_box):
            element, tag = getattr(box, "element", None), getattr(box, "element_tag", None)
            if isinstance(box, FootnoteAreaBox):
                notes.update((id(note.element), number) for note in box.children if id(note.element) not in notes)
            if getattr(box, "footnote", None) is not None:
                calls.setdefault(id(box.footnote.element), (number, chapter))
            if element is None:
                continue
            if isinstance(box, TableBox) and element.get("data-typo-table") is not None:
                key = element.get("data-typo-table")
                if key not in tables:
                    tables[key] = {"chapter": chapter, "widths": list(box.column_widths), "rows": {}}
                    rows.update((id(row), key) for row in element.iter("tr"))
            elif tag == "tr" and id(element) in rows and element.get("data-typo-row") is not None:
                tables[rows[id(element)]]["rows"].setdefault(int(element.get("data-typo-row")), number)
            elif tag in PARAGRAPHS and element.get("data-typo-block") is not None:
                if not on_page or on_page[-1][0] != element.get("data-typo-block"):
                    on_page.append((element.get("data-typo-block"), chapter))
        blocks.append(on_page)
    found = []
    for key, table in tables.items():
        pages = table["rows"]
        first = pages[min(pages)] if pages else 0
        later = [row for row, page in pages.items() if page > first]
        if later:
            found.append(_Problem(table["chapter"], first, table=key, row=min(later), widths=table["widths"]))
    for note, page in notes.items():
        call, chapter = calls.get(note, (page, ""))
        if call < page < len(blocks):
            following = {block for block, _ in blocks[call + 1]}
            spanning = [block for block, _ in blocks[call] if block in following]
            if spanning:
                found.append(_Problem(chapter, call, block=spanning[-1]))
    first: dict[str, _Problem] = {}
    for problem in sorted(found, key=lambda problem: problem.page):
        first.setdefault(problem.chapter, problem)
    return list(first.values())


def _probe(html: str) -> str | None:
    """The document with only the chapters that may need mending (see `settle`); None if there are none."""
    soup = BeautifulSoup(html, "html.parser")
    chapters = soup.find_all("article", class_="chapter")
    wanted = [chapter for chapter in chapters
              if chapter.find("table", attrs={"data-typo-table": True}) or chapter.select_one("span.fn")]
    if not wanted:
        return None
    keep = {id(chapter) for chapter in wanted}
    contents = any("typo-with-contents" in (chapter.get("class") or []) for chapter in wanted)
    for tag in soup.body.find_all(recursive=False):
        if id(tag) not in keep and not (contents and tag.name == "nav"):
            tag.decompose()
    return str(soup)


def _boxes(page):
    """Every box of a page, with the id of the chapter (article) it is in."""
    stack = [(page, "")]
    while stack:
        box, chapter = stack.pop()
        if getattr(box, "element_tag", None) == "article" and box.element is not None:
            chapter = box.element.get("id", "")
        yield box, chapter
        stack.extend((child, chapter) for child in reversed(getattr(box, "children", None) or []))


def _mend(html: str, problems: list[_Problem], continued: dict[str, str]) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for problem in problems:
        if problem.table:
            _cut_table(soup, problem, continued)
        else:
            tag = soup.find(attrs={"data-typo-block": problem.block})
            tag["class"] = [*(tag.get("class") or []), "typo-new-page"]
    return str(soup)


def _cut_table(soup: BeautifulSoup, problem: _Problem, continued: dict[str, str]) -> None:
    """Cut a split table before the row that began the next page; both parts keep the columns the whole
    table had, so the first part ends where the table broke."""
    table = soup.find("table", attrs={"data-typo-table": problem.table})
    _fix_columns(soup, table, problem.widths)
    second = _continuation(soup, table, continued)
    body = second.find("tbody")
    for row in _body_rows(table)[problem.row:]:
        body.append(row.extract())
    for tag in (table, second):
        del tag["data-typo-table"]
    table.insert_after(second)


def _fix_columns(soup: BeautifulSoup, table: Tag, widths: list[float]) -> None:
    for group in table.find_all("colgroup", recursive=False):
        group.decompose()
    group = soup.new_tag("colgroup")
    for width in widths:
        group.append(soup.new_tag("col", attrs={"style": f"width: {width!r}px"}))
    caption = table.find("caption", recursive=False)
    if caption is not None:
        caption.insert_after(group)
    else:
        table.insert(0, group)
    table["style"] = "table-layout: fixed"


def _table_name(table: Tag) -> str:
    """What a table is called: its caption, else the heading it comes under."""
    caption = table.find("caption", recursive=False)
    if caption is not None:
        return caption.get_text(" ", strip=True)
    heading = table.find_previous(["h1", "h2", "h3", "h4", "h5", "h6"])
    return heading.get_text(" ", strip=True) if heading is not None else ""


def _continuation(soup: BeautifulSoup, table: Tag, continued: dict[str, str]) -> Tag:
    """An empty copy of `table` (its columns and header), on a new page, its first header row naming it."""
    attrs = {key: value for key, value in table.attrs.items() if key not in ("id", "class")}
    second = soup.new_tag("table", attrs=attrs)
    second["class"] = [*(table.get("class") or []), "typo-continued"]
    for part in table.find_all(["colgroup", "thead"], recursive=False):
        second.append(BeautifulSoup(str(part), "html.parser"))
    thead = second.find("thead")
    if thead is None:
        thead = soup.new_tag("thead")
        second.append(thead)
    columns = len(table.find("colgroup").find_all("col"))
    row = soup.new_tag("tr", attrs={"class": "typo-continued__label"})
    cell = soup.new_tag("th", attrs={"colspan": str(columns), "scope": "colgroup"})
    edition = soup.html.get("lang", "") if soup.html else ""
    label = continued.get(_language(table)) or continued.get(edition, "")
    cell.string = f"{_table_name(table)} {label}".strip()
    row.append(cell)
    thead.insert(0, row)
    second.append(soup.new_tag("tbody"))
    return second
