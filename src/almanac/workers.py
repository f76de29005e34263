"""Units built by worker processes, each importing MkDocs once and building many units (almanac.units).

This is the one place outside hooks/ that runs MkDocs itself: `build_unit` does in a worker what
`mkdocs build --strict` does on the command line (startup and shutdown events, strict counting, the
log lines as MkDocs prints them), for one unit's generated config.

- `Pool` (in `almanac build`): `jobs` worker processes (`python -m almanac.workers`), each reading one
  job a line on its stdin and answering on a pipe of its own; the largest units first; the first failure
  stops the others. Each worker dies with its parent. A unit's PDFs to render are not rendered by the
  worker that built its pages: they come back as jobs of their own (`Render`), which any idle worker
  takes (largest first, before the next unit); the unit is done once they are all written.
- `cluster.UnitPool`: the same jobs on a Dask cluster (`extra.almanac.scheduler` / ALMANAC_SCHEDULER);
  each unit's output travels back as a tar archive, so the workers' disks need not be shared. There a
  unit's PDFs are rendered by the worker that built its pages, after them.

Reads: a job (the unit's config, where to write, the environment of the build). Writes: the unit's
site into the folder the job names (almanac.build moves it into the unit's cache once it succeeded);
a `Render` writes its PDF into the PDF cache, and copies it (and its cover) into its unit's site.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import pickle
import queue
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path


# A worker whose memory has grown past this after a unit is replaced (ALMANAC_WORKER_MB sets it): two workers
# and the build stay under a gigabyte.
RECYCLE_BYTES = int(os.environ.get("ALMANAC_WORKER_MB", "400")) * 1024 * 1024


@dataclass
class Job:
    name: str              # the unit's name
    config: str            # its generated mkdocs.yml
    site: str              # where its build writes
    env: dict              # the environment variables of the build (strictness, PDFs, editions)
    size: int = 0          # the bytes of its content: the largest units start first
    command: str = "build" # MkDocs' command, as the hooks' on_startup hears it: "serve" for the preview
    unit: dict | None = None   # the almanac.units.Unit built, whose output is finished in the worker
    languages: list = field(default_factory=list)


@dataclass
class Result:
    name: str
    status: int                                     # 0: built
    lines: list[str] = field(default_factory=list)  # what MkDocs and the hooks logged, as MkDocs prints it
    renders: list = field(default_factory=list)     # the unit's PDFs left to render (`Render`), for the pool


@dataclass
class Render:
    """One PDF of a unit, handed back by the worker that built the unit's pages (hooks/pdf.py): rendered by
    any worker (`render_pdf`) exactly as the unit's worker would have, then copied into the unit's site."""

    job: object          # the almanac.pdf.Job
    css: str             # its edition's stylesheet, as the renderer takes it
    root: str            # the project
    target: str          # the PDF's path in the unit's site
    shown: str           # as the log names it: pdf/<name>.pdf, or pdf/print/<name>.pdf
    site: str            # the unit's site
    covers: str = ""     # the screen edition's: the covers' cache, its cover going to <site>/covers/


# While a worker of `Pool` builds a unit: where its hooks put the PDFs left to render (`handed`).
_handed: list | None = None


def handed() -> list | None:
    """The list a unit's PDFs to render go to (`Render`), for the pool; None where they render in this process."""
    return _handed


class _Lines(logging.Handler):
    """MkDocs' log records as its command line prints them ("WARNING -  …"), handed to `emit_line`."""

    def __init__(self, emit_line):
        super().__init__(logging.INFO)
        self.emit_line = emit_line

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:   # a malformed log call must not stop the build
            message = str(record.msg)
        prefix = f"{record.levelname:<8}-  "
        self.emit_line(prefix + message.replace("\n", "\n" + " " * len(prefix)))


def build_unit(job: Job, emit_line=None, hand_pdfs: bool = False) -> Result:
    """Build one unit strictly in this process, as `mkdocs build --strict` would; never raises.

    With `hand_pdfs`, the PDFs left to render are not rendered: they are the result's `renders`."""
    global _handed
    _handed = [] if hand_pdfs else None
    lines: list[str] = []

    def emit(line: str) -> None:
        lines.append(line)
        if emit_line:
            emit_line(line)

    saved = {name: os.environ.get(name) for name in job.env}
    os.environ.update(job.env)
    handler = _Lines(emit)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    status = 0
    try:
        from mkdocs.commands import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, MkDocsException

        try:
            # Publishing is strict whatever mkdocs.yml says; the preview is as mkdocs.yml says (ALMANAC_STRICT=false).
            config = load_config(config_file=job.config, strict=True if job.command == "build" else None,
                                 site_dir=job.site)
            config.plugins.on_startup(command=job.command, dirty=False)
            try:
                build.build(config)
            finally:
                config.plugins.on_shutdown()
            if job.unit is not None:
                from . import units

                units.finish_output(units.Unit(**job.unit), Path(job.site), job.languages, job.command == "build")
        except (Abort, MkDocsException) as exc:
            status = 1
            emit(exc.format_message() if hasattr(exc, "format_message") else str(exc))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:   # a bug or a full disk: told as a traceback, which almanac.build reads
            status = 1
            _tell_traceback(exc, emit)
    finally:
        logger.removeHandler(handler)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        renders, _handed = _handed or [], None
    return Result(job.name, status, lines, renders if status == 0 else [])


