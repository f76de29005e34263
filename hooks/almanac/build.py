"""A publishing build: strict, short to read, and all or nothing.

Reads: the project (through `mkdocs build`, run as a child process).
Writes: <site>/ (swapped in only after a build that succeeded), and while
building a temporary folder .site-tmp-<pid>/ beside it, which is removed
whatever happens.

Why a wrapper rather than `mkdocs build --strict --quiet`: `--quiet` raises
MkDocs' log level to ERROR, so warnings are dropped before strict mode counts
them and a broken page is published. Here the build runs fully strict and its
INFO lines are filtered out of what the editor reads instead.

Why a child process: Ctrl-C, `kill` or a crash of the build must never leave a
half-written site. The child builds into a temporary folder; the parent swaps
it in only when the child succeeded, and removes it on any failure or signal.
The child is asked to die with its parent, and a later build removes
temporary folders left by a parent that was killed outright (SIGKILL).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TEMP_PREFIX = ".site-tmp-"


@dataclass
class Outcome:
    status: int          # 0 on success; the build's exit code, or 128 + the signal that stopped it
    seconds: float
    site: Path
    pdfs: int = 0


class Interrupted(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def run(root: Path, site: Path, *, print_edition: bool = False, echo=None) -> Outcome:
    """Build the project at `root` strictly into `site`; on failure `site` is left exactly as it was."""
    echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    _remove_leftovers(root)
    temp = root / f"{TEMP_PREFIX}{os.getpid()}"
    started = time.perf_counter()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true", "ALMANAC_STRICT": "true"}
    if print_edition:
        env["ALMANAC_PRINT_EDITION"] = "1"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(temp)]
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    child = None
    try:
        child = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 text=True, encoding="utf-8", errors="replace", preexec_fn=_die_with_parent)
        for line in child.stdout:
            if _worth_showing(line):
                echo(line.rstrip("\n"))
        status = child.wait()
        if status == 0:
            _swap(temp, site)
            return Outcome(0, time.perf_counter() - started, site, len(list(site.rglob("*.pdf"))))
        return Outcome(status if status > 0 else 128 - status, time.perf_counter() - started, site)
    except KeyboardInterrupt:
        return Outcome(128 + signal.SIGINT, time.perf_counter() - started, site)
    except Interrupted as stop:
        return Outcome(128 + stop.signum, time.perf_counter() - started, site)
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        shutil.rmtree(temp, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _worth_showing(line: str) -> bool:
    # Everything but MkDocs' INFO lines: warnings, errors and whatever a tool prints on its own.
    return bool(line.strip()) and not line.startswith("INFO")


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
