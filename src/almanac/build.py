"""A publishing build: strict, short to read, all or nothing, one process per language at once.

Reads: the project (through `mkdocs build`, run as child processes).
Writes: <site>/ (swapped in only after a build that succeeded), and while
building a temporary folder .site-tmp-<pid>/ beside it, which is removed
whatever happens; the PDF cache's manifest. `run_shard` writes one
language's shard into <shard-dir>/<lang>/ instead, and `assemble` puts shards
together into <site>/ (see almanac.shards).

Why a wrapper rather than `mkdocs build --strict --quiet`: `--quiet` raises
MkDocs' log level to ERROR, so warnings are dropped before strict mode counts
them and a broken page is published. Here the build runs fully strict and its
INFO lines are filtered out of what the editor reads instead.

Why child processes: Ctrl-C, `kill` or a crash of the build must never leave a
half-written site. Each child builds one language (`ALMANAC_SHARD`, see
hooks/engine.py) into its own folder under the temporary folder; the children
run at once, up to `jobs` of them. The first that fails stops the others, and
its error lines are shown once. When all succeeded, the parent assembles the
shards into one site and swaps it in; on any failure or signal it removes the
temporary folder. The children are asked to die with their parent, and a later
build removes temporary folders left by a parent that was killed outright
(SIGKILL).

While the children run, the parent shows the languages and PDFs done and the time
left (almanac.progress: bars in a terminal, plain lines elsewhere), and the
outcome says how many languages were built and how many PDFs rendered or reused.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import context, hosting, locales, progress, publications, settings, shards, status
from .errors import AlmanacError, os_problem, shown_path

TEMP_PREFIX = ".site-tmp-"


@dataclass
class Outcome:
    status: int          # 0 on success; the build's exit code, or 128 + the signal that stopped it
    seconds: float
    site: Path
    pdfs: int = 0        # the PDFs in the site
    languages: int = 0   # the languages built
    rendered: int = 0    # PDFs rendered by this build, and taken unchanged from the cache
    reused: int = 0
    units: int = 0       # the units of the site (almanac.units), and how many this build built (the rest reused)
    built: int = 0

    def summary(self) -> str:
        """What was built, for the last line: "3 languages, 12 PDFs (4 rendered, 8 reused) in 41 s"."""
        made = f"{self.languages} language{'s' * (self.languages != 1)}"
        if self.units:
            made = (f"{self.units} unit{'s' * (self.units != 1)} ({self.built} built, {self.units - self.built} "
                    f"reused), {made}")
        if self.rendered or self.reused:
            pdfs = self.rendered + self.reused
            made += f", {pdfs} PDF{'s' * (pdfs != 1)} ({self.rendered} rendered, {self.reused} reused)"
        return f"{made} in {self.seconds:.0f} s"


class Abandoned(Exception):
    """The preview gave up a build whose edited publications are shown, for a newer save (build_units)."""


class Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def run(root: Path, site: Path, *, print_edition: bool = False, echo=None, jobs: int | None = None) -> Outcome:
    """Build the project at `root` strictly into `site`; on failure `site` is left exactly as it was.

    The site is built unit by unit (almanac.units); the printer's edition alone (`almanac print`), a folder of
    PDFs rather than a site, is built language by language."""
    if not print_edition:
        return _run_units(root, site, echo=echo, jobs=jobs)
    langs = status.languages(root / "mkdocs.yml")
    inputs = shards.fingerprint(root)
    temp = root / f"{TEMP_PREFIX}{os.getpid()}"

    def finish() -> None:
        for lang in langs:
            shards.finish(temp / lang, lang, langs, inputs)
        _record_pdfs(root, [temp / lang for lang in langs])
        shards.assemble([temp / lang for lang in langs], temp / "site", move=True, locales=locales.load(root),
                        memo=context.cache_dir(root, "pdf-facts"))
        _swap(temp / "site", site)

    return _build(root, temp, site, langs, finish, print_edition=print_edition, echo=echo, jobs=jobs)


@dataclass
class Plan:
    """What a build of the units will do: every unit, its fingerprint, and the jobs of those not kept."""

    config: settings.SiteConfig
    units: list
    fingerprints: dict[str, str]
    jobs: dict          # unit name -> workers.Job, for the units to build

    def outputs(self) -> list:
        return [(unit, unit.output(self.fingerprints[unit.name])) for unit in self.units]


def plan_units(root: Path, env: dict) -> Plan:
    """Fingerprint every unit (almanac.units) and stage the config of each one to build; `env` is the build's."""
    from . import dates, units, workers

    config = settings.read(root / "mkdocs.yml")
    pubs = publications.load_all(root, config.docs_dir)
    plan = units.plan(config, pubs)
    dated = {}
    if config.pdf:
        data = root / "data" / "indicators"
        dated = dates.publication_dates(root, {pub.slug: dates.publication_inputs(
            pub, f"data/indicators/{pub.slug}.yml" if (data / f"{pub.slug}.yml").is_file() else None, root)
            for pub in pubs})
    fingerprints = units.fingerprints(config, plan, env, dated)
    job_env = {name: env[name] for name in (*units.FLAGS, "NO_MKDOCS_2_WARNING") if name in env}
    jobs = {}
    for unit in plan:
        if _kept(unit.output(fingerprints[unit.name])):
            continue
        building = unit.folder / f"build-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        # The library reads every publication and is the longest unit: it starts first, so that no core
        # is left idle at the end while it alone is still being built.
        jobs[unit.name] = workers.Job(unit.name, str(units.stage(unit, config.raw)), str(building), job_env,
                                      _size(Path(unit.docs_dir) / unit.slug) if unit.slug else sys.maxsize,
                                      env.get(units.COMMAND, "build"), asdict(unit), config.languages)
    return Plan(config, plan, fingerprints, jobs)


