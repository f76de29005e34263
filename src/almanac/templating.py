"""Jinja environments for the project's own templates, and compiled templates shared between builds.

Reads: templates under overrides/; compiled templates in .cache/almanac/templates/<key>/.
Writes: compiled templates there (`CompiledTemplates`), removing the folders of other keys.

One environment per folder, so each template is compiled once per process
rather than once per page or per PDF. Jinja checks the files' modification
times, so `mkdocs serve` still sees edited templates.

The site's engine makes a new Jinja environment for every build and every
language pass, which would compile the theme's templates again each time (half
the cost of building one publication). `compiled(folder, env)` gives such an
environment a bytecode cache shared by every build of the process and kept on
disk for the next processes. What makes it safe:
- Jinja stores a hash of each template's source with its code and compiles again
  when the source differs (an edited override);
- the folder is named by the Jinja version and the Python bytecode tag, and a
  template's key holds the environment's compiling options (its syntax, its
  filters and tests and what each is passed), so code compiled by another
  Jinja, another Python or for another environment is never loaded.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

_environments: dict[str, jinja2.Environment] = {}


def environment(folder: Path) -> jinja2.Environment:
    key = str(folder)
    if key not in _environments:
        _environments[key] = jinja2.Environment(loader=jinja2.FileSystemLoader(key), autoescape=True,
                                                undefined=jinja2.StrictUndefined)
    return _environments[key]


class CompiledTemplates(BytecodeCache):
    """Compiled templates in memory for the life of the process, and in `folder` for the next ones.

    Each template is keyed by its name, its file and the environment's compiling options; Jinja checks the
    code against a hash of the source."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.code: dict[str, bytes] = {}
        self.loaded = self.compiled = 0      # templates taken from this cache, and compiled afresh

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None, source: str) -> Bucket:
        key = hashlib.sha256("\0".join([_compiling_key(environment), name, filename or ""]).encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is None:
            try:
                code = (self.folder / bucket.key).read_bytes()
            except OSError:
                return
        bucket.bytecode_from_string(code)
        if bucket.code is not None:
            self.code[bucket.key] = code
            self.loaded += 1

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = bucket.bytecode_to_string()
        self.code[bucket.key] = code
        self.compiled += 1
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: language builds run at once, and none may read half a file.
            partial = self.folder / f"{bucket.key}.{os.getpid()}.tmp"
            partial.write_bytes(code)
            partial.replace(self.folder / bucket.key)
        except OSError:
            pass   # a cache that cannot be written costs only time: the template is compiled again next build


_compiled: dict[Path, CompiledTemplates] = {}


def compiled(folder: Path) -> CompiledTemplates:
    """The cache of compiled templates kept under `folder`, one per process."""
    where = folder / f"jinja-{importlib.metadata.version('jinja2')}-{sys.implementation.cache_tag}"
    if where not in _compiled:
        if folder.is_dir():
            # Code of another Jinja or Python is never loaded again: not kept either.
            for other in folder.iterdir():
                if other.is_dir() and other.name != where.name:
                    shutil.rmtree(other, ignore_errors=True)
        _compiled[where] = CompiledTemplates(where)
    return _compiled[where]


def _compiling_key(env: jinja2.Environment) -> str:
    """What the code Jinja compiles depends on besides the template's source and Jinja's version."""
    options = [env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
               env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
               env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
               env.keep_trailing_newline, env.optimized, _name(env.autoescape), _name(env.undefined),
               _name(env.finalize), *sorted(env.extensions),
               # A filter's or test's call passes the context, the environment or neither, as compiled.
               *(f"{kind}:{name}:{getattr(func, 'jinja_pass_arg', None)}"
                 for kind, table in (("f", env.filters), ("t", env.tests)) for name, func in sorted(table.items()))]
    return "\0".join(map(str, options))


def _name(value) -> str:
    # A function or class by its qualified name: its repr holds a memory address, different in every process.
    if value is None or not callable(value):
        return repr(value)
    return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(type(value)))}"


# The files of each installed theme's folder, listed once per process: MkDocs lists them at every build and
# language pass to find the static files among them, and Material's icon set alone is 14,500 files.
_listed: dict[str, list[str]] = {}


def theme_files(folder: str, fresh: bool = False) -> list[str]:
    """The files of a theme folder as Jinja's FileSystemLoader lists them, without hidden folders (which MkDocs
    never copies: '.*' and '*/.*'); listed again when `fresh` (the project's overrides, which an editor edits)."""
    if fresh or folder not in _listed:
        _listed[folder] = [name for name in jinja2.FileSystemLoader(folder).list_templates()
                           if not name.startswith(".") and "/." not in name]
    return _listed[folder]
