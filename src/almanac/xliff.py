"""XLIFF 1.2 exchange files: the PO exchange (`exchange`) in the format CAT tools share.

Reads: what `exchange.export` reads (a chapter, its translation, mkdocs.yml); for an import, an XLIFF
file from outside the project, trusted no more than a PO file.
Writes: `export` returns the XLIFF text (the CLI writes it); `import_xliff` writes what
`exchange.import_catalogue` writes (the stamped translation) and nothing else.

Why XLIFF 1.2, not 2.0: it is the version every CAT tool a translation team is likely to use reads
and writes back. Weblate has read 1.2 for years (translate-toolkit's `xliff`, placeables included)
and marks its XLIFF 2.0 support "under development" (added in 5.15); OmegaT's own XLIFF filter
and the Okapi XLIFF filter of its plugin are 1.2 filters; Trados Studio and memoQ have long had 1.2
file types, and Crowdin reads both. 1.2's `<x/>` and `<g>` are also the codes the PO placeholders are named after
(`segments.protect`), and translate-toolkit's 1.2 reader and validators are mature, its 2.0 reader
new (2025).

A layer over the PO catalogue, never a second exporter: `export` converts the catalogue
`exchange.export` builds; `import_xliff` converts the file back into such a catalogue and hands it
to `exchange.import_catalogue`, so an XLIFF file passes exactly the checks a PO file passes and is
written the same way. The mapping, PO → XLIFF:

- the header's source and source digest → `<file original>` and `<file build-num>` (the version of
  the original), the language → `<file target-language>` (`ru`, `en`, `kk`, as mkdocs.yml names
  them), the header comment → a `<header>` note;
- an entry → a `<trans-unit>` whose `resname` is the entry's `msgctxt`, whatever the catalogue's keys
  are (its `id` is the same key, kept unique as XLIFF requires);
- a placeholder `<xN/>` → `<x id="N" equiv-text="the markup"/>`, a pair `<gN>…</gN>` → `<g id="N"
  ctype="bold|italic|link" equiv-text="opening…closing">…</g>`: inline codes a CAT tool shows as
  tags, never escaped text; on import the codes become the placeholders again and the markup comes
  from the source, as for PO, so an edited `equiv-text` changes nothing;
- fuzzy → `<target state="needs-translation">` (the state Weblate and translate-toolkit read as
  "needs editing"), the previous source → a note from `previous-source`, for the translator (an
  import does not need it); translated → `approved="yes"` with `state="translated"`; untranslated →
  no `<target>`; on import any `new` or `needs-…` state of a target is fuzzy;
- a segment of codes only (a footnote that is a URL) → `translate="no"`, its target the source: there
  is nothing in it to translate;
- extracted and translator comments → notes from `developer` and `translator` (placeholders named
  as the inline codes are); the references → a context group for their location (file and line).

On import `<mrk>` (a CAT tool's segment marks) are read through and a `target-language` with a
region a CAT tool added (`en-US`) is the site's `en`; any other element, a DOCTYPE or a second
`<file>` is refused with one line. Messages name the XLIFF file, the unit's line and the
segment, in XLIFF's terms.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path

import polib
from lxml import etree

from . import exchange, segments, status
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SUFFIXES = (".xlf", ".xliff")
_BLOCKS = {"xliff", "file", "header", "body", "trans-unit", "context-group"}
_FUZZY_STATES = {"new", "needs-translation", "needs-adaptation", "needs-l10n", "needs-review-translation",
                 "needs-review-adaptation", "needs-review-l10n"}
_PREVIOUS = "previous-source"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry
_PAIRS = {"**": "bold", "__": "bold", "*": "italic", "_": "italic", "[": "link"}
# What a single code stands for, as XLIFF 1.2's ctype says it (x- values are the extension the schema allows).
_KINDS = [("![", "image"), ("`", "x-code"), ("{{", "x-marker"), ("[^", "x-footnote-ref"),
          ("<!--", "x-html-comment"), ("<http", "x-autolink"), ("<mailto:", "x-autolink"), ("<", "x-html"),
          ("{", "x-attributes"), ("http", "x-url")]


def export(root: Path, source: Path, lang: str) -> exchange.Exported:
    """The XLIFF file of `source` for `lang`: `exchange.export`'s catalogue, converted."""
    exported = exchange.export(root, source, lang)
    return dataclasses.replace(exported, text=to_xliff(exported.po, exported.codes))


