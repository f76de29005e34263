"""The fast preview of one publication in one language (`almanac serve --publication … --language …`).

This hook is listed only in the config that almanac.preview writes for such a preview
(.cache/preview/<slug>.<lang>/mkdocs.yml); a full build never loads it. There, the docs folder
holds only the publication, the language is built alone as a shard of the site (engine.shard),
and engine.project loads only the publication and the data its pages show. This hook does the rest.

Events:
- on_config (first of all): start the rebuild's clock; let the theme's templates be listed once
  per server, not once per rebuild (hooks/templates.py has them compiled once); no search index.
- on_pre_build (after every on_config): the navigation is the publication's chapters only.
- on_nav (before static-i18n's): the publication's index page is the preview's home page, so the
  logo leads to it and static-i18n finds a home page.
- on_page_markdown: a link to a page the preview does not build points to the published site.
- on_env: note the URLs this build writes.
- on_post_page: a link of the theme's to a page the preview does not build (the language switcher,
  a publication's overview) points to the published site as well.
- on_serve: poll for saves every tenth of a second, not every half second.
- on_post_build (last of all): say what was rebuilt and how long it took; the server's root and
  the language's root lead to the publication.

Reads: the preview's scope (engine.preview), the pages of this build. Writes: <site>/index.html and
<site>/<lang>/index.html (redirects to the publication), only where no page is.
"""

from __future__ import annotations

import logging
import re
import time
from html import escape, unescape
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from jinja2 import FileSystemLoader
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

import engine
from almanac import content, context, preview

log = logging.getLogger("mkdocs.hooks.preview")

# An <a> element's href, with any fragment (the query is left out: the site's pages take none).
_PAGE_LINK = re.compile(r'(<a\b[^>]*?\bhref=")([^"?]*)(")')

POLL_SECONDS = 0.1


class _Listed(FileSystemLoader):
    """The theme's folders as MkDocs' own loader reads them, except that the list of their files (MkDocs
    looks for static files among them at every build) is made once per server for the installed themes,
    not the project's overrides, and leaves out hidden folders, which MkDocs never copies ('.*' and
    '*/.*'): Material's icon set, 14,500 files, took half a second of every rebuild to list and filter."""

    def __init__(self, searchpath, custom_dir: str | None):
        super().__init__(searchpath)
        self.custom_dir = custom_dir

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for folder in self.searchpath:
            if folder not in _listed or folder == self.custom_dir:
                _listed[folder] = [name for name in FileSystemLoader(folder).list_templates()
                                   if not name.startswith(".") and "/." not in name]
            names.update(_listed[folder])
        return sorted(names)


class _State:
    """This rebuild's clock, its pages and its URLs (engine.state; every save is a new build)."""

    def __init__(self):
        self.started = self.cpu = 0.0
        self.pages = 0
        self.urls: set[str] = set()                # what this build writes, by URL
        self.home = ""                             # the URL of the publication's first page


# A cache for the life of the server, not build state: the theme's files are the same in every rebuild.
# An override's listing is made anew.
_listed: dict[str, list[str]] = {}   # the files of each installed theme's folder


# First of all: the rebuild starts here (MkDocs has loaded the config just before).
@event_priority(1000)
def on_config(config):
    state = _state(config)
    state.started, state.cpu = time.perf_counter(), time.process_time()
    # Every rebuild loads the theme anew; its templates are the same, and need not be listed again.
    theme, make_env = config.theme, config.theme.get_env

    def get_env():
        env = make_env()
        env.loader = _Listed(env.loader.searchpath, theme.custom_dir)
        return env

    theme.get_env = get_env
    # No search index: the preview's search would find only this publication, and indexing cost a
    # tenth of every rebuild. (Material then leaves the search box out of the header.)
    search = config.plugins.get("material/search")
    if search is not None:
        search.config.enabled = False
    return config


# After every on_config (hooks/publications.py lists every page of the library there).
@engine.reports_errors
def on_pre_build(config):
    pub = engine.project(config).by_slug[_scope(config).publication]
    config.nav = [{pub.slug: list(pub.chapters)}]


# Before static-i18n's on_nav (-100), which looks for the home page and warns when there is none.
@event_priority(-90)
def on_nav(nav, config, files):
    home = engine.project(config).by_slug[_scope(config).publication].chapters[0]
    nav.homepage = next((page for page in nav.pages if context.language_free(page.file.src_uri) == home),
                        nav.homepage)
    _state(config).home = nav.homepage.url if nav.homepage else ""
    return nav


def on_page_markdown(markdown, page, config, files):
    scope = _scope(config)
    in_scope = lambda src: files.get_file_from_path(src) is not None  # noqa: E731
    return content.replace_links(markdown, lambda target: preview.outside_link(
        scope, page.file.src_uri, target, in_scope, config.use_directory_urls))


def on_env(env, config, files):
    _state(config).urls = {file.url for file in files}
    return env


# Before hooks/csp.py (-1000), the last to touch a page: the theme's own links (the language switcher,
# a publication's overview) lead to pages the preview did not build, too.
@event_priority(-900)
def on_post_page(output, page, config):
    state = _state(config)
    state.pages += 1
    scope = _scope(config)
    here = urljoin("http://preview/", quote(page.url))

    def published(match: re.Match) -> str:
        target = urlsplit(urljoin(here, unescape(match.group(2))))
        path = unquote(target.path).lstrip("/")
        if target.netloc != "preview" or path in state.urls or not (path == "" or path.endswith(("/", ".html"))):
            return match.group(0)
        fragment = f"#{target.fragment}" if target.fragment else ""
        return f"{match.group(1)}{escape(urljoin(scope.site_url, quote(path)) + fragment)}{match.group(3)}"

    return _PAGE_LINK.sub(published, output)


def on_serve(server, config, builder):
    """Notice a save within a tenth of a second: MkDocs' watcher polls every half second, which would be
    half of the preview's second. It polls only this publication's folder and the few files it depends on."""
    # The server (hooks/server.py, as `mkdocs serve`) has watched these two already, with its observer; the
    # `watch:` paths come after this.
    engine.poll(server, [config.docs_dir, config.config_file_path], POLL_SECONDS)
    return server


# Last of all, after the hooks' own work at the end of the build.
@event_priority(-1000)
def on_post_build(config):
    scope = _scope(config)
    state = _state(config)
    site = Path(config.site_dir)
    for folder in {site, site / scope.prefix}:
        if state.home and not (folder / "index.html").exists():
            target = state.home[len(scope.prefix):] if folder != site else state.home
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "index.html").write_text(
                f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={escape(target)}">'
                f'<title>{escape(scope.publication)}</title><a href="{escape(target)}">{escape(target)}</a>\n',
                encoding="utf-8")
    # The figure to watch: from the start of the build to every page written (CPU: what a quiet machine takes).
    log.info(f"Preview of {scope.publication} ({scope.language}): {state.pages} page{'s' * (state.pages != 1)} "
             f"rebuilt in {time.perf_counter() - state.started:.2f} s ({time.process_time() - state.cpu:.2f} s of CPU)")


def _state(config) -> _State:
    return engine.state(config, "preview", _State)


def _scope(config) -> preview.Scope:
    scope = engine.preview(config)
    if scope is None:
        raise PluginError("hooks/preview.py belongs in the config of a preview only (almanac.preview.stage "
                          "writes it); remove it from the hooks of mkdocs.yml.")
    return scope
