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

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import context, hosting, locales, progress, settings, shards, status
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

    def summary(self) -> str:
        """What was built, for the last line: "3 languages, 12 PDFs (4 rendered, 8 reused) in 41 s"."""
        made = f"{self.languages} language{'s' * (self.languages != 1)}"
        if self.rendered or self.reused:
            pdfs = self.rendered + self.reused
            made += f", {pdfs} PDF{'s' * (pdfs != 1)} ({self.rendered} rendered, {self.reused} reused)"
        return f"{made} in {self.seconds:.0f} s"


class Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def run(root: Path, site: Path, *, print_edition: bool = False, echo=None, jobs: int | None = None) -> Outcome:
    """Build the project at `root` strictly into `site`; on failure `site` is left exactly as it was."""
    langs = status.languages(root / "mkdocs.yml")
    inputs = shards.fingerprint(root)
    temp = root / f"{TEMP_PREFIX}{os.getpid()}"

    # The printer's edition beside the site's is rendered by the same language builds, from the same chapters.
    with_print = not print_edition and print_downloads(root)

    def finish() -> None:
        for lang in langs:
            shards.finish(temp / lang, lang, langs, inputs)
        _record_pdfs(root, [temp / lang for lang in langs])
        shards.assemble([temp / lang for lang in langs], temp / "site", move=True, locales=locales.load(root),
                        memo=context.cache_dir(root, "pdf-facts"))
        if not print_edition:   # `almanac print`'s site is a folder of PDFs for the printer, not a site to host
            hosting.write(temp / "site", context.cache_dir(root, "compressed"))
        _swap(temp / "site", site)

    return _build(root, temp, site, langs, finish, print_edition=print_edition, echo=echo, jobs=jobs,
                  env={settings.PRINT_DOWNLOADS: "1"} if with_print else {})


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
        self.tracebacks: dict = {}
        self.names: dict = {}
        self.waiting: list[tuple[list[str], Path, dict]] = []
        self.running: list[subprocess.Popen] = []
        self.events: queue.Queue = queue.Queue()
        self.shown: set[str] = set()

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
        # Everything but MkDocs' INFO lines, each once: the languages share their sources, so a bad
        # metadata file fails every child with the same line. A traceback (a full disk, a bug) is read
        # to its end and shown as one line; `line` None is the end of the child's output.
        reading = self.tracebacks.get(child)
        if reading is not None:
            if not reading.feed(line):
                return
            del self.tracebacks[child]
            self._once(reading.summary())
        if line is None:
            return
        if line.startswith("Traceback (most recent call last)"):
            self.tracebacks[child] = _Traceback(self.root)
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


def _swap(temp: Path, site: Path) -> None:
    # Two renames on one file system: at no moment is a half-written site in place.
    old = site.with_name(f"{TEMP_PREFIX}old-{os.getpid()}")
    if site.exists():
        site.rename(old)
    temp.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def _remove_leftovers(root: Path) -> None:
    """Temporary folders of builds whose process no longer exists (killed outright)."""
    for folder in root.glob(f"{TEMP_PREFIX}*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


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
