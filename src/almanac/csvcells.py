"""CSV that spreadsheets open as data, never as formulas: every CSV file Almanac writes goes through here.

Reads and writes nothing; returns CSV text.

A spreadsheet that opens a CSV file runs a cell beginning with `=`, `+`, `-` or
`@` as a formula (and some treat a leading tab or carriage return the same way),
so a label such as ``=HYPERLINK("https://…?"&A1, "…")`` in a data file would
become a live link that sends the sheet's contents away. As OWASP recommends
("CSV Injection"), such a text cell is written with a leading single quote,
which spreadsheets show as text and do not run. Only text is neutralised:
numbers are written as numbers (a target of -5 stays -5, so the Table Schema's
`number` fields still read back), and the JSON beside the CSV keeps the text
as written.
"""

from __future__ import annotations

import csv
import decimal
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOTE = ("Text cells that begin with =, +, -, @, a tab or a carriage return carry a leading ' in this CSV file, "
        "so that spreadsheets show them instead of running them as formulas (OWASP, CSV injection); the JSON "
        "file holds the text as written.")


def text(value: str) -> str:
    """A text cell, with a leading ' where a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def number(value: int | float) -> str:
    """A number as plain digits, never in exponent notation or locale format: 3, 0.5, -5, 0.00001."""
    if isinstance(value, int):
        return str(value)
    # repr is the shortest text that reads back as the same float; data numbers have at most 15 digits.
    return format(decimal.Decimal(repr(value)).normalize(), "f")


def cell(value) -> str:
    """Any value: empty for None, true/false, a number, or neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number(value)
    return text(str(value))


def table(header: list, rows) -> str:
    """CSV text of a header and rows of values, each cell written by `cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([cell(value) for value in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()