def build_units(plan: Plan, pool, shown: progress.Progress, lines: "_Lines", names: dict, built=None,
                abandon=None) -> int:
    """Build the plan's units on `pool`, keeping each that succeeds; 0, or 1 once one has failed.

    `built(name)`, when given, is called as each unit is kept. `abandon()`, when given, is asked after every
    event: once it says yes, the units still building are stopped (not kept) and Abandoned is raised."""
    by_name = {unit.name: unit for unit in plan.units}
    failed = 0
    try:
        for kind, name, payload in pool.run(list(plan.jobs.values())):
            if abandon is not None and abandon():
                pool.abandon()
                raise Abandoned()
            if kind == "line":
                shown.feed(payload)
                lines.show(name, payload)
            elif kind == "tick":
                shown.tick(sorted(names[job] for job in pool.running()))
            else:
                lines.show(name, None)
                if payload.status == 0:
                    unit = by_name[name]
                    _keep(unit, Path(plan.jobs[name].site), unit.output(plan.fingerprints[name]),
                          plan.config.languages)
                    shown.language_built(names[name])
                    if built is not None and not failed:
                        built(name)
                else:
                    failed = 1
    finally:
        for job in plan.jobs.values():
            shutil.rmtree(job.site, ignore_errors=True)
    return failed


def assemble_units(root: Path, plan: Plan, target: Path, *, hosting_files: bool = True, instead: dict | None = None,
                   interrupt=None) -> None:
    """The site from the kept outputs of the plan's units, into `target` (which must not exist).

    `instead` maps a unit's name to another of its outputs, to assemble with (the preview's, while a unit builds);
    `interrupt` is assembly.assemble's."""
    from . import assembly

    outputs = [(unit, (instead or {}).get(unit.name, output)) for unit, output in plan.outputs()]
    signature = assembly.signature(outputs, plan.config.languages, f"hosting={hosting_files}")
    kept = context.cache_dir(root, "assembled") / signature if signature else None
    if kept is not None and assembly.reuse(outputs, target, kept):
        if hosting_files:
            _record_pdfs(root, [output for _, output in outputs])
        return
    fresh = assembly.assemble(outputs, target, plan.config.languages, locales=locales.load(root),
                              memo=context.cache_dir(root, "pdf-facts"), interrupt=interrupt)
    written = list(fresh)
    if hosting_files:
        _record_pdfs(root, [output for _, output in outputs])
        policies = {}
        for _, output in outputs:
            policies.update(shards.read_part(output, "policy") or {})
        hosting.write(target, context.cache_dir(root, "compressed"), policies=policies, fresh=fresh)
        written += [target / name for name in (hosting.HEADERS_FILE, hosting.HTACCESS_FILE, hosting.NGINX_FILE)]
    if kept is not None:
        assembly.keep(target, written, kept)


