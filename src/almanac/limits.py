"""How much one input may ask of a build: the documented limits, and the cheap checks that enforce them.

Reads: a data file's size and text (before it is parsed), a page's Markdown. Writes: nothing.

Every step of a build is linear in the rows it shows, but the constants are
large: an indicator row costs about 1 ms of CPU per language on the site
(formatting, Markdown, search index, page post-processing) and about 15 ms in
each PDF, where WeasyPrint lays out a long table at 4–5 pages a second; a data
file of 30 MB takes 40 s to parse. Each limit keeps one input's work to seconds and is far
above today's content (the largest indicator group has 6 rows, the largest
data file 68 indicators and 58 KB, the largest chart 11 bars, the longest
Markdown table 41 lines). An input above a limit is refused with one line
naming the file, the line and the limit, before the expensive work starts:
a data file is measured before it is read, and its indicators are counted
from the YAML parser's event stream (about 0.1 s a megabyte) before the
slow construction of its objects (about 1.3 s a megabyte).
"""

from __future__ import annotations

import re
from collections import Counter

import yaml

from .errors import AlmanacError

MAX_DATA_FILE_BYTES = 10 * 1024 * 1024   # a data file, before it is parsed
MAX_INDICATORS_PER_FILE = 5_000          # a data file's indicators: its open data, its loading
MAX_TABLE_ROWS = 2_000                   # an indicator group's table, and a Markdown table in a page
MAX_CHART_ITEMS = 20                     # bars or slices: what one A4 page holds at a readable size
MAX_SIGNIFICANT_DIGITS = 15              # a number: what a float holds exactly (see schema.Number)
SEE = "(see README, 'Limits')"


def check_data_file_size(size: int, shown: str) -> None:
    """Refuse a data file too large to parse in a few seconds, before reading it."""
    if size > MAX_DATA_FILE_BYTES:
        raise AlmanacError(f"{shown}, line 1: the file is {size / 1024 / 1024:.1f} MB; a data file is at most "
                           f"{MAX_DATA_FILE_BYTES // 1024 // 1024} MB {SEE}.")


def check_data_text(text: str, shown: str) -> None:
    """Count a data file's indicators, per group and in all, from the parser's events; refuse one over a limit.

    What this cannot see (an indicator whose group comes through a YAML alias) is counted again when the
    indicators are loaded (`check_group`, `check_indicator_count`)."""
    counts = Counter()
    group_lines: dict[str, int] = {}
    total = 0
    try:
        for path, value, line in _scalars(text):
            if len(path) == 3 and path[0] == "indicators" and path[2] == "group":
                counts[value] += 1
            elif len(path) == 3 and path[0] == "groups" and path[2] == "id":
                group_lines.setdefault(value, line)
            elif len(path) == 2 and path[0] == "indicators" and value is None:
                total += 1
    except yaml.YAMLError:
        return  # the parser that follows names the line of the mistake
    for group, count in counts.most_common(1):
        check_group(group, count, shown, group_lines.get(group, 1), total)
    check_indicator_count(total, shown)


def check_indicator_count(total: int, shown: str) -> None:
    if total > MAX_INDICATORS_PER_FILE:
        raise AlmanacError(f"{shown}, line 1, 'indicators': the file has {total} indicators; a data file holds at "
                           f"most {MAX_INDICATORS_PER_FILE} {SEE}.")


def check_group(group: str, count: int, shown: str, line: int, total: int = 0) -> None:
    """Refuse a group with more indicators than a table shows; `line` is where the group is declared."""
    if count > MAX_TABLE_ROWS:
        # Splitting the group is not enough when the file as a whole is over its own limit: say so at once.
        also = (f", and the file's {total} indicators are more than the {MAX_INDICATORS_PER_FILE} a data file holds"
                if total > MAX_INDICATORS_PER_FILE else "")
        raise AlmanacError(f"{shown}, line {line}: group '{group}' has {count} indicators; a table shows at most "
                           f"{MAX_TABLE_ROWS}{also} {SEE}.")


def check_chart(count: int, shown: str, line: int) -> None:
    if count > MAX_CHART_ITEMS:
        raise AlmanacError(f"{shown}, line {line}, 'indicators': the chart has {count} indicators; a chart shows at "
                           f"most {MAX_CHART_ITEMS} bars or slices {SEE}.")


_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def check_page_tables(markdown: str, shown: str, first_line: int = 1) -> None:
    """Refuse a Markdown pipe table of more than `MAX_TABLE_ROWS` rows in a page (outside fenced code).

    `first_line` is the file's line where `markdown` starts (after the front matter). One pass over the lines."""
    lines = markdown.split("\n")
    in_fence = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            in_fence = not in_fence
        elif (not in_fence and index and "|" in lines[index - 1] and "-" in line
              and _DELIMITER_ROW.match(line) and lines[index - 1].strip()):
            end = index + 1
            while end < len(lines) and lines[end].strip() and "|" in lines[end]:
                end += 1
            rows = end - index - 1
            if rows > MAX_TABLE_ROWS:
                raise AlmanacError(f"{shown}, line {first_line + index - 1}: the table has {rows} rows; a table "
                                   f"shows at most {MAX_TABLE_ROWS} {SEE}.")
            index = end
            continue
        index += 1


def _scalars(text: str):
    """(path, value, line) for each scalar value of a YAML document, and (path, None, line) where a
    mapping or list begins as a value; path is the keys and list indexes from the top. Mapping keys
    are not reported. Only the first document is read."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # Each open container: [is_mapping, path, next key or index, expecting a key].
    stack: list[list] = []
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            path = _value_path(stack)
            if path is not None:
                yield path, None, event.start_mark.line + 1
            is_mapping = isinstance(event, yaml.MappingStartEvent)
            stack.append([is_mapping, path or (), None if is_mapping else 0, True])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            _advance(stack)
        elif isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            if stack and stack[-1][0] and stack[-1][3]:
                stack[-1][2], stack[-1][3] = value, False     # a key: its value follows
                continue
            path = _value_path(stack)
            if path is not None and value is not None:
                yield path, value, event.start_mark.line + 1
            _advance(stack)
        elif isinstance(event, yaml.DocumentEndEvent):
            return


def _value_path(stack: list) -> tuple | None:
    if not stack:
        return None
    is_mapping, path, key, _ = stack[-1]
    return path + (key,)


def _advance(stack: list) -> None:
    # A value is complete: a mapping now expects its next key, a list counts its next item.
    if not stack:
        return
    if stack[-1][0]:
        stack[-1][3] = True
    else:
        stack[-1][2] += 1
