"""When a publication last changed: the date its PDFs carry (CreationDate, ModDate, the back cover).

Reads: git's log and status of a publication's inputs, its content folder and its data file (git runs
in the project's folder). Writes: nothing.

A PDF is dated by its content, not by when it was rendered, so that a rebuild gives the same bytes and
the date tells when the text last changed:
- inputs committed and unchanged since: the committer date of the last commit that touched them;
- inputs changed since, not yet committed, or no git at all: today, at 00:00 UTC. A file's mtime is
  not used: a checkout or a copy changes it, so it is neither the date of the change nor the same on
  two machines. Today is true (the content is not older) and the same for every build of the day, and
  the build log says which publications are dated so (`ContentDate.note`).
Dates are given in UTC, so that two machines in different time zones write the same bytes.
"""

from __future__ import annotations

import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentDate:
    moment: datetime.datetime   # in UTC
    committed: bool             # False: today's date, because git does not know the current content

    @property
    def iso(self) -> str:
        """W3C date and time, as WeasyPrint's metadata and the PDF's XMP take it: 2026-12-01T06:29:02+00:00."""
        return self.moment.isoformat()

    def note(self, shown: str) -> str | None:
        """A line for the build log when the date is not a commit's."""
        if self.committed:
            return None
        return (f"{shown} is not committed as it stands (or not in git): its PDFs are dated today "
                f"({self.moment.date()}), not by a commit")


def content_date(root: Path, paths: list[str], today: datetime.date | None = None) -> ContentDate:
    """The date of the last change of `paths` (relative to `root`), as the module docstring explains."""
    changed = _git(root, "status", "--porcelain", "--untracked-files=all", "--", *paths)
    last = _git(root, "log", "-1", "--format=%cI", "--", *paths) if changed == "" else None
    if last:
        moment = datetime.datetime.fromisoformat(last.strip()).astimezone(datetime.timezone.utc)
        return ContentDate(moment, True)
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    return ContentDate(datetime.datetime.combine(today, datetime.time(), datetime.timezone.utc), False)


def publication_inputs(pub, dataset_path: str | None, root: Path) -> list[str]:
    """A publication's inputs as paths relative to `root`: its content folder, and its data file if any."""
    paths = [pub.folder.resolve().relative_to(root.resolve()).as_posix()]
    return paths + [dataset_path] if dataset_path else paths


def _git(root: Path, *args: str) -> str | None:
    """git's output, or None when there is no git or `root` is not in a repository."""
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def publication_dates(root: Path, inputs: dict[str, list[str]], today: datetime.date | None = None) -> dict[str, str]:
    """`content_date` of every publication at once, as ISO text by slug: two git commands, not two a publication.

    `inputs` are each publication's paths relative to `root` (`publication_inputs`). `almanac build`
    fingerprints every unit with it (almanac.units), so a commit that dates a publication anew rebuilds it."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    uncommitted = datetime.datetime.combine(today, datetime.time(), datetime.timezone.utc).isoformat()
    prefix = _git(root, "rev-parse", "--show-prefix")
    folders = sorted({path.split("/", 1)[0] for paths in inputs.values() for path in paths})
    changed = _git(root, "status", "--porcelain", "--untracked-files=all", "--no-renames", "--", *folders)
    if prefix is None or changed is None:
        return {slug: uncommitted for slug in inputs}
    prefix = prefix.strip()
    owners = [(path.rstrip("/"), slug) for slug, paths in inputs.items() for path in paths]

    def owner(path: str) -> str | None:
        path = path.strip().strip('"')
        path = path[len(prefix):] if prefix and path.startswith(prefix) else path
        return next((slug for place, slug in owners if path == place or path.startswith(place + "/")), None)

    result = {slug: uncommitted for slug in {owner(line[3:]) for line in changed.splitlines()} if slug}
    log = _git(root, "log", "--format=%x01%cI", "--name-only", "--", *folders) or ""
    moment = None
    for line in log.splitlines():
        if line.startswith("\x01"):
            moment = datetime.datetime.fromisoformat(line[1:].strip()).astimezone(datetime.timezone.utc).isoformat()
        elif line.strip() and moment:
            slug = owner(line)
            if slug and slug not in result:
                result[slug] = moment
        if len(result) == len(inputs):
            break
    return {slug: result.get(slug, uncommitted) for slug in inputs}