def import_xliff(root: Path, path: Path, config: Path | None = None) -> tuple[Path, int, str]:
    """Write the translation an XLIFF file holds, through the PO import; returns what `import_po` returns."""
    config = config or root / "mkdocs.yml"
    shown = path.name
    po = catalogue(path.read_bytes(), shown, status.project(config)[1])
    try:
        return exchange.import_catalogue(root, po, shown, config)
    except AlmanacError as exc:
        raise AlmanacError(_in_xliff_terms(str(exc))) from None


def to_xliff(po: polib.POFile, codes: list[dict]) -> str:
    """The XLIFF 1.2 document of a catalogue; `codes[i]` is the markup behind entry i's placeholders."""
    xliff = etree.Element(f"{{{NS}}}xliff", nsmap={None: NS}, version="1.2")
    file = etree.SubElement(xliff, _tag("file"), {
        "original": po.metadata.get(exchange.SOURCE_HEADER, ""), "source-language": DEFAULT_LANGUAGE,
        "target-language": po.metadata.get("Language", ""), "datatype": "x-markdown", "tool-id": "almanac"})
    if stamp := _xml_date(po.metadata.get("PO-Revision-Date", "")):
        file.set("date", stamp)
    if po.metadata.get(exchange.HASH_HEADER):
        file.set("build-num", po.metadata[exchange.HASH_HEADER])
    header = etree.SubElement(file, _tag("header"))
    etree.SubElement(header, _tag("tool"), {"tool-id": "almanac", "tool-name": "almanac export"})
    if po.header:
        etree.SubElement(header, _tag("note")).text = po.header.replace("<xN/> and <gN>…</gN> placeholder",
                                                                        "inline code (<x/> and <g>)")
    body = etree.SubElement(file, _tag("body"))
    used: set[str] = set()
    for number, entry in enumerate(po):
        _check_characters(entry)
        body.append(_unit(entry, codes[number] if number < len(codes) else {}, _unique(entry, number, used)))
    _indent(xliff)
    return etree.tostring(xliff, xml_declaration=True, encoding="UTF-8").decode("utf-8") + "\n"


def catalogue(data: bytes, shown: str, languages: list[str]) -> polib.POFile:
    """The PO catalogue an XLIFF file (from `to_xliff`, as a CAT tool saved it) holds; AlmanacError naming `shown`."""
    file = _file(data, shown)
    po = polib.POFile(wrapwidth=78)
    po.metadata = {exchange.SOURCE_HEADER: file.get("original", ""), "Language": _language(file, languages),
                   exchange.HASH_HEADER: file.get("build-num", "")}
    for unit in file.iter(_tag("trans-unit")):
        po.append(_entry(unit, shown))
    return po


# ---- PO entry -> trans-unit ------------------------------------------------------------------------------

def _unit(entry: polib.POEntry, pieces: dict, uid: str) -> etree._Element:
    unit = etree.Element(_tag("trans-unit"), {"id": uid, XML_SPACE: "preserve"})
    if entry.msgctxt is not None:
        unit.set("resname", entry.msgctxt)
    fuzzy = "fuzzy" in entry.flags
    msgstr = entry.msgstr
    if not segments.PLACEHOLDER.sub("", entry.msgid).strip():
        # Only codes (a footnote that is a URL): nothing to translate, and CAT tools would count it untranslated.
        unit.set("translate", "no")
        msgstr = msgstr or entry.msgid
    if msgstr and not fuzzy:
        unit.set("approved", "yes")
    _codes(etree.SubElement(unit, _tag("source")), entry.msgid, pieces)
    if msgstr:
        target = etree.SubElement(unit, _tag("target"), state="needs-translation" if fuzzy else "translated")
        _codes(target, msgstr, pieces)
    for origin, text in (("developer", entry.comment), ("translator", entry.tcomment),
                         (_PREVIOUS, entry.previous_msgid)):
        if text:
            etree.SubElement(unit, _tag("note"), {"from": origin, "annotates": "source" if origin == _PREVIOUS
                                                  else "general"}).text = _in_xliff_terms(text)
    for name, line in entry.occurrences:
        # Unnamed: the schema wants a context group's name unique in the whole <file>.
        group = etree.SubElement(unit, _tag("context-group"), purpose="location")
        etree.SubElement(group, _tag("context"), {"context-type": "sourcefile"}).text = name
        if line:
            etree.SubElement(group, _tag("context"), {"context-type": "linenumber"}).text = line
    return unit


