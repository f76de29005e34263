"""What changed in a Russian chapter since its translation was stamped, from the project's git history.

Reads: the source file, its translation's `source_hash`, and `git log` / `git show` of the
source file (git runs in the file's folder). Writes: nothing.

A stamp is a digest of what the source said (`content.text_digest`), not a commit, so the
version a translation was made from is found by walking the source file's commits, newest
first, and hashing each version the same way. `almanac diff` and `almanac export` (to mark
changed segments as needing review) both use it.
"""

from __future__ import annotations

import difflib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .content import decode, text_digest
from .errors import AlmanacError

_TOKEN = re.compile(r"\S+|\s+")


@dataclass
class Version:
    commit: str
    date: str
    text: str


def stamped_version(source: Path, digest: str, shown: str) -> Version:
    """The newest committed version of `source` whose text digest is `digest`; AlmanacError if there is none."""
    folder, name = source.parent, source.name
    log = _git(folder, shown, "log", "--format=%H %cs", "--", name)
    commits = [line.split(" ", 1) for line in log.splitlines() if line.strip()]
    if not commits:
        raise AlmanacError(f"{shown}: the file is not in git's history (untracked or never committed); "
                           f"cannot tell what changed since the translation was stamped.")
    for commit, date in commits:
        raw = _git_bytes(folder, shown, "show", f"{commit}:./{name}")
        text = decode(raw, shown)
        if text_digest(text) == digest:
            return Version(commit, date, text)
    raise AlmanacError(f"{shown}: none of its {len(commits)} commits has the text the translation was stamped "
                       f"against (source_hash {digest}); it was stamped from a version that was never committed.")


def word_diff(old: str, new: str, colour: bool = False, context: int = 8) -> list[str]:
    """The lines of `new` that changed, word by word: [-removed-]{+added+}, each prefixed by its line number.

    Unchanged runs of more than `context` words either side of a change are cut to "…", so a
    changed word in a long paragraph shows as one short line."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: list[tuple[str, str]] = []   # ("=", "-" or "+", text); only "=" and "+" runs are in `new`
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("=", "".join(after[j1:j2])))
            continue
        removed, added = "".join(before[i1:i2]), "".join(after[j1:j2])
        if removed.strip():
            runs.append(("-", " ".join(removed.split())))
        if added:
            runs.append(("+", added))
    lines, current, number = [], [], 1
    for kind, text in runs:
        for k, piece in enumerate(text.split("\n") if kind != "-" else [text]):
            if k:
                if _changed(current):
                    lines.append(f"line {number}: {_line(current, context, colour)}")
                current, number = [], number + 1
            current.append((kind, piece))
    if _changed(current):
        lines.append(f"line {number}: {_line(current, context, colour)}")
    return lines


def _changed(runs: list[tuple[str, str]]) -> bool:
    return any(kind != "=" and text.strip() for kind, text in runs)


def _line(runs: list[tuple[str, str]], context: int, colour: bool) -> str:
    out = []
    for k, (kind, text) in enumerate(runs):
        if kind != "=":
            core = text.strip()
            if core:
                marks = ("[-", "-]", "red") if kind == "-" else ("{+", "+}", "green")
                lead, tail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
                if kind == "-" and out and out[-1][-1:].strip() and not lead:
                    lead = " "   # a removed word keeps its own space, as git's word diff shows it
                out.append(lead + _mark(marks[0], core, marks[1], marks[2] if colour else None) + tail)
            else:
                out.append(text)
            continue
        words = text.split(" ")
        head = 0 if k == 0 else context
        tail = 0 if k == len(runs) - 1 else context
        if len(words) > head + tail + 1:
            text = " ".join(words[:head] + ["…"] + (words[-tail:] if tail else []))
        out.append(text)
    return "".join(out).strip()


def _mark(opening: str, text: str, closing: str, colour: str | None) -> str:
    # Markers stay even in colour, so a copied or piped diff still says what was removed and added.
    marked = f"{opening}{text}{closing}"
    if colour:
        import click

        return click.style(marked, fg=colour)
    return marked


def _git(folder: Path, shown: str, *args: str) -> str:
    return _git_bytes(folder, shown, *args).decode("utf-8", "replace")


def _git_bytes(folder: Path, shown: str, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, timeout=60)
    except FileNotFoundError:
        raise AlmanacError(f"{shown}: git is not installed; cannot read the file's history.") from None
    if result.returncode:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        if reason and "not a git repository" in reason[0]:
            raise AlmanacError(f"{shown}: no git history (the project is not a git repository); "
                               f"cannot tell what changed since the translation was stamped.")
        raise AlmanacError(f"{shown}: git {args[0]} failed ({reason[0] if reason else 'no message'}).")
    return result.stdout
