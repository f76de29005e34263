"""The theme's compiled templates, shared by builds, language passes and later processes (almanac.templating,
hooks/templates.py): reused only for the same source, the same Jinja and Python and the same environment,
never published, and the pages they render unchanged."""

from __future__ import annotations

import pytest

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import jinja2

from almanac import templating
from tests.conftest import mkdocs_env, run_mkdocs
from tests.test_build import snapshot


def _env(folder: Path, cache, **options) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), **options)
    env.bytecode_cache = cache
    return env


def test_a_later_environment_loads_what_an_earlier_one_compiled_and_an_edit_compiles_again(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ title | upper }}</p>", encoding="utf-8")
    cache_folder = tmp_path / "cache"

    first = templating.CompiledTemplates(cache_folder)
    assert _env(templates, first).get_template("page.html").render(title="x") == "<p>X</p>"
    assert (first.compiled, first.loaded) == (1, 0)
    # Another pass in this process, then another process (a new cache on the same folder): nothing compiled.
    assert _env(templates, first).get_template("page.html").render(title="y") == "<p>Y</p>"
    later = templating.CompiledTemplates(cache_folder)
    assert _env(templates, later).get_template("page.html").render(title="z") == "<p>Z</p>"
    assert (first.compiled, first.loaded, later.compiled, later.loaded) == (1, 1, 0, 1)

    (templates / "page.html").write_text("<p>{{ title }}!</p>", encoding="utf-8")
    assert _env(templates, later).get_template("page.html").render(title="z") == "<p>z!</p>"
    assert later.compiled == 1


def test_code_compiled_for_another_environment_is_not_loaded(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("{% if x %}\n  {{ x | shout }}\n{% endif %}\n", encoding="utf-8")
    cache = templating.CompiledTemplates(tmp_path / "cache")

    plain = _env(templates, cache)
    plain.filters["shout"] = lambda value: f"{value}!"
    assert plain.get_template("page.html").render(x="a") == "\n  a!\n"
    trimmed = _env(templates, cache, trim_blocks=True, lstrip_blocks=True)
    trimmed.filters["shout"] = lambda value: f"{value}!"
    assert trimmed.get_template("page.html").render(x="a") == "  a!\n"
    # The same name, but a filter that is passed the context is called otherwise by the compiled code.
    contextual = _env(templates, cache)
    contextual.filters["shout"] = jinja2.pass_context(lambda context, value: f"{value} in {context['where']}!")
    assert contextual.get_template("page.html").render(x="a", where="b") == "\n  a in b!\n"
    assert (cache.compiled, cache.loaded) == (3, 0)


def test_code_of_another_jinja_or_python_is_removed_and_the_folder_names_both(tmp_path):
    folder = tmp_path / "templates"
    stale = folder / "jinja-3.0.0-cpython-39"
    stale.mkdir(parents=True)
    (stale / "0123").write_bytes(b"old code")
    cache = templating.compiled(folder)
    assert cache.folder.name == f"jinja-{importlib.metadata.version('jinja2')}-{sys.implementation.cache_tag}"
    assert not stale.exists()
    assert templating.compiled(folder) is cache   # one per process


def test_a_site_built_with_compiled_templates_is_the_same_and_holds_none_of_them(mini_project, tmp_path):
    """A cold build (which compiles and stores) and a warm one (which loads) write the same files; the cache
    lives in .cache/almanac/templates/, which no build publishes."""
    cold = run_mkdocs(mini_project, tmp_path / "cold")
    assert cold.returncode == 0, cold.stderr[-2000:]
    stored = list((mini_project / ".cache" / "almanac" / "templates").glob("jinja-*/*"))
    assert len(stored) > 20, "Material's templates were not stored"
    warm = run_mkdocs(mini_project, tmp_path / "warm")
    assert warm.returncode == 0, warm.stderr[-2000:]
    assert snapshot(tmp_path / "cold") == snapshot(tmp_path / "warm")
    published = {path.name for path in (tmp_path / "warm").rglob("*")}
    assert not published & {path.name for path in stored}


@pytest.mark.slow
def test_every_language_pass_after_the_first_compiles_nothing(mini_project, tmp_path):
    """One build of three languages in one process: the second and third passes load every template."""
    script = ("import sys\n"
              "from almanac import templating\n"
              "from mkdocs.__main__ import cli\n"
              "try:\n"
              f"    cli(['build', '--strict', '--site-dir', {str(tmp_path / 'site')!r}])\n"
              "except SystemExit as end:\n"
              "    assert not end.code, end.code\n"
              "cache = next(iter(templating._compiled.values()))\n"
              "print(cache.compiled, cache.loaded)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=mini_project, env=mkdocs_env(), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    compiled, loaded = map(int, result.stdout.split()[-2:])
    # A few templates are met only in a later pass (its language's partial), and compiled there.
    assert compiled > 20 and loaded >= 1.5 * compiled, (compiled, loaded)