def unit_names(plan: Plan) -> dict[str, str]:
    """How the progress names each unit to build."""
    return {unit.name: (f"'{unit.slug}'" if unit.slug else "the library") for unit in plan.units
            if unit.name in plan.jobs}


def _run_units(root: Path, site: Path, *, echo, jobs: int | None) -> Outcome:
    """The site from its units: fingerprint each, build those not kept on a pool of workers, assemble all."""
    live = echo is None and _terminal()
    echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    _remove_leftovers(root)
    started = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true", settings.STRICT: "true"}
    if print_downloads(root):
        env[settings.PRINT_DOWNLOADS] = "1"
    try:
        plan = plan_units(root, env)
    except AlmanacError as exc:
        # Told as a build's error, as MkDocs tells a hook's: the same line the editor knows from every other file.
        echo(f"ERROR   -  {exc}")
        return Outcome(1, time.perf_counter() - started, site)
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    names = unit_names(plan)
    shown = progress.Progress(list(names.values()), echo, live=live, label="Units")
    temp = root / f"{TEMP_PREFIX}{os.getpid()}"
    pool = None
    try:
        pool = _pool(plan.config, root, env, jobs)
        failed = build_units(plan, pool, shown, _Lines(shown, root), names)
        shown.close()
        # The workers' memory is given back before the assembly, which holds every language's search index.
        pool.stop()
        if failed:
            return Outcome(failed, time.perf_counter() - started, site)
        frame = context.cache_dir(root, FRAME)
        dirs = _claim_frame(frame, temp / "site")
        assemble_units(root, plan, temp / "site")
        _prune_frame(temp / "site", dirs)
        _swap(temp / "site", site, frame=frame)
        outputs = plan.outputs()
        rendered, reused = _pdf_counts([output for unit, output in outputs if unit.name in plan.jobs])
        pdfs = len(list((site / "pdf").rglob("*.pdf"))) if (site / "pdf").is_dir() else 0
        reused += sum(_pdf_total(output) for unit, output in outputs if unit.name not in plan.jobs)
        return Outcome(0, time.perf_counter() - started, site, pdfs, len(plan.config.languages), rendered, reused,
                       units=len(plan.units), built=len(plan.jobs))
    except KeyboardInterrupt:
        return Outcome(128 + signal.SIGINT, time.perf_counter() - started, site)
    except Interrupted as stop:
        return Outcome(128 + stop.signum, time.perf_counter() - started, site)
    finally:
        shown.close()
        if pool is not None:
            pool.stop()
        shutil.rmtree(temp, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _pool(config, root: Path, env: dict, jobs: int | None):
    """The workers that build units: a Dask cluster when one is named, else processes on this machine."""
    from . import workers

    scheduler = os.environ.get(settings.SCHEDULER) or config.almanac.get("scheduler")
    if scheduler:
        from .cluster import UnitPool

        return UnitPool(scheduler, root)
    return workers.Pool(jobs or os.cpu_count() or 1, root, env)


def _kept(output: Path) -> bool:
    return (output / shards.PARTS / "unit.json").is_file()


def _keep(unit, built: Path, output: Path, langs: list[str]) -> None:
    """A unit built (and finished by its worker, units.finish_output): label it, and put it where its
    fingerprint says."""
    from . import units

    built.mkdir(parents=True, exist_ok=True)
    shards.write_part(built, "unit", {"name": unit.name})
    shutil.rmtree(output, ignore_errors=True)
    built.rename(output)
    # The newest outputs are kept besides this one: the preview's and the publishing build's differ, and an
    # edit undone finds its unit as it was.
    others = sorted((other for other in unit.folder.glob("out-*") if other != output),
                    key=lambda path: path.stat().st_mtime, reverse=True)
    for other in others[units.KEEP - 1:]:
        shutil.rmtree(other, ignore_errors=True)


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*.md")) if folder.is_dir() else 0


def _pdf_total(output: Path) -> int:
    pdf = shards.read_part(output, "pdf")
    return len(pdf["files"]) + len(pdf.get("print_files", {})) if pdf else 0


def print_downloads(root: Path) -> bool:
    """Whether a build also publishes the printer's edition: `extra.almanac.print_downloads`, when PDFs are built."""
    config = settings.read(root / "mkdocs.yml")
    return bool(config.almanac.get("print_downloads")) and config.pdf


def run_shard(root: Path, lang: str, shard_dir: Path, *, print_edition: bool = False, echo=None) -> Outcome:
    """Build one language strictly into `shard_dir`/`lang` (for `assemble`); on failure it is left as it was."""
    langs = status.languages(root / "mkdocs.yml")
    if lang not in langs:
        raise AlmanacError(f"{lang!r} is not a language of this site; expected one of {', '.join(langs)} "
                           f"(plugins.i18n.languages in mkdocs.yml).")
    inputs = shards.fingerprint(root)
    shard_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(shard_dir)
    temp = shard_dir / f"{TEMP_PREFIX}{os.getpid()}"

    def finish() -> None:
        shards.finish(temp / lang, lang, langs, inputs)
        _record_pdfs(root, [temp / lang], [lang])
        _swap(temp / lang, shard_dir / lang)

    return _build(root, temp, shard_dir / lang, [lang], finish, print_edition=print_edition, echo=echo, jobs=1)


def assemble(root: Path, shard_dir: Path, site: Path) -> Outcome:
    """Put the shards in `shard_dir` together into `site`, all or nothing."""
    started = time.perf_counter()
    _remove_leftovers(root)
    temp = root / f"{TEMP_PREFIX}{os.getpid()}"
    folders = sorted(path for path in shard_dir.iterdir() if path.is_dir() and not path.name.startswith("."))
    if not folders:
        raise AlmanacError(f"{shard_dir}: no shards; build them with 'almanac build --shard LANG'.")
    try:
        shards.assemble(folders, temp / "site", locales=locales.load(root), memo=context.cache_dir(root, "pdf-facts"))
        hosting.write(temp / "site", context.cache_dir(root, "compressed"))
        _swap(temp / "site", site)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return Outcome(0, time.perf_counter() - started, site, len(list(site.rglob("*.pdf"))))


def _build(root: Path, temp: Path, site: Path, langs: list[str], finish, *, print_edition: bool, echo,
           jobs: int | None, env: dict | None = None) -> Outcome:
    # Bars in a terminal, unless the caller takes the lines; plain lines in CI, in a pipe, in tests.
    live = echo is None and _terminal()
    echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    _remove_leftovers(root)
    started = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true", settings.STRICT: "true", **(env or {})}
    if print_edition:
        env[settings.PRINT_EDITION] = "1"
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    names = [f"the printer's edition in '{lang}'" if print_edition else f"'{lang}'" for lang in langs]
    shown = progress.Progress(names, echo, live=live)
    builds = _Children(shown, root)
    try:
        temp.mkdir(parents=True)
        for lang, name in zip(langs, names):
            command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(temp / lang)]
            builds.add(command, root, {**env, settings.SHARD: lang}, name)
        status = builds.run(jobs or os.cpu_count() or 1)
        shown.close()
        if status == 0:
            rendered, reused = _pdf_counts([temp / lang for lang in langs])
            finish()
            return Outcome(0, time.perf_counter() - started, site, len(list(site.rglob("*.pdf"))), len(langs),
                           rendered, reused)
        return Outcome(status if status > 0 else 128 - status, time.perf_counter() - started, site)
    except KeyboardInterrupt:
        return Outcome(128 + signal.SIGINT, time.perf_counter() - started, site)
    except Interrupted as stop:
        return Outcome(128 + stop.signum, time.perf_counter() - started, site)
    finally:
        shown.close()
        builds.stop()
        shutil.rmtree(temp, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Children:
    """Child builds run at once, up to `jobs` of them; their lines shown once; the first failure stops the rest."""

    def __init__(self, shown: progress.Progress, root: Path):
        self.progress = shown
        self.root = root
        self.lines = _Lines(shown, root)
        self.names: dict = {}
        self.waiting: list[tuple[list[str], Path, dict]] = []
        self.running: list[subprocess.Popen] = []
        self.events: queue.Queue = queue.Queue()

    def add(self, command: list[str], cwd: Path, env: dict, name: str = "") -> None:
        self.waiting.append((command, cwd, env, name))

    def run(self, jobs: int) -> int:
        while self.waiting or self.running:
            while self.waiting and len(self.running) < jobs:
                self._start(*self.waiting.pop(0))
            try:
                child, line = self.events.get(timeout=0.5)  # a timeout, so that signals are handled promptly
            except queue.Empty:
                # A long build says it is alive, and what it is doing.
                self.progress.tick([self.names[c] for c in self.running])
                continue
            if line is not None:
                self.progress.feed(line)
                self._show(child, line)
                continue
            self._show(child, None)   # the end of its output: a traceback in reading is shown now
            status = child.wait()
            self.running.remove(child)
            if status != 0:
                self.stop()
                return status
            self.progress.language_built(self.names[child])
        return 0

    def stop(self) -> None:
        self.waiting.clear()
        for child in self.running:
            if child.poll() is None:
                child.terminate()
        for child in self.running:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.running.clear()

    def _start(self, command: list[str], cwd: Path, env: dict, name: str) -> None:
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, encoding="utf-8", errors="replace", preexec_fn=_die_with_parent)
        self.names[child] = name
        self.running.append(child)
        threading.Thread(target=self._read, args=(child,), daemon=True).start()

    def _read(self, child: subprocess.Popen) -> None:
        for line in child.stdout:
            self.events.put((child, line))
        self.events.put((child, None))

    def _show(self, child, line: str | None) -> None:
        self.lines.show(child, line)


