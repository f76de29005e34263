"""The project boundary: nothing from outside the project's own folders is read or published.

Reads: the directory entries under content/, data/, locales/ and overrides/
(never the files' contents). Writes: nothing.

MkDocs copies every file under the docs folder and the theme's custom_dir
into the site, following symbolic links, and reads every page it lists. A
contributor's pull request could therefore publish a build server's files
with a link such as `content/notes.txt -> /etc/passwd`, whether or not any page
refers to it. As in Jekyll's safe mode (what GitHub Pages runs), every entry
under these folders must resolve inside them: a symbolic link that leaves
them, a broken one, or anything that is not a regular file or folder (a FIFO
would hang the build) stops the build with one line, referenced or not.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import AlmanacError

FOLDERS = ("content", "data", "locales", "overrides")


def check(root: Path, folders: tuple[str, ...] = FOLDERS) -> None:
    """Raise AlmanacError naming the first entry under `folders` that leads outside them."""
    root = root.resolve()
    allowed = [root / name for name in folders]
    for folder in allowed:
        if folder.is_symlink() or not folder.exists():
            if folder.is_symlink():
                _refuse(folder, root, "is a symbolic link; expected the project's own folder")
            continue
        for current, dirs, files in os.walk(folder):
            base = Path(current)
            for name in sorted(dirs) + sorted(files):
                _check_entry(base / name, root, allowed)


def _check_entry(path: Path, root: Path, allowed: list[Path]) -> None:
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        raise AlmanacError(f"{_shown(path, root)}: cannot be read ({exc.strerror}).") from None
    if stat.S_ISLNK(mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            _refuse(path, root, f"is a broken symbolic link (to {os.readlink(path)!r}); expected a file or folder "
                                f"that exists, or no link")
        if not any(target == folder or target.is_relative_to(folder) for folder in allowed):
            _refuse(path, root, f"is a symbolic link that leaves the project's folders (to {os.readlink(path)!r}); "
                                f"expected a file inside {', '.join(f.name + '/' for f in allowed)} (links that "
                                f"leave them are never read or published)")
        mode = os.stat(path).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        _refuse(path, root, "is not a regular file or folder (a pipe, socket or device); expected a file")


def _refuse(path: Path, root: Path, problem: str):
    raise AlmanacError(f"{_shown(path, root)}: {problem}.")


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