def _check_characters(entry: polib.POEntry) -> None:
    for text in (entry.msgid, entry.msgstr, entry.previous_msgid or "", entry.tcomment or ""):
        if bad := _NOT_XML.search(text):
            where = ", line ".join(entry.occurrences[0]) if entry.occurrences else f"segment {entry.msgctxt}"
            raise AlmanacError(f"{where}: the control character U+{ord(bad.group(0)):04X}, which XML cannot carry; "
                               f"expected text without control characters (remove it, or export as PO).")


def _codes(element: etree._Element, text: str, pieces: dict) -> None:
    """`text` with its placeholders as inline codes, appended to `element`."""
    stack, position = [element], 0
    for m in segments.PLACEHOLDER.finditer(text):
        _append_text(stack[-1], text[position:m.start()])
        position = m.end()
        if m.group(1):
            markup = pieces.get(f"x{m.group(1)}")
            code = etree.SubElement(stack[-1], _tag("x"), id=m.group(1))
            if isinstance(markup, str):
                code.set("ctype", next((kind for start, kind in _KINDS if markup.startswith(start)), "x-markup"))
                code.set("equiv-text", markup)
        elif m.group(2):
            markup = pieces.get(f"g{m.group(2)}")
            code = etree.SubElement(stack[-1], _tag("g"), id=m.group(2))
            if isinstance(markup, tuple):
                code.set("ctype", _PAIRS.get(markup[0], "x-emphasis"))
                code.set("equiv-text", f"{markup[0]}…{markup[1]}")
            stack.append(code)
        elif len(stack) > 1 and stack[-1].get("id") == m.group(3):
            stack.pop()
        else:
            # A closing tag with nothing to close stays text: a catalogue only has balanced placeholders.
            _append_text(stack[-1], m.group(0))
    _append_text(stack[-1], text[position:])


def _append_text(element: etree._Element, text: str) -> None:
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _unique(entry: polib.POEntry, number: int, used: set[str]) -> str:
    uid = entry.msgctxt or f"u{number + 1}"
    while uid in used:
        uid += "+"
    used.add(uid)
    return uid


def _indent(element: etree._Element, level: int = 0) -> None:
    """Line breaks between structural elements only: whitespace inside a source or target is text."""
    if etree.QName(element).localname not in _BLOCKS or not len(element):
        return
    element.text = "\n" + "  " * (level + 1)
    for child in element:
        _indent(child, level + 1)
        child.tail = "\n" + "  " * (level + 1)
    element[-1].tail = "\n" + "  " * level


def _xml_date(po_date: str) -> str | None:
    try:
        moment = datetime.datetime.strptime(po_date, "%Y-%m-%d %H:%M%z")
    except ValueError:
        return None
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- XLIFF file -> PO entries ------------------------------------------------------------------------------

def _file(data: bytes, shown: str) -> etree._Element:
    """The one `<file>` of an XLIFF 1.2 document; AlmanacError for anything else."""
    # No DTD, no entities, no network: the file comes from outside the project.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        raise AlmanacError(f"{shown}, line {exc.lineno}: not a readable XLIFF file ({exc.msg}).") from None
    root = tree.getroot()
    if tree.docinfo.doctype:
        raise AlmanacError(f"{shown}, line 1: a DOCTYPE; expected XLIFF 1.2 without one, as 'almanac export' "
                           f"writes it.")
    if root.tag != _tag("xliff"):
        raise AlmanacError(f"{shown}, line {root.sourceline}: <{etree.QName(root).localname}> in namespace "
                           f"{etree.QName(root).namespace!r}; expected an XLIFF 1.2 document ({NS}), as "
                           f"'almanac export --format xliff' writes it.")
    files = root.findall(_tag("file"))
    if len(files) != 1:
        raise AlmanacError(f"{shown}: {len(files)} <file> elements; expected one, for one chapter.")
    return files[0]


