"""The one error type of Almanac's core.

Reads and writes nothing.

Bad input raises `AlmanacError` with a one-line message that names the place:
``content/x/01-a.md, line 3: front matter is not valid YAML: ...``. The
adapters in `hooks/` turn it into the site engine's own error, so the core
never needs to import the engine.
"""

from __future__ import annotations


class AlmanacError(Exception):
    """Bad input: the message is one line naming the file, the line where there is one, and what was expected."""


# What the machine refused, in words an editor can act on (the errno names are for programmers).
_OS_PROBLEMS = {
    28: "no space left on the disk; free some space and build again",
    122: "the disk quota is used up; free some space and build again",
    30: "the disk is read-only; build on a disk that can be written",
    13: "permission denied; check who owns it and its permissions",
    1: "the operation is not permitted (is it locked or immutable?); check its attributes and permissions",
}


def os_problem(errno: int | None, strerror: str | None) -> str:
    """One phrase for an operating-system error: what happened and what to do."""
    return _OS_PROBLEMS.get(errno or 0, (strerror or "the operating system refused").rstrip(".").lower())


def shown_path(path, root) -> str:
    """`path` relative to the project `root` where it lies inside it, else as it is."""
    from pathlib import Path

    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix() or "."
    except (ValueError, OSError, TypeError):
        return str(path)


class Warnings:
    """The warnings one build has given: each (logger, message) once.

    A label is looked up on every page and in every language pass, and an image or a cell may be met many
    times; one line per problem and build is what an editor can read, and `--strict` still counts it. A build
    makes one (the engine's build context holds it) and hands it to whoever warns."""

    def __init__(self):
        self._given: set[tuple[str, str]] = set()

    def warn(self, log, message: str) -> None:
        if (log.name, message) not in self._given:
            self._given.add((log.name, message))
            log.warning(message)

    def to(self, log):
        """A one-argument `warn(message)` that reports through `log`."""
        return lambda message: self.warn(log, message)
