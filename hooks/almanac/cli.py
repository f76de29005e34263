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
def build(config, site_dir):
    """Build the whole site and every PDF, strictly.

    Any warning fails the build. A failed or interrupted build leaves the
    previous site exactly as it was."""
    from . import build as builder

    root = _root(config)
    outcome = builder.run(root, (root / site_dir).resolve())
    if outcome.status:
        _fail_build(outcome.status, site_dir)
    click.echo(f"Built {site_dir}/ in {outcome.seconds:.0f} s ({outcome.pdfs} PDFs). "
               f"Open {site_dir}/index.html, or run 'make serve'.", err=True)


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
def serve(config, dev_addr):
    """Preview the site while you edit; it rebuilds on every save.

    Not strict: problems are shown in the terminal and on the page, and the
    preview carries on. PDFs are not rendered (the last built ones are offered)."""
    root = _root(config)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true", "ALMANAC_STRICT": "false"}
    os.chdir(root)
    os.execvpe(sys.executable, [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dev-addr", dev_addr,
                                "--config-file", str(Path(config).resolve())], env)


@main.command()
@config_option
def status(config):
    """Show every publication's translation state in every language."""
    from . import status as report

    root = _root(config)
    click.echo(_guard(lambda: report.report(root / Path(config).name), config))


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
@config_option
@click.option("--slug", required=True, help="Folder and URL name, e.g. inpud-2030-2034.")
@click.option("--organisation", "--org", required=True, help="A key of data/organisations.yml.")
@click.option("--title", required=True, help="The title in Russian.")
@click.option("--kind", type=click.Choice(KINDS), default="strategic-plan", show_default=True)
@click.option("--start", type=int, default=lambda: datetime.date.today().year, help="First year of the period.")
@click.option("--end", type=int, default=lambda: datetime.date.today().year, help="Last year of the period.")
def new(config, slug, organisation, title, kind, start, end):
    """Scaffold a publication: metadata, index, a first chapter, notes and a data file."""
    from . import scaffold
    from .publications import load_organisations

    root = _root(config)
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
        raise click.ClickException(f"{shown}: {exc.strerror or exc}.") from None


def _fail_build(status: int, site_dir: str) -> None:
    if status > 128:
        click.echo(f"The build was interrupted; {site_dir}/ was left as it was.", err=True)
    else:
        click.echo(f"The build failed; {site_dir}/ was left as it was.", err=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