def _tell_traceback(exc: BaseException, emit) -> None:
    """A failure the hooks did not tell as one line, as a traceback line by line (almanac.build reads it)."""
    for text in traceback.format_exception(exc):
        for line in text.rstrip("\n").split("\n"):
            emit(line)


def render_pdf(task: Render, emit) -> int:
    """Render one PDF a unit handed back, into the cache and its unit's site (with its cover); 0, or 1 once
    it failed, told with the lines the unit's own build would have logged."""
    from . import covers, pdf

    try:
        _, pages, seconds, error = pdf.render(task.job, task.css, task.root)
        if error:
            emit(f"{'ERROR':<8}-  {error}")
            emit("Aborted with a BuildError!")
            return 1
        target = Path(task.target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(task.job.cache_path, target)
        if task.covers:
            covers.publish(target.parent, [task.job.name], Path(task.site), Path(task.covers))
        emit(f"{'INFO':<8}-  Rendered {task.shown} ({pages} pages) in {seconds:.1f} s")
        return 0
    except KeyboardInterrupt:
        raise
    except BaseException as exc:   # told as a traceback, as build_unit tells one
        _tell_traceback(exc, emit)
        return 1


def fill_facts(job: Job, emit) -> int:
    """The PDF facts of a unit's pages, once every PDF it handed back is in its site (units.fill_facts); 0,
    or 1 once it failed, told as a traceback."""
    from . import units

    try:
        units.fill_facts(units.Unit(**job.unit), Path(job.site), job.command == "build")
        return 0
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        _tell_traceback(exc, emit)
        return 1


def build_remote(job: Job) -> tuple[Result, bytes | None]:
    """`build_unit` for a Dask worker, whose disk may not be ours: the output comes back as a tar archive."""
    with tempfile.TemporaryDirectory(prefix="almanac-unit-") as folder:
        remote = Job(job.name, job.config, str(Path(folder) / "site"), job.env, job.size, job.command, job.unit,
                     job.languages)
        result = build_unit(remote)
        if result.status:
            return result, None
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            archive.add(remote.site, arcname=".")
        return result, buffer.getvalue()


def unpack(data: bytes, target: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="data")


class Pool:
    """`jobs` worker processes building units; `run` yields each unit's lines and results as they come."""

    def __init__(self, jobs: int, cwd: Path, env: dict, tick: float = 0.5):
        self.size, self.cwd, self.env = max(1, jobs), cwd, env
        self.workers: list[_Worker] = []
        self.events: queue.Queue = queue.Queue()
        self.tick = tick  # seconds without an event before run() yields a tick

    def run(self, jobs: list[Job]):
        """Yield ("line", name, text) and ("done", name, Result) events; stops handing out work after a failure."""
        waiting = sorted(jobs, key=lambda job: -job.size)
        by_name = {job.name: job for job in jobs}
        # Besides the units: ("facts", unit, job) once a unit's PDFs are all written (`fill_facts`), first;
        # then ("render", unit, pickled Render, size), the PDFs units handed back, largest first.
        renders: list = []
        left: dict[str, int] = {}     # a unit's PDFs not rendered yet (-1 once only its facts are left)
        # The workers live as long as the pool: `almanac serve` builds every save with the same ones.
        self.workers = [worker for worker in self.workers if worker.process.poll() is None]
        while len(self.workers) < min(self.size, len(waiting)):
            self.workers.append(_Worker(self.cwd, self.env, self.events))
        idle = list(self.workers)
        busy = 0
        failed = False
        while busy or (waiting or renders) and idle and not failed:
            while (waiting or renders) and idle and not failed:
                # A unit's PDFs before the next unit: each unit is done as soon as it can be.
                idle.pop().send(renders.pop(0) if renders else waiting.pop(0))
                busy += 1
            try:
                event = self.events.get(timeout=self.tick)   # a timeout, so that signals are handled promptly
            except queue.Empty:
                yield ("tick", None, None)
                continue
            kind, worker, payload = event
            if worker not in self.workers:
                continue  # the last words of a worker stopped by abandon()
            if kind == "line":
                yield ("line", worker.current, payload)
            elif kind == "done":
                busy -= 1
                name, rendering = worker.current, worker.rendering
                worker.current = None
                if worker.rss() > RECYCLE_BYTES:
                    # A worker that has grown (caches of many units, WeasyPrint's) is replaced by a fresh one:
                    # the whole tree stays within its memory budget however large the library.
                    worker.stop()
                    self.workers.remove(worker)
                    worker = _Worker(self.cwd, self.env, self.events)
                    self.workers.append(worker)
                idle.append(worker)
                status = payload["status"]
                if payload.get("renders"):
                    left[name] = len(payload["renders"])   # the unit is done once its PDFs are
                    renders = sorted(renders + [("render", name, data, size) for size, data in payload["renders"]],
                                     key=lambda item: -item[3] if item[0] == "render" else -sys.maxsize)
                    while len(self.workers) < self.size:   # one unit's PDFs may keep every core busy
                        self.workers.append(_Worker(self.cwd, self.env, self.events))
                        idle.append(self.workers[-1])
                    continue
                if rendering:
                    if name not in left:
                        continue   # its unit has failed already
                    if left[name] > 0:
                        left[name] -= 1
                        if status == 0 and left[name]:
                            continue
                        if status == 0:
                            left[name] = -1   # its pages' PDF facts are filled in next, before anything else
                            renders.insert(0, ("facts", name, by_name[name]))
                            continue
                    del left[name]
                failed = failed or status != 0
                yield ("done", name, Result(name, status, []))
            elif kind == "died":
                if worker.current is None:
                    continue
                busy -= 1
                name, worker.current = worker.current, None
                if worker.rendering and name not in left:
                    continue
                left.pop(name, None)
                failed = True
                yield ("done", name, Result(name, 1, []))
            if failed and busy == 0:
                break

    def abandon(self) -> None:
        """Stop the workers building now (their units are lost); the idle ones stay for the next run."""
        for worker in [worker for worker in self.workers if worker.current]:
            worker.current = None
            self.workers.remove(worker)
            worker.stop()

    def running(self) -> list[str]:
        """The units being built now (or their PDFs rendered)."""
        return list(dict.fromkeys(worker.current for worker in self.workers if worker.current))

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()


class _Worker:
    """One worker process: jobs go in on its stdin; answers come on a pipe of its own, its output on stdout."""

    def __init__(self, cwd: Path, env: dict, events: queue.Queue):
        answers_read, answers_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "almanac.workers", str(answers_write)], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            errors="replace", pass_fds=(answers_write,), preexec_fn=_die_with_parent)
        os.close(answers_write)
        self.answers = os.fdopen(answers_read, encoding="utf-8")
        self.events = events
        self.current: str | None = None   # the unit built, or whose PDF is rendered
        self.rendering = False
        threading.Thread(target=self._read_output, daemon=True).start()
        threading.Thread(target=self._read_answers, daemon=True).start()

    def send(self, item) -> None:
        """Send a unit's Job, a ("render", unit, pickled Render) or a ("facts", unit, Job) (see `Pool.run`)."""
        self.rendering = isinstance(item, tuple)
        self.current = item[1] if self.rendering else item.name
        if not self.rendering:
            message = item.__dict__
        elif item[0] == "render":
            message = {"render": item[2]}
        else:
            message = {"facts": item[2].__dict__}
        self.process.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.process.stdin.flush()

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self.events.put(("line", self, line.rstrip("\n")))

    def _read_answers(self) -> None:
        for line in self.answers:
            message = json.loads(line)
            if "line" in message:
                self.events.put(("line", self, message["line"]))
            else:
                self.events.put(("done", self, message))
        self.events.put(("died", self, None))

    def rss(self) -> int:
        """The worker's resident memory in bytes (0 where /proc cannot tell)."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _die_with_parent() -> None:
    # Linux: the worker gets SIGTERM if its parent dies, even by SIGKILL, so no build outlives `almanac build`.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _serve(answers_fd: int) -> None:
    """The worker's loop: a job a line on stdin, its lines and its result on the answers pipe."""
    answers = os.fdopen(answers_fd, "w", encoding="utf-8")

    def say(message: dict) -> None:
        answers.write(json.dumps(message, ensure_ascii=False) + "\n")
        answers.flush()

    # MkDocs and the stack imported once, before the first job: every unit after it starts warm.
    import mkdocs.commands.build  # noqa: F401
    import mkdocs.config  # noqa: F401

    for line in sys.stdin:
        message = json.loads(line)
        if "render" in message:
            task = pickle.loads(base64.b64decode(message["render"]))
            say({"status": render_pdf(task, lambda text: say({"line": text}))})
            continue
        if "facts" in message:
            say({"status": fill_facts(Job(**message["facts"]), lambda text: say({"line": text}))})
            continue
        result = build_unit(Job(**message), lambda text: say({"line": text}), hand_pdfs=True)
        # Pickled here, opaque to the parent, which only hands them on.
        say({"name": result.name, "status": result.status,
             "renders": [[task.job.size, base64.b64encode(pickle.dumps(task)).decode("ascii")]
                         for task in result.renders]})


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle: it stops the workers
    # Run as almanac.workers, not __main__: the hooks find the list of PDFs to hand back (`handed`) there.
    from almanac.workers import _serve as serve

    serve(int(sys.argv[1]))