def _language(file: etree._Element, languages: list[str]) -> str:
    """The target language; a region a CAT tool added ("en-US") is dropped when the site builds the language."""
    lang = file.get("target-language", "")
    primary = lang.split("-")[0].split("_")[0].lower()
    return primary if lang not in languages and primary in languages else lang


def _entry(unit: etree._Element, shown: str) -> polib.POEntry:
    where = f"unit {unit.get('id')!r}"
    source, target = unit.find(_tag("source")), unit.find(_tag("target"))
    if source is None:
        raise AlmanacError(f"{shown}, line {unit.sourceline}, {where}: no <source>; expected the unit as "
                           f"'almanac export' wrote it.")
    entry = polib.POEntry(msgctxt=unit.get("resname"), msgid=_placeholders(source, shown, where),
                          msgstr=_placeholders(target, shown, where) if target is not None else "")
    entry.linenum = unit.sourceline
    if target is not None and target.get("state") in _FUZZY_STATES and entry.msgstr.strip():
        entry.flags.append("fuzzy")
    notes = {note.get("from"): note.text or "" for note in unit.findall(_tag("note"))}
    entry.comment, entry.tcomment = notes.get("developer", ""), notes.get("translator", "")
    for group in unit.findall(_tag("context-group")):
        if group.get("purpose") == "location":
            found = {c.get("context-type"): c.text or "" for c in group.findall(_tag("context"))}
            entry.occurrences.append((found.get("sourcefile", ""), found.get("linenumber", "")))
    return entry


def _placeholders(element: etree._Element, shown: str, where: str) -> str:
    """The text of a source or target with its inline codes as the PO placeholders again."""
    out = [element.text or ""]
    for child in element:
        if child.tag is etree.Comment or child.tag is etree.PI:
            pass
        elif not isinstance(child.tag, str) or etree.QName(child).namespace != NS:
            name = child.tag if isinstance(child.tag, str) else f"&{child.text[1:-1] if child.text else ''};"
            raise AlmanacError(f"{shown}, line {child.sourceline}, {where}: {name} in "
                               f"<{etree.QName(element).localname}>; expected text and the "
                               f"source's inline codes only.")
        else:
            out.append(_code(child, shown, where))
        out.append(child.tail or "")
    return "".join(out)


def _code(child: etree._Element, shown: str, where: str) -> str:
    name, number = etree.QName(child).localname, child.get("id", "")
    if name == "mrk":
        return _placeholders(child, shown, where)
    if name not in ("x", "g") or not number.isdigit():
        code = f"<{name}{f' id={number!r}' if number else ''}>"
        raise AlmanacError(f"{shown}, line {child.sourceline}, {where}: {code} is not an inline code of the source; "
                           f"expected only the <x id=\"N\"/> and <g id=\"N\">…</g> codes of its <source>.")
    if name == "x":
        return f"<x{number}/>"
    return f"<g{number}>{_placeholders(child, shown, where)}</g{number}>"


def _in_xliff_terms(message: str) -> str:
    """A message of the PO import, in the XLIFF file's terms (its fields, its inline codes)."""
    for pattern, replacement in ((rf"header {exchange.SOURCE_HEADER}", "<file original>"),
                                 (rf"no {exchange.SOURCE_HEADER} header", "no <file original>"),
                                 (r"header Language", "<file target-language>"),
                                 (r"\bmsgctxt\b", "resname"), (r"\bmsgid\b", "<source>"),
                                 (r"\bmsgstr\b", "<target>"),
                                 (r"<x(\d+)/>", r'<x id="\1"/>'), (r"<g(\d+)>", r'<g id="\1">'),
                                 (r"</g(\d+)>", r"</g>")):
        message = re.sub(pattern, replacement, message)
    return message


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"
