"""Typed validation of settings, metadata and data files, with no dependency on the site engine.

Reads: mappings produced by `yamlfile.load`. Writes: nothing.

The shape follows MkDocs' config options and click's parameter types: a
`Config` class declares one `Option` per field; each option checks its value
and either returns it (converted) or raises `ValidationError` saying what it
expected. `check` turns the first failure into one `AlmanacError` line:
``data/indicators/x.yml, line 14, 'value': expected a number, got 'n/a'.``
"""

from __future__ import annotations

import copy
import datetime
import decimal
import difflib
import math
import re

from .errors import AlmanacError
from .limits import MAX_SIGNIFICANT_DIGITS
from .yamlfile import LineDict

_REQUIRED = object()


class ValidationError(Exception):
    """A value is not what its option expects; the message says what was expected and what was found.

    `line` is the line of the bad part when it is not the field's own line (one language of a mapping)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


class Option:
    """One field of a `Config`. Subclasses implement `run_validation(value) -> value`."""

    def __init__(self, default=_REQUIRED):
        self.default = default

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def run_validation(self, value):
        return value


_TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "text", dict: "a mapping",
               list: "a list", datetime.date: "a date (YYYY-MM-DD)"}


class Type(Option):
    """A value of one Python type (a bool is not accepted where a number is expected)."""

    def __init__(self, kind: type, default=_REQUIRED):
        super().__init__(default)
        self.kind = kind

    def run_validation(self, value):
        if not isinstance(value, self.kind) or (isinstance(value, bool) and self.kind is not bool):
            raise ValidationError(f"expected {_TYPE_NAMES.get(self.kind, self.kind.__name__)}, got {value!r}")
        return value


class Optional(Option):
    """Another option's value, or nothing (None)."""

    def __init__(self, inner: Option):
        super().__init__(None)
        self.inner = inner

    def run_validation(self, value):
        return None if value is None else self.inner.run_validation(value)


class Choice(Option):
    def __init__(self, choices: tuple, default=_REQUIRED):
        super().__init__(default)
        self.choices = tuple(choices)

    def run_validation(self, value):
        if value not in self.choices:
            raise ValidationError(f"expected one of: {', '.join(map(str, self.choices))}; got {value!r}")
        return value


class ListOfItems(Option):
    def __init__(self, item: Option, default=_REQUIRED, min_items: int = 0, noun: str = "item"):
        super().__init__(default)
        self.item = item
        self.min_items = min_items
        self.noun = noun

    def run_validation(self, value):
        if not isinstance(value, list):
            raise ValidationError(f"expected a list, got {value!r}")
        if len(value) < self.min_items:
            raise ValidationError(f"expected at least {self.min_items} {self.noun}{'s' if self.min_items > 1 else ''}, "
                                  f"got {value!r}")
        result = []
        for index, item in enumerate(value, start=1):
            try:
                result.append(self.item.run_validation(item))
            except ValidationError as exc:
                raise ValidationError(f"item {index}: {exc}") from None
        return result


class Number(Option):
    """An int or float (not a bool, not a string that looks like a number) that every output shows exactly.

    At most 15 significant digits, below 10^15 and with at most 15 decimals: a float holds such a number
    exactly, so Babel's formatting, the charts, the CSV and the JSON all show the same figure (a 30-digit
    value broke Babel's decimal arithmetic, and 10^300 would print 300 zeros)."""

    def run_validation(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValidationError(f"expected a number, got {value!r}")
        if not _exact(value):
            limit = MAX_SIGNIFICANT_DIGITS
            raise ValidationError(f"expected a number of at most {limit} significant digits, below 10^{limit} and with "
                                  f"at most {limit} decimals (what a float holds exactly), got {value!r}")
        return value


def _exact(value: int | float) -> bool:
    # repr gives the shortest text that reads back as the same float, i.e. the digits the editor wrote.
    digits = decimal.Decimal(value if isinstance(value, int) else repr(value))
    if not digits:
        return True
    sign, figures, exponent = digits.normalize().as_tuple()
    limit = MAX_SIGNIFICANT_DIGITS
    return len(figures) <= limit and digits.adjusted() < limit and exponent >= -limit


class Localised(Option):
    """A mapping of language code to non-empty text, e.g. ``{ru: ..., en: ...}``.

    `placeholders`, where given, are the names the text may hold in braces (a label's ``{value}``; none for
    a caption); any other ``{…}`` is refused with the nearest valid name, since it would be printed as it
    is and the number lost. None: braces are not checked."""

    def __init__(self, default=_REQUIRED, placeholders: tuple[str, ...] | None = None):
        super().__init__(default)
        self.placeholders = None if placeholders is None else tuple(placeholders)

    def run_validation(self, value):
        if not isinstance(value, dict) or not value:
            raise ValidationError(f"expected a mapping of language to text, got {value!r}")
        for lang, text in value.items():
            line = value.line_of(lang) if isinstance(value, LineDict) else None
            if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]+)?", lang):
                raise ValidationError(f"expected a language code, got {lang!r}", line)
            if not isinstance(text, str) or not text.strip():
                raise ValidationError(f"expected text for '{lang}', got {text!r}", line)
            problem = None if self.placeholders is None else placeholder_problem(text, self.placeholders)
            if problem:
                raise ValidationError(f"the '{lang}' text {problem}", line)
        return dict(value)


BRACED = re.compile(r"\{([^{}\n]*)\}")


