"""`almanac`: the command line editors, translators and CI run (the make targets call it).

Reads: mkdocs.yml and the project beside it. Writes: what each subcommand says.

Bad usage exits with 2 and one line naming the problem (click's convention);
bad input in the project exits with 1 and one line naming the file and line.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import click

from .errors import AlmanacError

KINDS = ("strategic-plan", "annual-report", "brochure")


def _root(config: str) -> Path:
    path = Path(config).resolve()
    if not path.is_file():
        raise click.BadParameter(f"{config!r} is not a file; run from the project folder or give --config.",
                                 param_hint="'--config'")
    return path.parent


config_option = click.option("--config", "-f", default="mkdocs.yml", show_default=True, metavar="FILE",
                             help="The project's mkdocs.yml.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="almanac")
def main():
    """Almanac: multilingual publications as a website and print-ready PDFs."""


@main.command()
@config_option
@click.option("--site-dir", default="site", show_default=True, metavar="DIR", help="Where the site goes.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Publications and PDFs built at once, each worker a process of its own.  [default: the number of CPUs]")
@click.option("--shard", metavar="LANG", help="Build only this language, as a shard for 'almanac assemble'.")
@click.option("--shard-dir", default="shards", show_default=True, metavar="DIR",
              help="Where --shard puts its shard (DIR/LANG).")
def build(config, site_dir, jobs, shard, shard_dir):
    """Build the whole site and every PDF, strictly.

    Any warning fails the build. A failed or interrupted build leaves the
    previous site exactly as it was. Each publication is built, in all its
    languages, by one of the workers, and the site is put together from
    them; with --shard, one language is built for 'almanac assemble'."""
    from . import build as builder

    root = _root(config)
    if shard:
        target = (root / shard_dir).resolve()
        outcome = _guard(lambda: builder.run_shard(root, shard, target), config)
        if outcome.status:
            _fail_build(outcome.status, f"{shard_dir}/{shard}")
        click.echo(f"Built the {shard} shard in {shard_dir}/{shard}/: {outcome.summary()}. "
                   f"Assemble the site with 'almanac assemble'.", err=True)
        return
    outcome = _guard(lambda: builder.run(root, (root / site_dir).resolve(), jobs=jobs), config)
    if outcome.status:
        _fail_build(outcome.status, site_dir)
    click.echo(f"Built {site_dir}/: {outcome.summary()}. Open {site_dir}/index.html, or run 'make serve'.",
               err=True)


@main.command()
@config_option
@click.option("--shard-dir", default="shards", show_default=True, metavar="DIR",
              help="The shards, one folder per language, from 'almanac build --shard'.")
@click.option("--site-dir", default="site", show_default=True, metavar="DIR", help="Where the site goes.")
def assemble(config, shard_dir, site_dir):
    """Put the shards of every language together into the site, all or nothing."""
    from . import build as builder

    root = _root(config)
    shards = (root / shard_dir).resolve()
    if not shards.is_dir():
        raise click.BadParameter(f"{shard_dir!r} is not a folder.", param_hint="'--shard-dir'")
    outcome = _guard(lambda: builder.assemble(root, shards, (root / site_dir).resolve()), shard_dir)
    click.echo(f"Assembled {site_dir}/ from {shard_dir}/ in {outcome.seconds:.1f} s ({outcome.pdfs} PDFs).",
               err=True)


@main.command("print")
@config_option
@click.option("--out", default="site-print", show_default=True, metavar="DIR", help="Where the PDFs go.")
def print_edition(config, out):
    """Build the printer's edition: PDFs with 3 mm bleed and crop marks, strictly."""
    import shutil

    from . import build as builder

    root = _root(config)
    staging = root / ".site-print"
    outcome = builder.run(root, staging, print_edition=True)
    if outcome.status:
        _fail_build(outcome.status, out)
    target = (root / out).resolve()
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for pdf in sorted(staging.rglob("pdf/*.pdf")):
        shutil.copyfile(pdf, target / pdf.name)
    shutil.rmtree(staging, ignore_errors=True)
    click.echo(f"The printer's edition is in {out}/ ({len(list(target.glob('*.pdf')))} PDFs).", err=True)