class _Lines:
    """What the builds say, shown to the editor: everything but MkDocs' INFO lines, each once.

    The builds share their sources, so a bad metadata file fails every build with the same line. A traceback
    (a full disk, a bug) is read to its end and shown as one line; a `line` of None is the end of what one
    source (a child process, a unit) said."""

    def __init__(self, shown: progress.Progress, root: Path):
        self.progress = shown
        self.root = root
        self.tracebacks: dict = {}
        self.shown: set[str] = set()

    def show(self, source, line: str | None) -> None:
        reading = self.tracebacks.get(source)
        if reading is not None:
            if not reading.feed(line):
                return
            del self.tracebacks[source]
            self._once(reading.summary())
        if line is None:
            return
        if line.startswith("Traceback (most recent call last)"):
            self.tracebacks[source] = _Traceback(self.root)
            return
        self._once(line.rstrip("\n"))

    def _once(self, line: str) -> None:
        if _worth_showing(line) and line not in self.shown:
            self.shown.add(line)
            self.progress.show(line)


class _Traceback:
    """A child's traceback, read line by line and told as one ERROR line naming the file and the problem.

    Chained tracebacks ("During handling of the above exception …") are read to the last exception."""

    def __init__(self, root: Path):
        self.root = root
        self.frame = ""
        self.exception: str | None = None

    def feed(self, line: str | None) -> bool:
        """Read one more line; True once the traceback has ended (`line` is then no longer part of it)."""
        if line is None:
            return True
        text = line.rstrip("\n")
        if self.exception is not None:
            if not text.strip() or text.startswith((" ", "\t", "Traceback")):
                return False   # blank lines and the rest of a multi-line message, or a chained traceback
            if text.startswith(("During handling of the above", "The above exception was")):
                self.exception = None
                return False
            return True
        frame = re.match(r'\s+File "(.+)", line (\d+)', text)
        if frame:
            self.frame = f"{shown_path(frame.group(1), self.root)}:{frame.group(2)}"
        elif text and not text.startswith((" ", "\t", "Traceback")):
            self.exception = text
        return False

    def summary(self) -> str:
        os_error = re.match(r"[\w.]*: \[Errno (\d+)\] ([^:']+)(?:: '(.*?)')?", self.exception or "")
        if os_error:
            errno, strerror, filename = int(os_error.group(1)), os_error.group(2), os_error.group(3)
            # A full disk is the disk's, not the file's that happened to be written last (often a source).
            where = "The build" if errno in (28, 122) or not filename else shown_path(filename, self.root)
            return f"ERROR   -  {where}: {os_problem(errno, strerror)}."
        return (f"ERROR   -  The build stopped on an unexpected error, a bug in Almanac rather than in your "
                f"files: {self.exception or 'no message'} (at {self.frame or 'an unknown place'}); "
                f"please report it with this line.")


