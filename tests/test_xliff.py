"""XLIFF 1.2 exchange files: `almanac export --format xliff` and `almanac import FILE.xlf`.

Every export is validated against OASIS's XLIFF 1.2 strict schema (tests/fixtures/xliff, with the
W3C schema of the xml: attributes it imports, resolved locally: nothing touches the network), read
with translate-toolkit as Weblate reads it, and imported back byte for byte. A changed XLIFF file is
refused as the PO file with the same change is: the import is the PO import.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from lxml import etree

from almanac import exchange, segments, translations, xliff
from tests.test_exchange import (CHAPTER, FOOTNOTES, TRANSLATED, _no_parent_repo, _stale_project, almanac,  # noqa: F401
                                 project)

SCHEMAS = Path(__file__).parent / "fixtures" / "xliff"
NS = {"x": xliff.NS}


class _LocalSchemas(etree.Resolver):
    """The XLIFF schema imports http://www.w3.org/2001/xml.xsd: the vendored copy answers."""

    def resolve(self, url, pubid, context):
        if url == "http://www.w3.org/2001/xml.xsd":
            return self.resolve_filename(str(SCHEMAS / "xml.xsd"), context)
        return None


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd"), parser))


@pytest.fixture
def exported(project) -> tuple[Path, Path]:
    """A chapter exported as XLIFF by the command line (translation, XLIFF file); the translation is put back."""
    target = project / "content" / f"{CHAPTER}.en.md"
    before = target.read_bytes()
    result = almanac("export", f"content/{CHAPTER}.md", "-l", "en", "--format", "xliff", "-o", "goal-1.en.xlf",
                     cwd=project)
    assert result.returncode == 0, result.stderr
    yield target, project / "goal-1.en.xlf"
    target.write_bytes(before)


def _current(project: Path, name: str) -> bool:
    source = project / "content" / (name.split(".")[0] + ".md")
    return translations.recorded_hash(project / "content" / name) == translations.source_hash(source)


@pytest.mark.parametrize("name", TRANSLATED)
def test_xliff_export_validates_and_imports_back_to_the_same_markdown(project, schema, name, tmp_path):
    target = project / "content" / name
    lang = name.split(".")[-2]
    source = target.with_name(name.split("/")[-1].split(".")[0] + ".md")
    if not _current(project, name):
        pytest.skip(f"{name} is stale in this working tree; the round trip is for current translations")
    before = target.read_bytes()
    result = xliff.export(project, source, lang)
    assert result.translated == result.segments and not result.review, result.note
    document = etree.fromstring(result.text.encode("utf-8"))
    assert schema.validate(document), schema.error_log
    # Inline codes, never placeholders as escaped text.
    texts = [t for e in document.iterfind(".//x:source", NS) for t in e.itertext()]
    texts += [t for e in document.iterfind(".//x:target", NS) for t in e.itertext()]
    assert not [t for t in texts if segments.PLACEHOLDER.search(t)]
    path = tmp_path / "x.xlf"
    path.write_text(result.text, encoding="utf-8")
    try:
        xliff.import_xliff(project, path)
        assert target.read_bytes() == before
    finally:
        target.write_bytes(before)


@pytest.mark.parametrize("name", [f"{CHAPTER}.en.md", f"{FOOTNOTES}.en.md", "kibhr-2015-2018/01-about.kk.md",
                                  f"{FOOTNOTES}.kk.md"])   # the last one not translated yet
def test_the_catalogue_read_back_is_the_po_catalogue(project, name):
    """XLIFF → catalogue gives the entries the PO export has, keys (msgctxt) included, whatever they are;
    a segment of codes only comes back translated as itself."""
    source = project / "content" / (name.split(".")[0] + ".md")
    po = exchange.export(project, source, name.split(".")[-2]).po
    result = xliff.export(project, source, name.split(".")[-2])
    back = xliff.catalogue(result.text.encode("utf-8"), "x.xlf", ["ru", "en", "kk"])
    assert back.metadata[exchange.SOURCE_HEADER] == po.metadata[exchange.SOURCE_HEADER]
    assert back.metadata[exchange.HASH_HEADER] == po.metadata[exchange.HASH_HEADER]
    fields = [(e.msgctxt, e.msgid, e.msgstr or ("" if segments.PLACEHOLDER.sub("", e.msgid).strip() else e.msgid),
               e.fuzzy, e.occurrences) for e in po]
    assert [(e.msgctxt, e.msgid, e.msgstr, e.fuzzy, e.occurrences) for e in back] == fields


