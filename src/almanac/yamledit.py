"""Minimal edits to a YAML file's text: set some string values, keep every other byte.

Reads and writes nothing itself: `edit(text, updates, shown)` returns the new text of a file the
caller read, and the caller writes it.

Why text surgery rather than load-and-dump: the project's YAML files carry comments that explain the
source (why a unit has a form, where a number comes from), flow mappings such as
`label: {ru: "…", en: "…"}` and a chosen key order, and a dump would lose all three. PyYAML's
composed nodes know where each scalar starts and ends, so a changed value is replaced in place
(written as a double-quoted string: a JSON string is a valid YAML one) and a new key is inserted
after its mapping's last entry, in the mapping's own style (flow or block, same indentation).
An unchanged value is never touched, even if it is written differently.

Every edit is verified: the new text is parsed again and must give exactly the old data with the
updates applied, or the edit is refused (AlmanacError) and the caller writes nothing.
"""

from __future__ import annotations

import copy
import json
import re

import yaml

from .errors import AlmanacError

# A path step: a mapping key (str), or an ("id", value) pair that picks the list item with that id.
_PLAIN_KEY = re.compile(r"[A-Za-z_][\w-]*")
_CATEGORIES = {"zero", "one", "two", "few", "many", "other"}


def edit(text: str, updates: list[tuple[tuple, str]], shown: str) -> str:
    """`text` with each (path, value) set; a path leads through mappings (str keys) and list items
    (("id", value)) to a string. Missing keys at the end of a path are created; a missing list item
    is an AlmanacError naming `shown`."""
    if not updates:
        return text
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if root is None:
        # A new file (a new language's interface strings): the keys in the order given, in block style.
        tree: dict = {}
        for path, value in updates:
            node = tree
            for step in path[:-1]:
                node = node.setdefault(step, {})
            node[path[-1]] = value
        return text + "".join(line + "\n" for line in _render_block(tree, ""))
    replacements: list[tuple[int, int, str]] = []
    inserts: dict[int, tuple[yaml.Node, dict]] = {}
    for path, value in updates:
        node, depth = _deepest(root, path, shown)
        if depth == len(path):
            if not isinstance(node, yaml.ScalarNode):
                raise AlmanacError(f"{shown}, line {node.start_mark.line + 1}: expected text at "
                                   f"'{_dotted(path)}', found a {node.tag.rsplit(':', 1)[-1]}.")
            if node.value != value or node.tag != "tag:yaml.org,2002:str":
                replacements.append((node.start_mark.index, node.end_mark.index, _quote(value)))
            continue
        if not isinstance(node, yaml.MappingNode) or any(not isinstance(step, str) for step in path[depth:]):
            raise AlmanacError(f"{shown}: no place for '{_dotted(path)}'; expected a mapping at "
                               f"'{_dotted(path[:depth]) or 'the top'}'.")
        tree = inserts.setdefault(id(node), (node, {}))[1]
        for step in path[depth:-1]:
            tree = tree.setdefault(step, {})
        tree[path[-1]] = value
    edits = replacements + [_insertion(text, node, tree) for node, tree in inserts.values()]
    # From the end backwards, so that each position still means what it meant in the original text.
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def verify(old: str, new: str, updates: list[tuple[tuple, str]], shown: str) -> None:
    """AlmanacError unless `new` parses to `old`'s data with exactly `updates` applied."""
    expected = copy.deepcopy(yaml.safe_load(old)) if old.strip() else {}
    for path, value in updates:
        node = expected
        for step in path[:-1]:
            node = _child(node, step, create=True)
        node[path[-1]] = value
    try:
        found = yaml.safe_load(new)
    except yaml.YAMLError:
        found = None
    if found != expected:
        raise AlmanacError(f"{shown}: the new values could not be written without changing others; nothing was "
                           f"written. Edit the file by hand, or report this with the file attached.")


def _deepest(root, path: tuple, shown: str):
    """The node at `path`, or the deepest node that exists along it, and how many steps were taken."""
    node = root
    for depth, step in enumerate(path):
        child = None
        if isinstance(step, tuple) and isinstance(node, yaml.SequenceNode):
            child = next((item for item in node.value if isinstance(item, yaml.MappingNode)
                          and any(k.value == step[0] and v.value == step[1] for k, v in item.value)), None)
            if child is None:
                raise AlmanacError(f"{shown}: no item with {step[0]} {step[1]!r} at '{_dotted(path[:depth])}'.")
        elif isinstance(step, str) and isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        if child is None:
            return node, depth
        node = child
    return node, len(path)


def _insertion(text: str, node: yaml.MappingNode, tree: dict) -> tuple[int, int, str]:
    """Where and what to insert so that the new keys of `tree` end `node`, in its style."""
    if node.flow_style or not node.value:
        position = node.value[-1][1].end_mark.index if node.value else node.end_mark.index - 1
        items = ", ".join(f"{_key(k)}: {_render_flow(v)}" for k, v in tree.items())
        return position, position, (", " if node.value else "") + items
    indent = " " * node.value[0][0].start_mark.column
    end = _content_end(node)
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return line_end, line_end, "".join("\n" + line for line in _render_block(tree, indent))


def _content_end(node: yaml.Node) -> int:
    """Where the last scalar or flow collection inside `node` ends (a block collection's own end mark
    lies past the comments and blank lines that follow it)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark.index


def _render_block(tree: dict, indent: str) -> list[str]:
    lines = []
    for key, value in tree.items():
        if isinstance(value, dict) and not (set(value) <= _CATEGORIES or any(k.startswith("=") for k in value)):
            lines.append(f"{indent}{_key(key)}:")
            lines.extend(_render_block(value, indent + "  "))
        else:
            lines.append(f"{indent}{_key(key)}: {_render_flow(value)}")
    return lines


def _render_flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_render_flow(v)}" for k, v in value.items()) + "}"
    return _quote(value)


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) and yaml.safe_load(key) == key else _quote(key)


def _quote(value: str) -> str:
    # JSON's escapes are YAML's; the Unicode line separators are escaped too, as YAML reads them as breaks.
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _child(node, step, create: bool = False):
    if isinstance(step, tuple):
        return next(item for item in node if isinstance(item, dict) and item.get(step[0]) == step[1])
    if create and step not in node:
        node[step] = {}
    return node[step]


def _dotted(path: tuple) -> str:
    return ".".join(f"[{step[1]}]" if isinstance(step, tuple) else str(step) for step in path)