def _pdf_counts(shards_built: list[Path]) -> tuple[int, int]:
    """How many PDFs the language builds rendered, and how many they took unchanged from the cache."""
    rendered = reused = 0
    for shard in shards_built:
        pdf = shards.read_part(shard, "pdf")
        if pdf:
            rendered += len(pdf.get("rendered", []))
            reused += len(pdf["files"]) + len(pdf.get("print_files", {})) - len(pdf.get("rendered", []))
    return rendered, reused


def _terminal() -> bool:
    """Whether the build's lines go to a terminal that can show live bars (not CI, not TERM=dumb)."""
    from rich.console import Console

    console = Console(stderr=True)
    return console.is_terminal and not console.is_dumb_terminal


def _record_pdfs(root: Path, built: list[Path], languages: list[str] | None = None) -> None:
    """Record the PDFs of the language builds in the cache's manifest (`languages`: only theirs are replaced)."""
    files, print_edition = shards.pdf_files(built)
    printed = shards.print_files(built)
    if files:
        from . import brochures  # imports WeasyPrint's helpers: only when there are PDFs

        cache = brochures.Cache(context.cache_dir(root, "pdf"))
        if printed:
            # Both editions listed before pruning: pruning after the first would drop the second's new PDFs.
            cache.record(printed, True, languages, prune=False)
        cache.record(files, print_edition, languages)


