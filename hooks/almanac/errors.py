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