def placeholder_problem(text: str, known: tuple[str, ...]) -> str | None:
    """What is wrong with the ``{…}`` in `text` given the placeholders `known`, or None.

    The answer reads after "the 'ru' text ": "has '{valeu}'; did you mean '{value}'? ...". """
    for match in BRACED.finditer(text):
        name = match[1].strip()
        if name in known:
            continue
        if not known:
            return f"has '{match[0]}', but this text takes no placeholders: it is shown as written"
        expected = " or ".join(f"'{{{k}}}'" for k in known)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"did you mean '{{{close[0]}}}'? " if close else ""
        return f"has an unknown placeholder '{match[0]}'; {hint}expected {expected}"
    return None


class Target(Option):
    """A number, or a range as its two bounds ``[low, high]`` (the source's «1–3 страны»), as a tuple."""

    def run_validation(self, value):
        if isinstance(value, list):
            if (len(value) == 2 and all(_is_number(v) for v in value) and value[0] < value[1]):
                return tuple(Number().run_validation(v) for v in value)
            raise ValidationError(f"expected a number or a range [low, high] with low < high, got {value!r}")
        return Number().run_validation(value)


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


DUE_KINDS = ("by_end_of", "before")
# A milestone may also fall within a year or a month, as the source's «2023 год», «сентябрь 2022 года».
MILESTONE_KINDS = DUE_KINDS + ("in",)


class Due(Option):
    """When a target falls due, worded as the source words it, never more precise:
    ``{by_end_of: 2024}`` («к концу 2024 года»), ``{before: 2024}`` («до 2024 года»)
    or ``{before: 2022-09}`` («до сентября 2022 года»); with `kinds` MILESTONE_KINDS also ``{in: 2023}``
    or ``{in: 2022-09}``. Returned as (kind, "YYYY" or "YYYY-MM")."""

    def __init__(self, default=_REQUIRED, kinds: tuple[str, ...] = DUE_KINDS):
        super().__init__(default)
        self.kinds = kinds

    def run_validation(self, value):
        example = "{by_end_of: 2024}, {before: 2024} or {before: 2022-09}"
        if "in" in self.kinds:
            example = "{by_end_of: 2024}, {before: 2022-09} or {in: 2023}"
        if not isinstance(value, dict) or len(value) != 1:
            raise ValidationError(f"expected one of {example}; got {value!r}")
        (kind, when), = value.items()
        if kind not in self.kinds:
            raise ValidationError(f"expected one of {', '.join(self.kinds)} (e.g. {example}); got {kind!r}")
        if isinstance(when, int) and not isinstance(when, bool):
            when = str(when)
        pattern = r"\d{4}" if kind == "by_end_of" else r"\d{4}(-(0[1-9]|1[0-2]))?"
        if not isinstance(when, str) or not re.fullmatch(pattern, when):
            shape = "a year (YYYY)" if kind == "by_end_of" else "a year (YYYY) or a month (YYYY-MM)"
            raise ValidationError(f"'{kind}' expects {shape}, got {when!r}")
        return (kind, when)


class Month(Option):
    """A year (2023) or a month ("2023-03"), as precise as the source; returned as "YYYY" or "YYYY-MM"."""

    def run_validation(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", value):
            return value
        raise ValidationError(f"expected a year (YYYY) or a month (YYYY-MM), got {value!r}")


class Text(Option):
    """A non-empty string."""

    def run_validation(self, value):
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"expected text, got {value!r}")
        return value


class Identifier(Option):
    """An id made of letters, digits, dots, dashes and underscores."""

    def run_validation(self, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            return value
        raise ValidationError(f"expected an id of letters, digits, '.', '-' or '_', got {value!r}")


class Config:
    """Declared options, validated as a whole: `Config.validate(raw)` returns the checked values."""

    @classmethod
    def options(cls) -> dict[str, Option]:
        found = {}
        for klass in reversed(cls.__mro__):
            found.update({name: value for name, value in vars(klass).items() if isinstance(value, Option)})
        return found

    @classmethod
    def validate(cls, raw: dict) -> tuple[dict, list[tuple[str, str]]]:
        """(values, problems): values for every option (defaults filled in), and (key, message) per problem,
        unknown keys last."""
        values, problems = cls.validate_with_lines(raw)
        return values, [(key, message) for key, message, _ in problems]

    @classmethod
    def validate_with_lines(cls, raw: dict) -> tuple[dict, list[tuple[str, str, int | None]]]:
        """As `validate`, with the line of each problem where it is not its field's line (else None)."""
        values, problems = {}, []
        options = cls.options()
        for name, option in options.items():
            if name not in raw or raw[name] is None and not isinstance(option, Optional):
                if option.required:
                    problems.append((name, "required field is missing", None))
                else:
                    values[name] = copy.deepcopy(option.default)
                continue
            try:
                values[name] = option.run_validation(raw[name])
            except ValidationError as exc:
                problems.append((name, str(exc), exc.line))
        for key in raw:
            if key not in options:
                problems.append((key, f"unknown field; expected one of: {', '.join(sorted(options))}", None))
        return values, problems


def check(config_class: type[Config], raw, shown_as: str, line: int) -> dict:
    """Validate `raw` against `config_class`; raise one line naming the first bad field."""
    if not isinstance(raw, dict):
        raise AlmanacError(f"{shown_as}, line {line}: expected a mapping, got {raw!r}.")
    values, problems = config_class.validate_with_lines(raw)
    if problems:
        key, message, exact = problems[0]
        where = exact or (raw.line_of(key) if isinstance(raw, LineDict) else line)
        raise AlmanacError(f"{shown_as}, line {where}, '{key}': {message.rstrip('.')}.")
    return values