NOTE = "Note: "   # an INFO message that starts so is shown by a publishing build (e.g. a photo downsampled)


def _worth_showing(line: str) -> bool:
    # Everything but MkDocs' INFO lines: warnings, errors, notes and whatever a tool prints on its own.
    return bool(line.strip()) and (not line.startswith("INFO") or line.split("-  ", 1)[-1].startswith(NOTE))


def _swap(temp: Path, site: Path, *, frame: Path | None = None) -> None:
    """`temp` in place of `site`; the old site's files removed, and its folders kept as `frame` when given."""
    # Two renames on one file system: at no moment is a half-written site in place.
    old = site.with_name(f"{TEMP_PREFIX}old-{os.getpid()}")
    site.parent.mkdir(parents=True, exist_ok=True)
    if site.exists():
        site.rename(old)
    temp.rename(site)
    if frame is not None and old.is_dir() and not frame.exists():
        try:
            _keep_frame(old, frame)
        except OSError:
            pass
    shutil.rmtree(old, ignore_errors=True)


# The old site's folders, emptied of files, are the next build's: a site of 50 times the library has ~9,000
# folders (a page is a folder), and creating and removing them cost more than linking its ~35,000 files
# (a folder's block freed on a file system mounted with `discard` costs a device request).
FRAME = "site-frame"


def _keep_frame(old: Path, frame: Path) -> None:
    """The old site's files removed, its folders kept as `frame`, with their list beside it."""
    dirs = []
    start = len(os.fspath(old)) + 1
    for folder, _, files in os.walk(old):
        dirs.append(folder[start:])
        for name in files:
            os.unlink(os.path.join(folder, name))
    listing = frame.with_name(frame.name + ".json")
    frame.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text(json.dumps(dirs), encoding="utf-8")
    try:
        old.rename(frame)
    except OSError:   # another file system: the folders go
        listing.unlink(missing_ok=True)


def _claim_frame(frame: Path, target: Path) -> list[str]:
    """The kept folders (`_keep_frame`) moved to `target`, where the site is assembled; their list (relative),
    or [] when none are kept."""
    listing = frame.with_name(frame.name + ".json")
    try:
        dirs = json.loads(listing.read_text(encoding="utf-8"))
        listing.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.rename(target)
    except (OSError, ValueError):
        shutil.rmtree(frame, ignore_errors=True)
        return []
    return dirs


def _prune_frame(target: Path, dirs: list[str]) -> None:
    """The kept folders the assembly left empty removed (a site has no empty folder: a unit's output has none)."""
    for relative in sorted(dirs, key=lambda name: name.count(os.sep), reverse=True):
        if relative:
            try:
                os.rmdir(target / relative)
            except OSError:   # not empty: the site's
                pass


def _remove_leftovers(root: Path) -> None:
    """Temporary folders of builds whose process no longer exists (killed outright): the site being built,
    and a kept assembly or a PDF being written into the cache (`<name>.<pid>.tmp`)."""
    for folder in root.glob(f"{TEMP_PREFIX}*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    for kind in ("assembled", "pdf"):
        for path in context.cache_dir(root, kind).glob("*.tmp"):
            pid = path.name.rsplit(".", 2)[-2] if path.name.count(".") >= 2 else ""
            if pid.isdigit() and not _alive(int(pid)):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        pass
    return True


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


def _die_with_parent() -> None:
    # Linux: the child gets SIGTERM if this process dies, even by SIGKILL, so no build outlives its parent.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
