"""Load YAML while remembering where every mapping and key came from.

Reads: one YAML file. Writes: nothing.

Errors about data files must name the line of the bad field, so the loader
returns `LineDict`/`LineList` objects that carry the 1-based line of the
node and of each key.

Parsed files are kept in memory by content hash: static-i18n builds every
language in one process and each pass reads the same metadata and data
files, and PyYAML parses about 20 times slower than a deep copy.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import yaml

from . import content
from .errors import AlmanacError


class LineDict(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

if getattr(yaml, "__with_libyaml__", False):
    # libyaml's parser with the same constructors and resolver: the same values and lines, parsed about
    # 10 times faster (the data files grow with every publication, and each language's build loads them).
    class _FastLoader(yaml.CSafeLoader):
        pass

    _FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
else:
    _FastLoader = _Loader


_parsed: dict[str, tuple[bytes, object]] = {}


def load(path: Path, shown_as: str, check=None):
    """Parse `path`; a syntax error becomes one line naming `shown_as` and the line.

    `check(text)`, if given, runs on the decoded text before it is parsed (not when the file is in the
    cache): a cheap look that can refuse a file before its slow parse. Each call returns a fresh copy,
    so callers may change what they get."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AlmanacError(f"{shown_as}: cannot read the file: {exc.strerror}.") from None
    # The same normalisation as Markdown pages: BOM dropped, LF line endings, NFC.
    text = content.decode(raw, shown_as)
    digest = hashlib.sha256(raw).digest()
    cached = _parsed.get(str(path))
    if cached and cached[0] == digest:
        return copy.deepcopy(cached[1])
    if check is not None:
        check(text)
    try:
        try:
            data = yaml.load(text, Loader=_FastLoader)
        except yaml.YAMLError:
            # Parsed again for the message: the pure-Python parser's wording and lines are the ones editors see.
            data = yaml.load(text, Loader=_Loader)
        _parsed[str(path)] = (digest, data)
        return copy.deepcopy(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        problem = exc.problem or exc.context or "invalid YAML"
        raise AlmanacError(f"{shown_as}, line {line}: malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise AlmanacError(f"{shown_as}: malformed YAML: {exc}") from None