@pytest.mark.parametrize("name", [CHAPTER, FOOTNOTES])
def test_inline_codes_carry_the_markup_they_stand_for(project, name):
    markdown = (project / "content" / f"{name}.md").read_text(encoding="utf-8")
    document = etree.fromstring(xliff.export(project, project / "content" / f"{name}.md", "en").text.encode())
    codes = document.findall(".//x:source//x:x", NS)
    pairs = document.findall(".//x:source//x:g", NS)
    assert codes or pairs
    for code in codes:
        assert code.get("equiv-text") in markdown, etree.tostring(code)
    simple = [p for p in pairs if not len(p) and "\n" not in (p.text or "")]
    assert codes or simple
    for pair in simple:   # a pair around plain text: the markup, its text in between, is in the chapter
        opening, closing = pair.get("equiv-text").split("…")
        assert f"{opening}{pair.text}{closing}" in markdown, etree.tostring(pair)
    kinds = {c.get("ctype") for c in codes} | {p.get("ctype") for p in pairs}
    assert kinds & {"bold", "x-marker", "x-footnote-ref"}, kinds
    # The target of each unit has the same codes as its source, as inline codes too.
    for unit in document.iterfind(".//x:trans-unit", NS):
        ids = sorted(c.get("id") for c in unit.find("x:source", NS).iter(f"{{{xliff.NS}}}x", f"{{{xliff.NS}}}g"))
        target = unit.find("x:target", NS)
        assert sorted(c.get("id") for c in target.iter(f"{{{xliff.NS}}}x", f"{{{xliff.NS}}}g")) == ids


@pytest.mark.parametrize("lang", ["en", "kk"])
def test_languages_are_the_sites_codes(project, lang):
    document = etree.fromstring(xliff.export(project, project / "content" / f"{FOOTNOTES}.md", lang).text.encode())
    file = document.find("x:file", NS)
    assert (file.get("source-language"), file.get("target-language")) == ("ru", lang)
    assert file.get("original") == f"content/{FOOTNOTES}.md"
    assert file.get("build-num") == translations.source_hash(project / "content" / f"{FOOTNOTES}.md")


def test_translate_toolkit_reads_the_units_and_their_codes(project, tmp_path):
    """translate-toolkit, which Weblate reads XLIFF with, sees every unit translated and the codes as placeables."""
    from translate.storage import factory
    from translate.storage.placeables import xliff as placeables

    result = xliff.export(project, project / "content" / f"{FOOTNOTES}.md", "en")
    path = tmp_path / "f.xlf"
    path.write_text(result.text, encoding="utf-8")
    store = factory.getobject(str(path))
    units = store.units
    assert len(units) == result.segments
    assert all(u.istranslated() and not u.isfuzzy() for u in units if u.istranslatable())
    # Units of codes only are not for translating, and say so.
    assert all(not u.source.strip() for u in units if not u.istranslatable())
    po = exchange.export(project, project / "content" / f"{FOOTNOTES}.md", "en").po
    for unit, entry in zip(units, po):
        found = [p for part in unit.rich_source for p in part.depth_first()
                 if isinstance(p, (placeables.X, placeables.G))]
        assert len(found) == len(segments.PLACEHOLDER.findall(entry.msgid)) - entry.msgid.count("</g"), entry.msgid
        assert "&lt;" not in unit.source and "<x" not in unit.source


def test_export_and_import_on_the_command_line(exported):
    target, path = exported
    project = path.parent
    assert path.read_text(encoding="utf-8").startswith("<?xml version='1.0' encoding='UTF-8'?>\n<xliff ")
    default = almanac("export", f"content/{CHAPTER}.md", "-l", "en", "--format", "xliff", cwd=project)
    assert default.returncode == 0 and "Wrote enpud-2022-2024.01-goal-1.en.xlf: " in default.stderr, default.stderr
    inferred = almanac("export", f"content/{CHAPTER}.md", "-l", "en", "-o", "by-name.xliff", cwd=project)
    assert inferred.returncode == 0, inferred.stderr
    assert etree.parse(str(project / "by-name.xliff")).getroot().tag == f"{{{xliff.NS}}}xliff"
    document = etree.parse(str(path))
    unit = document.find(".//x:trans-unit[x:target]", NS)
    target_element = unit.find("x:target", NS)
    target_element.text = (target_element.text or "") + "Revised: "
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = almanac("import", path.name, cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"Wrote content/{CHAPTER}.en.md (")
    assert "Revised: " in target.read_text(encoding="utf-8")


