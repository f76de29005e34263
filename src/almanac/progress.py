"""What a long build shows while it runs: languages and PDFs done of their totals, and the time left.

Reads: the lines the language builds print (almanac.build reads them from its child processes), among them
hooks/pdf.py's INFO lines: `planned_line` once a language's PDFs are known, `Rendered pdf/<name>.pdf …` as
each is rendered. Writes: to a terminal (stderr), a live display drawn by rich, with every other line the
build shows above it; elsewhere (CI, tests, a pipe), plain lines: one per language built, and one every
`QUIET_SECONDS` while nothing else was said, each with what is done and the time left.

The time left is the time so far scaled by what remains: by the PDFs to render once some are rendered
(they take most of a build that has any), else by the languages built.
"""

from __future__ import annotations

import re
import time

QUIET_SECONDS = 30   # a build that has said nothing for this long says what it is still building

_PLANNED = re.compile(r"PDFs of '(?P<lang>[^']+)': (?P<todo>\d+) to render, (?P<cached>\d+) from the cache$")
_RENDERED = re.compile(r"Rendered pdf/(?P<name>\S+)\.pdf \(")


def planned_line(lang: str, todo: int, cached: int) -> str:
    """The INFO line hooks/pdf.py logs once a language's PDFs are known (read back by `Progress.feed`)."""
    return f"PDFs of '{lang}': {todo} to render, {cached} from the cache"


class Progress:
    """The progress of one build of `languages` (display names); `echo` shows a line, `live` draws bars."""

    def __init__(self, languages: list[str], echo, *, live: bool = False, label: str = "Languages"):
        self.names = languages
        self.echo = echo
        self.started = self.last_word = time.perf_counter()
        self.built: list[str] = []
        self.todo = self.cached = self.rendered = 0
        self.bars = _Bars(len(languages), label) if live else None

    def show(self, line: str) -> None:
        """Show one line the build says (a warning, an error, a note)."""
        self.last_word = time.perf_counter()
        if self.bars:
            self.bars.print(line)
        else:
            self.echo(line)

    def feed(self, line: str) -> None:
        """Read one line a language build printed, whether shown or not: PDFs planned and rendered."""
        message = line.rstrip("\n").split("-  ", 1)[-1]
        planned = _PLANNED.match(message)
        if planned:
            self.todo += int(planned["todo"])
            self.cached += int(planned["cached"])
        elif _RENDERED.match(message):
            self.rendered += 1
        else:
            return
        if self.bars:
            self.bars.update(self)

    def language_built(self, name: str) -> None:
        self.built.append(name)
        self.last_word = now = time.perf_counter()
        if self.bars:
            self.bars.update(self)
        elif len(self.names) > 1:
            self.echo(f"[{len(self.built)}/{len(self.names)}] {name} built in {now - self.started:.0f} s"
                      f"{self._pdfs_and_time_left()}")

    def tick(self, building: list[str]) -> None:
        """Called while waiting: a plain build that has said nothing for a while says what it is doing."""
        now = time.perf_counter()
        if self.bars:
            self.bars.update(self)
        elif now - self.last_word >= QUIET_SECONDS:
            self.last_word = now
            self.echo(f"... still building {', '.join(building)} ({now - self.started:.0f} s, "
                      f"{len(self.built)} of {len(self.names)} done{self._pdfs_and_time_left()})")

    def close(self) -> None:
        if self.bars:
            self.bars.stop()
            self.bars = None

    def time_left(self) -> float | None:
        """Seconds left, estimated (None before anything is done to estimate from)."""
        if self.todo and self.rendered:
            done = self.rendered / self.todo
        elif self.built:
            done = len(self.built) / len(self.names)
        else:
            return None
        return (time.perf_counter() - self.started) * (1 - done) / done

    def _pdfs_and_time_left(self) -> str:
        parts = []
        pdfs = [f"{self.rendered} of {self.todo} rendered"] * bool(self.todo)
        pdfs += [f"{self.cached} reused"] * bool(self.cached)
        if pdfs:
            parts.append(f"PDFs: {', '.join(pdfs)}")
        left = self.time_left()
        if left is not None and left >= 1 and len(self.built) < len(self.names):
            parts.append(f"about {_duration(left)} left")
        return "".join(f"; {part}" for part in parts)


class _Bars:
    """The terminal's live display: a bar for the languages, one for the PDFs to render once known."""

    def __init__(self, languages: int, label: str = "Languages"):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)

        self.progress = Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("elapsed,"), TimeRemainingColumn(), TextColumn("left"),
                                 console=Console(stderr=True), redirect_stdout=False, redirect_stderr=False)
        self.languages = self.progress.add_task(label, total=languages)
        self.pdfs = None
        self.progress.start()

    def print(self, line: str) -> None:
        self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

    def update(self, state: Progress) -> None:
        self.progress.update(self.languages, completed=len(state.built))
        if state.todo or state.cached:
            label = f"PDFs to render ({state.cached} reused)" if state.cached else "PDFs to render"
            if self.pdfs is None:
                self.pdfs = self.progress.add_task(label, total=state.todo)
            self.progress.update(self.pdfs, description=label, total=state.todo, completed=state.rendered)

    def stop(self) -> None:
        self.progress.stop()


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
