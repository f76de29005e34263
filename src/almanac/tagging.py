"""Languages in a PDF's structure tree: text in another language than the document's says so to screen readers.

Reads: the rendered WeasyPrint document (its pages' boxes) and the PDF's structure tree, in a finisher,
after WeasyPrint has tagged the PDF. Writes: `/Lang` on structure elements, in memory.

WeasyPrint 70 writes `/Lang` on the catalogue only: a `lang` attribute inside the document does not
reach the structure tree. So here each block whose HTML element carries a language other than its
parent's gives that language to its structure element, which its descendants inherit (ISO 32000-1,
14.9.2): a chapter in the original language (`<article lang="ru">`), its entry in the contents
(`<li lang="ru">`), a title shown in the original language.

Boxes and structure elements are matched the way WeasyPrint makes them: each page on its own (a
block split over two pages is an element on each), the page's blocks in order, then its footnote
area, whose notes come from the page's chapter; below that, a block's children one to one, as long as
they are blocks and their tags agree. Where they do not (lines of text, tables, lists nested in an
item), the matching stops and the language is inherited from the block above: an inline `<span lang>`
is not marked.
"""

from __future__ import annotations

from .errors import AlmanacError


def finisher():
    """A finisher step that copies the blocks' `lang` into the structure tree."""

    def finish(document, pdf) -> None:
        if "StructTreeRoot" not in pdf.catalog:
            return
        objects = {obj.reference: obj for obj in pdf.objects if getattr(obj, "number", None) is not None}
        lang = str(document.metadata.lang or "")
        tops = _top_elements(pdf, objects)
        for number, page in enumerate(document.pages):
            elements = tops.get(pdf.page_references[number], [])
            blocks, notes = _blocks(page)
            if len(elements) != len(blocks) + len(notes):
                raise AlmanacError(f"page {number + 1}: {len(elements)} tagged elements for {len(blocks)} blocks "
                                   f"and {len(notes)} footnote area; cannot tell their languages")
            chapters = {_lang(box, lang) for box in blocks if box.element_tag == "article"}
            note_lang = chapters.pop() if len(chapters) == 1 else lang
            for element, box in zip(elements, blocks):
                _match(element, box, lang, objects)
            for element in elements[len(blocks):]:
                if note_lang != lang:
                    _set_lang(element, note_lang)

    return finish


def _top_elements(pdf, objects) -> dict[bytes, list]:
    """The structure elements directly under /Document, by the page they are on, in order."""
    root = objects[pdf.catalog["StructTreeRoot"]]
    document = objects[root["K"][0]]
    pages: dict[bytes, list] = {}
    for element in _kids(document, objects):
        pages.setdefault(element["Pg"], []).append(element)
    return pages


def _blocks(page) -> tuple[list, list]:
    """The boxes WeasyPrint tags at the top of a page: the body's children, and the footnote area if any."""
    from weasyprint.formatting_structure import boxes

    blocks, notes = [], []
    for child in page._page_box.children:
        if isinstance(child, boxes.MarginBox):
            continue   # running heads: not in the structure tree
        if isinstance(child, boxes.FootnoteAreaBox):
            notes.append(child)
            continue
        # The root (html) and the body are not tagged themselves: their children are.
        for body in child.children if child.element_tag == "html" else [child]:
            blocks += list(body.children) if body.element_tag == "body" else [body]
    return blocks, notes


def _match(element, box, inherited: str, objects) -> None:
    """Mark `element` with its box's language where it differs from `inherited`, then its children alike."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf.tags import _get_pdf_tag

    own = _lang(box, inherited)
    if own != inherited:
        _set_lang(element, own)
    children = getattr(box, "children", [])
    kids = _kids(element, objects)
    blocks = all(isinstance(child, boxes.BlockBox) and child.element is not None for child in children)
    if not children or not blocks or len(children) != len(kids):
        return
    if any(kid.get("S") != f"/{_get_pdf_tag(child.element_tag)}" for kid, child in zip(kids, children)):
        return
    for kid, child in zip(kids, children):
        _match(kid, child, own, objects)


def _kids(element, objects) -> list:
    """An element's child structure elements (not its marked content or annotations)."""
    import pydyf

    kids = element.get("K", [])
    found = [objects.get(kid) for kid in kids if isinstance(kid, bytes)]
    return [kid for kid in found if isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/StructElem"]


def _lang(box, default: str) -> str:
    return (box.element.get("lang") if box.element is not None else None) or default


def _set_lang(element, lang: str) -> None:
    import pydyf

    element["Lang"] = pydyf.String(lang)
