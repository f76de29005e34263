"""The live preview's server: `almanac serve` runs this program (it is not a hook; no config lists it).

`mkdocs serve` builds into the folder it serves, after cleaning it, and once a build has failed every
request waits for a good one: the browser spins until the file is fixed, and a failed first build stops
the server. This is MkDocs' own server (LiveReloadServer: its file serving, live reload and watcher) with
another way of building:

- Each build goes to a fresh folder (almanac.serving.Stages). A good build is published by pointing the
  server at it; a failed one is thrown away. Requests never wait for a build: they get the last good
  pages at once, and the browser reloads when a build ends, good or failed. (A fresh folder also needs no
  cleaning: static-i18n replaces MkDocs' `clean_directory` while it builds the other languages, and a
  failed language pass leaves it replaced.)
- While the last save has a fatal problem, every HTML page served carries a banner that names it (the
  one line the build printed: the file, the line, the problem); with no good build yet, every request
  gets a page that says so. A failed first build does not stop the server.
- The whole-site preview watches what the scoped one watches (almanac.preview.stage): the docs folder,
  mkdocs.yml, data/, locales/ and the theme's custom_dir. A scoped preview's config lists its own.
- A taken port is one line naming the address.

MkDocs 1.6, the last 1.x, has no public way to serve one folder while building another: this subclass
replaces LiveReloadServer's `serve` and build loop, and keeps its two epochs (`_wanted_epoch`, the build
being made; `_visible_epoch`, the one served) equal, under `_epoch_cond`, since a request waits while they
differ. The rest is MkDocs' public API: `load_config`, `build`, the plugins' startup, serve and shutdown
events, `serve_request`, `watch`.

Reads: the config given (`--config-file`) and the project. Writes: the builds, in a temporary folder
removed when the server stops.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler

import click
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import BuildError, MkDocsException
from mkdocs.livereload import LiveReloadServer

from almanac import assembly
from almanac import build as building
from almanac import context, preview, progress, serving, settings, workers
from almanac import units as unitmodule
from almanac.errors import AlmanacError
from almanac.locales import DEFAULT_LANGUAGE

log = logging.getLogger("mkdocs.hooks.server")


@click.command()
@click.option("--config-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--dev-addr", required=True, metavar="IP:PORT")
def main(config_file: str, dev_addr: str) -> None:
    """Serve a live preview of the site that CONFIG_FILE describes, at DEV_ADDR."""
    _log_to_terminal()
    # `kill` stops the server as Ctrl-C does, so that its builds are removed.
    signal.signal(signal.SIGTERM, _interrupt)
    config = load_config(config_file=config_file, dev_addr=dev_addr)
    scope = preview.Scope.from_extra((config.extra or {}).get(preview.EXTRA_KEY))
    root = Path(scope.root) if scope else Path(config.config_file_path).resolve().parent
    # The whole site is built unit by unit, as `almanac build` builds it (almanac.build), and its folders are
    # made beside the units' outputs, whose files they link.
    stages = serving.Stages(None if scope else context.cache_dir(root, "serve"))
    units = None if scope else _Units(root)
    try:
        _serve(config_file, dev_addr, stages, units)
    finally:
        stages.close()
        if units is not None:
            units.pool.stop()


class _Units:
    """The whole site as the preview builds it: unit by unit, not strict, on workers kept for every save."""

    def __init__(self, root: Path):
        self.root = root
        self.env = {**os.environ, "NO_MKDOCS_2_WARNING": "true", settings.STRICT: "false",
                    unitmodule.COMMAND: "serve"}
        # Ticks every 0.1 s: a newer save is noticed that soon while the library builds (build's `newer`).
        self.pool = workers.Pool(os.cpu_count() or 1, root, self.env, tick=0.1)
        self.served: Path | None = None     # the folder served, and the units' outputs assembled into it
        self.outputs: dict[str, Path] = {}

    def build(self, site: Path, publish=None, newer=None) -> None:
        """Build the units a save changed, and assemble the site into `site`; a problem raises BuildError.

        The library (home, catalogue, status) reads every publication and takes longest: once the edited
        publications are built, `publish(folder)` is given a site with the library as it was, so that the page
        being edited shows the save at once; the library follows in `site`. If `newer()` says another save
        came while only the library was left, the library is given up (building.Abandoned): that save's
        publication is built at once, and the library follows whenever saves leave it time."""
        errors: list[str] = []
        started = time.perf_counter()

        def say(line: str) -> None:
            print(line, file=sys.stderr, flush=True)
            if line.startswith(("ERROR", "WARNING")):
                errors.append(line)

        try:
            plan = building.plan_units(self.root, self.env)
            names = building.unit_names(plan)
            shown = progress.Progress(list(names.values()), say, label="Units")
            library = next(unit for unit in plan.units if unit.library)
            pending = set(plan.jobs)

            published = []

            def built(name: str) -> None:
                pending.discard(name)
                if publish is None or pending != {library.name} or self.served is None or not self.served.is_dir():
                    return
                # The edited publications' files replace theirs in the folder served, at once; the library
                # and the search indexes follow with the whole site.
                for unit in plan.units:
                    output = unit.output(plan.fingerprints[unit.name])
                    if unit.name in plan.jobs and not unit.library and self.outputs.get(unit.name) not in (None, output):
                        assembly.replace_unit(self.served, self.outputs[unit.name], output)
                        self.outputs[unit.name] = output
                publish(self.served)
                published.append(name)

            def abandon() -> bool:
                return bool(published) and newer is not None and newer()

            if building.build_units(plan, self.pool, shown, building._Lines(shown, self.root), names, built,
                                    abandon):
                # The errors, else the warnings of a build that is strict after all (mkdocs.yml's `strict: true`).
                problems = [line for line in errors if line.startswith("ERROR")] or errors
                raise BuildError("\n".join(line.split("-  ", 1)[-1] for line in problems)
                                 or "A unit of the site could not be built.")
            site.rmdir()

            def interrupt() -> None:
                if abandon():
                    raise building.Abandoned()

            building.assemble_units(self.root, plan, site, hosting_files=False, interrupt=interrupt)
            self.served, self.outputs = site, {unit.name: output for unit, output in plan.outputs()}
            # MkDocs' own last line of a build, which editors (and the tests) know.
            log.info(f"Documentation built in {time.perf_counter() - started:.2f} seconds "
                     f"({len(plan.jobs)} of {len(plan.units)} units built)")
        except AlmanacError as exc:
            raise BuildError(str(exc)) from None


def _serve(config_file: str, dev_addr: str, stages: serving.Stages, units: "_Units | None" = None) -> None:
    first = stages.new()
    config = load_config(config_file=config_file, site_dir=str(first), dev_addr=dev_addr)
    host, port = config.dev_addr
    scope = preview.Scope.from_extra((config.extra or {}).get(preview.EXTRA_KEY))
    root = Path(scope.root) if scope else Path(config.config_file_path).resolve().parent

    def load(site: Path):
        fresh = load_config(config_file=config_file, site_dir=str(site), dev_addr=dev_addr)
        fresh.site_url = server.url
        return fresh

    server = PreviewServer(load, host, port, urlsplit(config.site_url or "/").path, stages,
                           serving.Labels(root), scope.language if scope else DEFAULT_LANGUAGE, units)
    server.open(dev_addr)
    config.site_url = server.url
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        # As `mkdocs serve` does, then what a whole-site build reads besides (a scoped config lists its own).
        server.watch(config.docs_dir)
        server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=server.rebuild)
        for path in [*config.watch, *([] if scope else serving.watched(root, config.theme.custom_dir))]:
            server.watch(str(path))
        try:
            server.serve(first=(config, first))
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server, serving the last good build while the next one is made."""

    def __init__(self, load, host: str, port: int, mount_path: str, stages: serving.Stages,
                 labels: serving.Labels, language: str, units: "_Units | None" = None):
        super().__init__(builder=self.rebuild, host=host, port=port, root=str(stages.empty), mount_path=mount_path)
        self.load, self.stages, self.labels, self.language = load, stages, labels, language
        self.units = units                 # the whole site's units, or None: MkDocs builds the scoped preview
        self.site: Path | None = None      # the last good build, served
        self.problem: str | None = None    # what stopped the last build
        self.stylesheet = self.mount_path + serving.STYLESHEET_PATH
        self.errors = _Errors()
        logging.getLogger("mkdocs").addHandler(self.errors)
        self.set_app(self._answer)
        self.RequestHandlerClass = _Requests
        self.error_handler = self._error_page

    def open(self, address: str) -> None:
        """Take the address now, before any build: a taken port is one line, not a traceback after a build."""
        try:
            self.server_bind()
            self.server_activate()
        except OSError as exc:
            self.server_close()
            raise click.ClickException(_unavailable(address, exc)) from None

    def serve(self, *, first=None) -> None:
        """Answer requests at once, then build (`first`: the config and folder of the first build) and
        rebuild after every change. The address is taken by `open`."""
        if self._watched_paths:
            self.observer.start()
            log.info(f"Watching paths for changes: {', '.join(_shown(path) for path in self._watched_paths)}")
        log.info(f"Serving on {self.url}")
        self.serve_thread.start()
        self.rebuild(*(first or ()))
        self._build_loop()

    def rebuild(self, config=None, site: Path | None = None) -> None:
        """Build into a fresh folder; publish it if the build succeeded, else keep the last good one and
        show the problem. Either way the browsers reload."""
        site = site or self.stages.new()
        self.errors.messages.clear()
        log.info("Building documentation...")
        try:
            if self.units is not None:
                self.units.stages_new = self.stages.new
                self.units.build(site, lambda early: self._show(early, None), lambda: self._want_rebuild)
            else:
                build(config or self.load(site), serve_url=self.url, dirty=False)
        except building.Abandoned:
            self.stages.discard(site)
            log.info("The library waits for the next save: the edited pages are shown.")
            return
        except Exception as exc:  # the build's problem is shown on every page; the server carries on
            self.stages.discard(site)
            problem = self._problem(exc)
            kept = "the last good pages, with the problem on them," if self.site else "a page naming the problem"
            log.info(f"The preview shows {kept} until a save fixes it.")
            self._show(None, problem)
            return
        self._show(site, None)

    def _build_loop(self) -> None:
        # LiveReloadServer's loop, except that a request never waits for the build (the epochs stay equal
        # until it ends) and a failed build ends like a good one, with the browsers reloading.
        while True:
            with self._rebuild_cond:
                while not self._rebuild_cond.wait_for(lambda: self._want_rebuild or self._shutdown,
                                                      timeout=self.shutdown_delay):
                    pass  # wakes up now and then, so that Ctrl-C is noticed
                if self._shutdown:
                    break
                log.info("Detected file changes")
                while self._rebuild_cond.wait(timeout=self.build_delay):
                    log.debug("Waiting for file changes to stop happening")
                self._want_rebuild = False
            self.rebuild()

    def _show(self, site: Path | None, problem: str | None) -> None:
        with self._epoch_cond:
            if site is not None:
                self.site, self.root = site, str(site)
            self.problem = problem
            self._visible_epoch = self._wanted_epoch = max(round(time.monotonic() * 1000), self._visible_epoch + 1)
            self._epoch_cond.notify_all()
        if site is not None:
            self.stages.published(site)
            self.labels.remember()
        log.info("Reloading browsers")

    def _problem(self, exc: Exception) -> str:
        """The problem of a failed build, as the terminal shows it."""
        cause = next((seen for seen in _chain(exc) if isinstance(seen, BuildError)), None)
        if cause is not None:
            return str(cause)  # MkDocs printed it as it aborted
        if self.errors.messages:
            return "\n".join(self.errors.messages)  # e.g. a bad setting in mkdocs.yml, printed by MkDocs
        message = str(exc) if isinstance(exc, MkDocsException) else f"{_where(exc)}{type(exc).__name__}: {exc}"
        log.error(message)
        return message

    def _answer(self, environ, start_response):
        """The WSGI application: MkDocs' answer, with the problem of the last save on every HTML page."""
        path = environ.get("PATH_INFO", "")
        if path == self.stylesheet:
            return _respond(start_response, "200 OK", "text/css; charset=utf-8", serving.STYLESHEET.encode())
        if path.startswith("/livereload/"):
            return self.serve_request(environ, start_response)
        with self._epoch_cond:
            site, problem, epoch = self.site, self.problem, self._visible_epoch
        if site is None:
            page = (serving.problem_page(problem, self.labels, self.language, self.stylesheet) if problem
                    else serving.building_page(self.labels, self.language, self.stylesheet))
            return _respond(start_response, "503 Service Unavailable", "text/html; charset=utf-8",
                            self._inject_js_into_html(page, epoch))
        answer: dict = {}
        body = self.serve_request(environ, lambda status, headers, exc_info=None: answer.update(
            status=status, headers=headers))
        content_type = next((value for name, value in answer["headers"] if name.lower() == "content-type"), "")
        if problem is None or not content_type.startswith("text/html"):
            start_response(answer["status"], answer["headers"])
            return body
        try:
            page = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        page = serving.with_banner(page, problem, self.labels, self.language, self.stylesheet)
        headers = [(name, value) for name, value in answer["headers"] if name.lower() != "content-length"]
        start_response(answer["status"], [*headers, ("Content-Length", str(len(page)))])
        return [page]

    def _error_page(self, code: int) -> bytes | None:
        # As `mkdocs serve`: the site's own 404.html (from the last good build).
        page = Path(self.root, f"{code}.html")
        return page.read_bytes() if code in (404, 500) and page.is_file() else None