@main.command()
@config_option
@click.option("--dev-addr", "-a", default="127.0.0.1:8000", show_default=True, metavar="IP:PORT")
@click.option("--publication", "-p", metavar="SLUG",
              help="Preview only this publication (a folder of content/): it rebuilds within a second.")
@click.option("--language", "-l", metavar="LANG", help="With --publication: its language [default: ru].")
def serve(config, dev_addr, publication, language):
    """Preview the site while you edit; it rebuilds on every save.

    Not strict: problems are shown in the terminal and on the page, and the
    preview carries on. A save that cannot be built leaves the last good pages
    on show, with a banner naming the file, the line and the problem; the next
    good save replaces them. PDFs are not rendered (the last built ones are offered).
    With --publication (and --language), only that publication in that language
    is built and watched, and links to the rest of the library lead to the
    published site; without, the whole site is."""
    root = _root(config)
    config_file = Path(config).resolve()
    from . import settings

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true", settings.STRICT: "false"}
    if publication or language:
        from . import preview

        if not publication:
            raise click.BadParameter("needs --publication: a preview is of one publication in one language.",
                                     param_hint="'--language'")
        try:
            scope = preview.scope(config_file, publication, language)
        except preview.ScopeError as exc:
            raise click.BadParameter(str(exc), param_hint=f"'{exc.option}'") from None
        except AlmanacError as exc:
            raise click.ClickException(str(exc)) from None
        config_file = _guard(lambda: preview.stage(scope), config)
        # The language is built alone, as one shard of the site (hooks/engine.py: shard).
        env[settings.SHARD] = scope.language
        click.echo(f"Previewing {scope.publication} in '{scope.language}' at http://{dev_addr}/ "
                   f"(it opens the publication).", err=True)
    os.chdir(root)
    # hooks/server.py is MkDocs' live-reload server that keeps serving the last good build while a save
    # cannot be built (`mkdocs serve` hangs then). -P: the hooks' folder stays off the import path.
    os.execvpe(sys.executable, [sys.executable, "-P", str(root / "hooks" / "server.py"), "--dev-addr", dev_addr,
                                "--config-file", str(config_file)], env)


