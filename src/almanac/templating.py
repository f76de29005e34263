"""Jinja environments for the project's own templates (indicator tables, charts, the PDF document).

Reads: templates under overrides/. Writes: nothing.

One environment per folder, so each template is compiled once per process
rather than once per page or per PDF. Jinja checks the files' modification
times, so `mkdocs serve` still sees edited templates.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

_environments: dict[str, jinja2.Environment] = {}


def environment(folder: Path) -> jinja2.Environment:
    key = str(folder)
    if key not in _environments:
        _environments[key] = jinja2.Environment(loader=jinja2.FileSystemLoader(key), autoescape=True,
                                                undefined=jinja2.StrictUndefined)
    return _environments[key]