class _Errors(logging.Handler):
    """The error lines a build prints (a bad setting in mkdocs.yml is several), to show on the page too."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("mkdocs.livereload"):  # a request's error is not the build's
            self.messages.append(record.getMessage())


class _Requests(WSGIRequestHandler):
    """Requests logged as `mkdocs serve` logs them (one not answered with a page is a warning), except the
    preview's own 503, a page saying that the site is being built or cannot be: the terminal said so already."""

    def log_request(self, code="-", size="-") -> None:
        level = logging.DEBUG if str(code) in ("200", "503") else logging.WARNING
        log.log(level, f'{time.strftime("[%H:%M:%S]")} "{self.requestline}" code {code}')

    def log_message(self, format, *args) -> None:
        log.debug(format, *args)


class _Formatter(logging.Formatter):
    """MkDocs' own layout ('INFO    -  message'), so that the preview reads as `mkdocs serve` does."""

    colours = {"CRITICAL": "red", "ERROR": "red", "WARNING": "yellow"}

    def __init__(self, colour: bool):
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"{record.levelname:<8}-  "
        if self.colour and record.levelname in self.colours:
            prefix = click.style(prefix, fg=self.colours[record.levelname])
        return prefix + super().format(record)


def _log_to_terminal() -> None:
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.StreamHandler()
    handler.setFormatter(_Formatter(colour=sys.stderr.isatty()))
    logger.addHandler(handler)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _respond(start_response, status: str, content_type: str, body: bytes):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _chain(exc: BaseException | None):
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def _where(exc: BaseException) -> str:
    """'hooks/x.py, line 12: ' for an unexpected error: the innermost place in the project (the working
    folder is the project's), else the innermost place of all."""
    frames = traceback.extract_tb(exc.__traceback__)
    here = os.getcwd() + os.sep
    inside = [frame for frame in frames if frame.filename.startswith(here)] or frames[-1:]
    if not inside:
        return ""
    frame = inside[-1]
    return f"{frame.filename.removeprefix(here)}, line {frame.lineno}: "


def _shown(path: str) -> str:
    here = os.getcwd() + os.sep
    return path.removeprefix(here) if path.startswith(here) else path


def _unavailable(address: str, exc: OSError) -> str:
    host, _, port = address.rpartition(":")
    reasons = {errno.EADDRINUSE: "is already in use (is another preview running?)",
               errno.EADDRNOTAVAIL: "is not an address of this machine",
               errno.EACCES: "is not open to this user (a port below 1024 needs more rights)"}
    reason = reasons.get(exc.errno, f"cannot be served ({exc.strerror or exc})")
    other = f"{host}:{int(port) + 1}" if port.isdigit() else "127.0.0.1:8001"
    return f"{address} {reason}; choose another address with --dev-addr, e.g. --dev-addr {other}."


if __name__ == "__main__":
    main()