@main.command()
@config_option
def status(config):
    """Show every publication's translation state in every language."""
    from . import status as report

    from . import memory

    root = _root(config)
    click.echo(_guard(lambda: report.report(root / Path(config).name), config))
    languages = _guard(lambda: report.languages(root / Path(config).name), config)
    for line in _guard(lambda: memory.findings(Path(config).resolve(), languages[1:]), config):
        click.echo(f"term: {line}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def stamp(files):
    """Record that translated FILES now match their source.

    Run it after translating or updating a file such as content/x/01-a.en.md."""
    from . import translations

    for name in files:
        path = Path(name)
        digest = _guard(lambda: translations.stamp(path.resolve(), path.resolve().parent), name)
        click.echo(f"{name}: source_hash {digest}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def diff(file):
    """Show what changed in the source of a translated FILE since it was stamped.

    A word-level diff of the Russian source, from the version in git the
    translation was stamped against to the file as it is now."""
    from . import history, translations

    path = Path(file).resolve()
    match = _guard(lambda: _translated_name(path), file)
    source = path.with_name(f"{match}.md")
    shown_source = Path(file).with_name(source.name).as_posix()
    stamped = _guard(lambda: translations.recorded_hash(path, file), file)
    if stamped is None:
        raise click.ClickException(f"{file}: no source_hash in its front matter; run 'make stamp FILES={file}' "
                                   f"once it translates {shown_source}.")
    current = _guard(lambda: translations.source_hash(source), shown_source)
    if stamped == current:
        click.echo(f"{file} is up to date: {shown_source} has not changed since it was stamped.")
        return
    version = _guard(lambda: history.stamped_version(source, stamped, shown_source), shown_source)
    text = _guard(lambda: translations.decode(source.read_bytes(), shown_source), shown_source)
    click.echo(f"{file} is stale: {shown_source} changed since commit {version.commit[:10]} ({version.date}), "
               f"the version it was translated from. Update it, then run 'make stamp FILES={file}'.")
    for line in history.word_diff(version.text, text, colour=sys.stdout.isatty()):
        click.echo(line)


@main.command()
@config_option
@click.argument("source", type=click.Path(exists=True, dir_okay=False), required=False)
@click.option("--language", "-l", metavar="LANG", help="The language to translate into, e.g. en.")
@click.option("--output", "-o", metavar="FILE",
              help="Where the file goes [default: <slug>.<chapter>.<LANG>.po, or .xlf, here]; with --all, a folder.")
@click.option("--format", "format_", type=click.Choice(["po", "xliff"]), default=None,
              help="PO (gettext) or XLIFF 1.2  [default: xliff for an --output ending in .xlf or .xliff, else po]")
@click.option("--all", "whole", is_flag=True,
              help="Every chapter and the strings file (titles, names, labels, units, interface) into folder -o.")
@click.option("--template", is_flag=True, help="With --all: POT templates that start a new language (no -l).")
def export(config, source, language, output, format_, whole, template):
    """Export a Russian chapter SOURCE as a PO or XLIFF file for a CAT tool.

    Existing translations are filled in; segments whose source changed since
    the translation was stamped are marked fuzzy. Import with 'almanac import'.
    With --all -l LANG -o DIR, every chapter and one strings.LANG.po go into DIR;
    with --all --template -o DIR, the same as POT templates for a new language."""
    from . import exchange, status as report, xliff

    root = _root(config)
    if whole or template:
        _export_all(config, source, language, output, template)
        return
    if not source or not language:
        raise click.UsageError("expected SOURCE and --language LANG, or --all with -l LANG (or --template) and -o DIR.")
    languages = _guard(lambda: report.project(root / Path(config).name)[1], config)
    if language not in languages or language == languages[0]:
        raise click.BadParameter(f"{language!r}: expected one of: {', '.join(languages[1:])}.",
                                 param_hint="'--language'")
    path = Path(source).resolve()
    if _guard(lambda: _translated_name(path, strict=False), source):
        raise click.BadParameter(f"{source!r} is a translation; expected its Russian source, e.g. "
                                 f"{Path(source).with_name(_translated_name(path, strict=False) + '.md')}.",
                                 param_hint="'SOURCE'")
    # Only a chapter of this project, so that whatever is exported can be imported again.
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    _guard(lambda: exchange.chapter(Path(config).resolve(), shown, source), source)
    if format_ is None:
        format_ = "xliff" if output and Path(output).suffix.lower() in xliff.SUFFIXES else "po"
    exporter = xliff.export if format_ == "xliff" else exchange.export
    result = _guard(lambda: exporter(root, path, language), source)
    target = Path(output or f"{path.parent.name}.{path.stem}.{language}.{'xlf' if format_ == 'xliff' else 'po'}")
    _guard(lambda: target.write_text(result.text, encoding="utf-8"), str(target))
    click.echo(f"Wrote {target}: {result.segments} segments, {result.translated} translated, "
               f"{result.review} to review.{' ' + result.note if result.note else ''}", err=True)


@main.command("import")
@config_option
@click.argument("file", type=click.Path(exists=True))
def import_(config, file):
    """Write the translation a PO or XLIFF FILE holds (from 'almanac export'), and stamp it.

    Segments are matched by their key (msgctxt), so a translator's copy merged
    into a new export with 'msgmerge' imports. An untranslated or fuzzy segment
    stays in the original: the page is then a partial translation (see
    'almanac status'). The file is refused, with one line for each problem,
    if a placeholder is broken or missing, a segment is missing, or the file
    was exported from another source or another version of it and not merged.
    Its header must name a chapter of this project and a language the site is
    translated into, and a translation may not add links, HTML, data markers or
    URLs that its source lacks; a refused file writes nothing. A FILE ending in
    .xlf or .xliff is read as XLIFF 1.2, any other as PO.

    FILE may also be a folder from 'almanac export --all' (every chapter and
    the strings file, one language) or a strings file: the strings go back into
    publication.yml, data/ and locales/, changing only that language's values.
    Terms of locales/glossary.yml a translation lacks are warnings."""
    from . import exchange, memory, status as report, xliff

    root = _root(config)
    if Path(file).is_dir() or _is_strings(file):
        _import_folder(config, file)
        return
    importer = xliff.import_xliff if Path(file).suffix.lower() in xliff.SUFFIXES else exchange.import_po
    try:
        done = _guard(lambda: importer(root, Path(file).resolve(), Path(config).resolve()), file)
    except click.ClickException as exc:
        # Every problem of the file at once, one line each.
        for line in exc.message.splitlines():
            click.echo(f"Error: {line}", err=True)
        raise click.exceptions.Exit(1) from None
    target, count, digest = done
    shown = target.relative_to(root).as_posix() if target.is_relative_to(root) else str(target)
    translated, fuzzy = getattr(done, "translated", count), getattr(done, "fuzzy", 0)
    left = count - translated
    partial = f"; {left} left in the original ({fuzzy} of them fuzzy)" if left else ""
    click.echo(f"Wrote {shown} ({translated} of {count} segments translated{partial}), "
               f"source_hash {digest}.", err=True)
    if importer is xliff.import_xliff:
        languages = _guard(lambda: report.project(root / Path(config).name)[1], config)
        read = _guard(lambda: xliff.catalogue(Path(file).read_bytes(), file, languages), file)
    else:
        read = Path(file)
    for line in _guard(lambda: memory.po_findings(root, read, file), file):
        click.echo(f"warning: {line}", err=True)


def _export_all(config, source, language, output, template) -> None:
    """export --all: every chapter and the strings, as PO files for LANG or as POT templates."""
    from . import bundle, status as report

    root = _root(config)
    if source:
        raise click.UsageError("--all exports every chapter; give no SOURCE.")
    if not output:
        raise click.UsageError("--all needs -o DIR, the folder the files go into.")
    if template == bool(language):
        raise click.UsageError("--all needs either -l LANG (PO files to translate) or --template (POT, no -l).")
    if language:
        languages = _guard(lambda: report.languages(root / Path(config).name, built=False), config)
        if language not in languages[1:]:
            raise click.BadParameter(f"{language!r}: expected one of: {', '.join(languages[1:])} (mkdocs.yml).",
                                     param_hint="'--language'")
    lines = _guard(lambda: bundle.export_all(Path(config).resolve(), language, Path(output)), output)
    for line in lines:
        click.echo(line, err=True)
    if template:
        click.echo(f"Wrote {len(lines)} POT templates into {output}/. Start a language with msginit or your CAT "
                   f"tool, list it in mkdocs.yml, then import the folder with 'almanac import DIR'.", err=True)
    else:
        click.echo(f"Wrote {len(lines)} PO files for '{language}' into {output}/. Import with "
                   f"'almanac import {output}'.", err=True)


def _import_folder(config, folder) -> None:
    """import DIR (or one strings file): every file's result, warning and problem, one line each."""
    import shutil
    import tempfile

    from . import bundle

    path = Path(folder)
    if path.is_dir():
        outcome = _guard(lambda: bundle.import_folder(Path(config).resolve(), path), folder)
    else:
        # One strings file: the folder import, on a folder holding just that file.
        with tempfile.TemporaryDirectory() as scratch:
            shutil.copy(path, Path(scratch) / path.name)
            outcome = _guard(lambda: bundle.import_folder(Path(config).resolve(), Path(scratch)), folder)
    for line in outcome.written + outcome.skipped:
        click.echo(line, err=True)
    for line in outcome.warnings:
        click.echo(f"warning: {line}", err=True)
    if outcome.problems:
        for line in outcome.problems:
            click.echo(f"Error: {line}", err=True)
        sys.exit(1)


def _is_strings(file: str) -> bool:
    """Whether a PO file is a strings file (its header says so)."""
    import polib

    from . import strings

    try:
        return polib.pofile(file).metadata.get(strings.SOURCE_HEADER) == strings.SOURCE
    except (OSError, ValueError):
        return False


@main.command()
@config_option
@click.option("--language", "-l", required=True, metavar="LANG", help="The language of the translations, e.g. en.")
@click.option("--output", "-o", required=True, metavar="FILE.tmx", help="Where the TMX file goes.")
def tm(config, language, output):
    """Write a translation memory (TMX 1.4b) of every current translation into LANG.

    Chapters' segments that are translated and not stale, and every translated
    string (titles, names, labels, units, interface); each distinct pair once."""
    from . import memory, status as report

    root = _root(config)
    languages = _guard(lambda: report.languages(root / Path(config).name, built=False), config)
    if language not in languages[1:]:
        raise click.BadParameter(f"{language!r}: expected one of: {', '.join(languages[1:])} (mkdocs.yml).",
                                 param_hint="'--language'")
    text, count = _guard(lambda: memory.tmx(Path(config).resolve(), language), config)
    _guard(lambda: Path(output).write_text(text, encoding="utf-8"), output)
    click.echo(f"Wrote {output}: {count} translation units, ru to {language}.", err=True)


def _translated_name(path: Path, strict: bool = True) -> str | None:
    """NAME of NAME.<lang>.md; AlmanacError (or None if not strict) for any other name."""
    import re

    from .locales import DEFAULT_LANGUAGE

    match = re.fullmatch(r"(.+)\.([a-z]{2,3})\.md", path.name)
    if match and match.group(2) != DEFAULT_LANGUAGE:
        return match.group(1)
    if strict:
        raise AlmanacError(f"{path.name}: not a translated file; expected NAME.<lang>.md, e.g. 01-introduction.en.md.")
    return None


@main.command()
@config_option
@click.option("--slug", required=True, help="Folder and URL name, e.g. inpud-2030-2034.")
@click.option("--organisation", "--org", required=True, help="A key of data/organisations.yml.")
@click.option("--title", required=True, help="The title in Russian.")
@click.option("--kind", type=click.Choice(KINDS), default="strategic-plan", show_default=True)
@click.option("--start", type=int, default=lambda: datetime.date.today().year, help="First year of the period.")
@click.option("--end", type=int, default=lambda: datetime.date.today().year, help="Last year of the period.")
def new(config, slug, organisation, title, kind, start, end):
    """Scaffold a publication: metadata, index, a first chapter, notes and a data file."""
    import unicodedata

    from . import scaffold
    from .publications import load_organisations

    root = _root(config)
    if not title.strip() or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in title):
        raise click.BadParameter(f"{title!r}: expected the title on one line, without control characters.",
                                 param_hint="'--title'")
    if not scaffold.SLUG.fullmatch(slug):
        raise click.BadParameter(f"{slug!r}: expected lowercase words and digits joined by '-', e.g. inpud-2030-2034.",
                                 param_hint="'--slug'")
    organisations = _guard(lambda: load_organisations(root), config)
    if organisation not in organisations:
        raise click.BadParameter(f"{organisation!r}: expected one of: {', '.join(organisations)} "
                                 f"(data/organisations.yml).", param_hint="'--organisation'")
    if start > end:
        raise click.BadParameter(f"{start} is after --end {end}.", param_hint="'--start'")
    written = _guard(lambda: scaffold.create(root, slug, organisation, title, kind, start, end), config)
    click.echo(f"Created {', '.join(written)}. Preview with 'make serve'.")


def _guard(action, shown: str):
    """Run `action`; bad input in the project becomes one line and exit status 1."""
    try:
        return action()
    except AlmanacError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        # The file the system refused, not the file the command was about (a read-only site/, a full disk).
        from .errors import os_problem, shown_path

        where = shown_path(exc.filename, Path.cwd()) if exc.filename else shown
        raise click.ClickException(f"{where}: {os_problem(exc.errno, exc.strerror)}.") from None


def _fail_build(status: int, site_dir: str) -> None:
    if status > 128:
        click.echo(f"The build was interrupted; {site_dir}/ was left as it was.", err=True)
    else:
        click.echo(f"The build failed; {site_dir}/ was left as it was.", err=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