def _unit_with(document, tag: str):
    return next(u for u in document.iterfind(".//x:trans-unit", NS) if u.find(f"x:target//x:{tag}", NS) is not None)


def _change(case: str, document) -> dict:
    file = document.find("x:file", NS)
    if case == "another chapter":
        file.set("original", "content/enpud-2022-2024/02-goal-2.md")
        return {}
    if case == "not a chapter":
        file.set("original", "../../etc/passwd")
        return {}
    if case == "language not built":
        file.set("target-language", "de")
        return {}
    if case in ("code dropped", "code of another kind"):
        unit = _unit_with(document, "g")
        pair = unit.find("x:target//x:g", NS)
        if case == "code dropped":
            parent = pair.getparent()
            text = (pair.text or "") + (pair.tail or "")
            previous = pair.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + text
            else:
                parent.text = (parent.text or "") + text
            for child in pair:
                pair.addprevious(child)
            parent.remove(pair)
        else:
            pair.tag = f"{{{xliff.NS}}}x"
            pair.text = None
            for child in list(pair):
                pair.remove(child)
        return {"n": pair.get("id"), "line": unit.sourceline}
    if case == "unknown element":
        unit = _unit_with(document, "g")
        unit.find("x:target//x:g", NS).tag = f"{{{xliff.NS}}}bpt"
        return {"line": unit.sourceline}
    unit = document.find(".//x:trans-unit[x:target]", NS)
    target = unit.find("x:target", NS)
    target.text = (target.text or "") + {"added html": "<img src=x onerror=alert(1)> ",
                                         "javascript link": "[x](javascript:alert(1)) ",
                                         "added marker": '{{ value("x", "y") }} '}[case]
    return {"line": unit.sourceline}


@pytest.mark.parametrize("case, message", [
    ("another chapter", "made from another text than content/enpud-2022-2024/02-goal-2.md"),
    ("not a chapter", "<file original> '../../etc/passwd': not the path of a chapter"),
    ("language not built", "<file target-language> 'de': not a language this site is translated into"),
    ("code dropped", 'line {line}, segment '),
    ("code dropped", 'the placeholder <g id="{n}">…</g> is missing'),
    ("code of another kind", '<x id="{n}"/> is not a placeholder of the source'),
    ("unknown element", "<bpt id='"),
    ("added html", "the translation adds '<img src=x onerror=alert(1)>'"),
    ("javascript link", "the translation adds"),
    ("added marker", "the translation adds '{{"),
])
def test_a_bad_xliff_file_is_refused_with_one_line(exported, case, message):
    target, path = exported
    before = target.read_bytes()
    document = etree.parse(str(path))
    fill = _change(case, document)
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = almanac("import", path.name, cwd=path.parent)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path.name}"), result.stderr
    assert message.format(**fill) in lines[0], lines[0]
    assert target.read_bytes() == before


@pytest.mark.parametrize("case, message", [
    ("doctype", "line 1: a DOCTYPE; expected XLIFF 1.2 without one"),
    ("xliff 2.0", "expected an XLIFF 1.2 document"),
    ("not xml", "not a readable XLIFF file"),
    ("two files", "2 <file> elements; expected one"),
])
def test_a_file_that_is_not_our_xliff_is_refused_with_one_line(exported, case, message):
    target, path = exported
    before = target.read_bytes()
    text = path.read_text(encoding="utf-8")
    if case == "doctype":
        text = text.replace("<xliff ", '<!DOCTYPE xliff [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<xliff ', 1)
        text = text.replace("</target>", "&e;</target>", 1)
    elif case == "xliff 2.0":
        text = text.replace(xliff.NS, "urn:oasis:names:tc:xliff:document:2.0")
    elif case == "not xml":
        text = text.replace("</target>", "", 1)
    else:
        start, end = text.index("  <file "), text.index("</file>") + len("</file>\n")
        text = text[:end] + text[start:end] + text[end:]
    path.write_text(text, encoding="utf-8")
    result = almanac("import", path.name, cwd=path.parent)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path.name}") and message in lines[0], result.stderr
    assert "root:" not in result.stderr
    assert target.read_bytes() == before


# ---- the same outcome as the PO file with the same change ----------------------------------------------

def _mutate_po(po: polib.POFile, case: str) -> None:
    if case == "fuzzy":
        po[3].flags.append("fuzzy")
    elif case == "untranslated":
        po[3].msgstr = ""
    elif case == "missing":
        po.remove(po[4])


