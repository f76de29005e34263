"""A whole language at once: every chapter's PO file and the strings file in one folder, out and back in.

Reads: mkdocs.yml, every publication's chapters (through `exchange.export`), the strings
(`strings.export`), and for an import the PO files in a folder. Writes: `export_all` writes
`<slug>.<chapter>.<lang>.po` per chapter and `strings.<lang>.po` into the folder it is given (or, as
templates, `<slug>.<chapter>.pot` and `strings.pot`); `import_folder` writes what `exchange.import_po`
and `strings.import_strings` write.

A template (POT) is the export with every translation, flag and note removed: the file a CAT tool,
`msginit` or Weblate's "add new translation" starts a new language from (the language must then be
listed in mkdocs.yml's `plugins.i18n.languages` before its files can be imported).

A folder is imported file by file, each file all or nothing (as a single import is); the language
of every file must be the same, or nothing is imported. A chapter file without a single translation
is left out rather than refused, so that a folder from `export --all` can be imported while only some
chapters are translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polib

from . import exchange, memory, publications, status, strings
from .errors import AlmanacError


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)    # one line per file imported
    warnings: list[str] = field(default_factory=list)   # glossary findings, strings left out
    problems: list[str] = field(default_factory=list)   # one line per problem; its file wrote nothing
    skipped: list[str] = field(default_factory=list)


def export_all(config: Path, lang: str | None, folder: Path) -> list[str]:
    """Write every chapter's PO file and the strings file for `lang` (templates when None) into
    `folder`; one summary line per file."""
    root = config.parent
    docs_dir, languages, _ = status.project(config)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for publication in publications.load_all(root, docs_dir):
        for chapter in publication.chapters:
            source = docs_dir / chapter
            result = exchange.export(root, source, lang or languages[-1])
            text = result.text if lang else _template(result.text)
            name = f"{source.parent.name}.{source.stem}.{lang}.po" if lang else f"{source.parent.name}.{source.stem}.pot"
            (folder / name).write_text(text, encoding="utf-8")
            counts = f"{result.translated} translated, {result.review} to review" if lang else "template"
            lines.append(f"{name}: {result.segments} segments, {counts}")
    text, count, translated = strings.export(config, lang)
    name = f"{strings.FILE_STEM}.{lang}.po" if lang else f"{strings.FILE_STEM}.pot"
    (folder / name).write_text(text, encoding="utf-8")
    lines.append(f"{name}: {count} strings" + (f", {translated} translated" if lang else ", template"))
    return lines


def import_folder(config: Path, folder: Path) -> Outcome:
    """Import every PO file in `folder` (chapters and strings)."""
    root = config.parent
    outcome = Outcome()
    files = sorted(folder.glob("*.po"))
    if not files:
        raise AlmanacError(f"{folder.name}/: no .po files; expected a folder written by 'almanac export --all'.")
    read = {}
    for path in files:
        try:
            read[path] = polib.pofile(str(path))
        except (OSError, ValueError) as exc:
            outcome.problems.append(f"{path.name}: not a readable PO file ({exc}).")
    languages = {path: po.metadata.get("Language", "") for path, po in read.items()}
    if len(set(languages.values())) > 1:
        common = max(set(languages.values()), key=list(languages.values()).count)
        outcome.problems.extend(f"{path.name}, header Language {lang!r}: the other files here are in {common!r}; "
                                f"expected one language per folder." for path, lang in languages.items()
                                if lang != common)
    if outcome.problems:
        return outcome
    for path, po in read.items():
        try:
            if po.metadata.get(strings.SOURCE_HEADER) == strings.SOURCE:
                done = strings.import_strings(config, path)
                outcome.written.append(f"{path.name}: {done.changed} strings written to "
                                       f"{', '.join(done.written) or 'no file'}"
                                       f"{f', {done.skipped} untranslated or fuzzy left out' if done.skipped else ''}.")
                outcome.warnings.extend(done.notes)
            elif not any(entry.msgstr.strip() for entry in po):
                outcome.skipped.append(f"{path.name}: nothing translated; left out.")
                continue
            else:
                target, count, digest = exchange.import_po(root, path, config)
                shown = target.relative_to(root).as_posix() if target.is_relative_to(root) else str(target)
                outcome.written.append(f"{path.name}: wrote {shown} ({count} segments), source_hash {digest}.")
        except AlmanacError as exc:
            outcome.problems.extend(str(exc).split("\n"))
            continue
        outcome.warnings.extend(memory.po_findings(root, path, path.name))
    return outcome


def _template(text: str) -> str:
    po = polib.pofile(text)
    for key in ("Language", "Language-Team"):
        po.metadata[key] = ""
    po.metadata["Last-Translator"] = "FULL NAME <EMAIL@ADDRESS>"
    po.metadata["PO-Revision-Date"] = "YEAR-MO-DA HO:MI+ZONE"
    for entry in po:
        entry.msgstr, entry.tcomment, entry.previous_msgid = "", "", None
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    return str(po)
