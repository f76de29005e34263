"""Typed validation of data files with MkDocs' own `Config` classes.

Reads: mappings produced by `yamlfile.load`. Writes: nothing.

Every failure is raised as one `PluginError` line:
``data/indicators/x.yml, line 14, 'value': expected a number, got 'n/a'.``
"""

from __future__ import annotations

import datetime
import re

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError

from .yamlfile import LineDict


class Number(c.BaseConfigOption):
    """An int or float (not a bool, not a string that looks like a number)."""

    def run_validation(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise c.ValidationError(f"expected a number, got {value!r}")
        return value


class Localised(c.BaseConfigOption):
    """A mapping of language code to non-empty text, e.g. ``{ru: ..., en: ...}``."""

    def run_validation(self, value):
        if not isinstance(value, dict) or not value:
            raise c.ValidationError(f"expected a mapping of language to text, got {value!r}")
        for lang, text in value.items():
            if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]+)?", lang):
                raise c.ValidationError(f"expected a language code, got {lang!r}")
            if not isinstance(text, str) or not text.strip():
                raise c.ValidationError(f"expected text for '{lang}', got {text!r}")
        return dict(value)


class Deadline(c.BaseConfigOption):
    """YYYY, YYYY-MM or YYYY-MM-DD, normalised to a string."""

    def run_validation(self, value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?", value):
            return value
        raise c.ValidationError(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")


class Text(c.BaseConfigOption):
    """A non-empty string."""

    def run_validation(self, value):
        if not isinstance(value, str) or not value.strip():
            raise c.ValidationError(f"expected text, got {value!r}")
        return value


class Identifier(c.BaseConfigOption):
    """An id made of letters, digits, dots, dashes and underscores."""

    def run_validation(self, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            return value
        raise c.ValidationError(
            f"expected an id of letters, digits, '.', '-' or '_', got {value!r}"
        )


def check(config_class: type[base.Config], raw, shown_as: str, line: int) -> base.Config:
    """Validate `raw` against `config_class`; raise one line naming the first bad field."""
    if not isinstance(raw, dict):
        raise PluginError(f"{shown_as}, line {line}: expected a mapping, got {raw!r}")
    cfg = config_class()
    cfg.load_dict(raw)
    failed, warnings = cfg.validate()
    if not failed and warnings:
        key = warnings[0][0]
        expected = ", ".join(sorted(cfg))
        failed = [(key, f"unknown field; expected one of: {expected}")]
    if failed:
        key, error = failed[0]
        where = raw.line_of(key) if isinstance(raw, LineDict) else line
        message = str(error).rstrip(".")
        if message.startswith("Required configuration not provided") or key not in raw:
            message = "required field is missing"
        raise PluginError(f"{shown_as}, line {where}, '{key}': {message}.")
    return cfg