def _mutate_xliff(document, case: str) -> None:
    units = document.findall(".//x:trans-unit", NS)
    if case == "fuzzy":
        units[3].find("x:target", NS).set("state", "needs-translation")
        del units[3].attrib["approved"]
    elif case == "untranslated":
        units[3].remove(units[3].find("x:target", NS))
    elif case == "missing":
        units[4].getparent().remove(units[4])


def _outcome(project: Path, command: list[str], target: Path, before: bytes) -> tuple:
    result = almanac(*command, cwd=project)
    written = target.read_bytes()
    target.write_bytes(before)
    # The message without the file's name and line, in PO's terms.
    message = re.sub(r"^(Error: )?(same\.po|goal-1\.en\.xlf)(, line \d+)?(, |: )", "", result.stderr.strip(), flags=re.M)
    message = message.replace("<target>", "msgstr").replace("resname", "msgctxt")
    return result.returncode, len(result.stderr.strip().splitlines()), written, message


@pytest.mark.parametrize("case", ["fuzzy", "untranslated", "missing"])
def test_an_xliff_file_is_imported_as_the_same_po_file_would_be(exported, case):
    target, path = exported
    project = path.parent
    before = target.read_bytes()
    assert almanac("export", f"content/{CHAPTER}.md", "-l", "en", "-o", "same.po", cwd=project).returncode == 0
    po = polib.pofile(str(project / "same.po"))
    _mutate_po(po, case)
    po.save()
    document = etree.parse(str(path))
    _mutate_xliff(document, case)
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    as_po = _outcome(project, ["import", "same.po"], target, before)
    as_xliff = _outcome(project, ["import", path.name], target, before)
    assert as_xliff == as_po
    assert as_po[0] in (0, 1) and (as_po[0] == 0 or as_po[3]), as_po


def test_a_stale_translation_exports_fuzzy_units_with_their_previous_source(tmp_path):
    root = _stale_project(tmp_path / "p", history=True)
    result = almanac("export", "content/x/01-a.md", "-l", "en", "-o", "a.xlf", cwd=root, env=_no_parent_repo(root))
    assert result.returncode == 0 and "1 to review" in result.stderr, result.stderr
    document = etree.parse(str(root / "a.xlf"))
    units = document.findall(".//x:trans-unit", NS)
    fuzzy = [u for u in units if u.find("x:target", NS).get("state") == "needs-translation"]
    # The third segment changed: its key is what it says now (segments.keys), whatever form keys take.
    from almanac import segments

    third = segments.keys(segments.parse((root / "content/x/01-a.md").read_text(encoding="utf-8")))[2]
    assert [u.get("resname") for u in fuzzy] == [third]
    assert fuzzy[0].get("approved") is None
    assert fuzzy[0].find("x:note[@from='previous-source']", NS).text == "Во втором абзаце мы меняем одно слово."
    assert all(u.get("approved") == "yes" for u in units if u not in fuzzy)
    back = xliff.catalogue((root / "a.xlf").read_bytes(), "a.xlf", ["ru", "en"])
    assert [e.msgctxt for e in back if e.fuzzy] == [third]


def test_a_cat_tools_regional_language_and_segment_marks_are_read(exported):
    """memoQ and Trados may write target-language="en-US" and wrap targets in <mrk mtype="seg">."""
    target, path = exported
    before = target.read_bytes()
    document = etree.parse(str(path))
    document.find("x:file", NS).set("target-language", "en-US")
    for element in document.iterfind(".//x:target", NS):
        mark = etree.Element(f"{{{xliff.NS}}}mrk", mtype="seg", mid="1")
        mark.text, element.text = element.text, None
        for child in list(element):
            mark.append(child)
        element.append(mark)
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = almanac("import", path.name, cwd=path.parent)
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == before


def test_a_character_xml_cannot_carry_is_one_line_naming_the_place(tmp_path):
    root = _stale_project(tmp_path / "p", history=False)
    source = root / "content" / "x" / "01-a.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Первый абзац", "Первый\x0bабзац"), encoding="utf-8")
    result = almanac("export", "content/x/01-a.md", "-l", "en", "-o", "a.xlf", cwd=root, env=_no_parent_repo(root))
    assert result.returncode == 1 and not (root / "a.xlf").exists()
    assert result.stderr.strip() == ("Error: content/x/01-a.md, line 3: the control character U+000B, which XML "
                                     "cannot carry; expected text without control characters (remove it, or "
                                     "export as PO).")
