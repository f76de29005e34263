"""The benchmark's corpus generator: deterministic, and what it makes passes Almanac's own checks.

Generates one publication (scale 0.2) twice into tmp_path and compares the bytes, then loads the
generated project with the core (`Project.load`: settings, publications, organisations, data files)
and runs the content, translation and marker checks a build would run, without building.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
from pathlib import Path

import pytest
import yaml

from almanac import content, markers, multilingual, translations
from almanac.project import Project

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["ru", "en", "kk"]


def _corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus():
    return _corpus_module()


@pytest.fixture(scope="module")
def generated(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    first, second = folder / "a", folder / "b"
    summary = corpus.generate(first, 0.2, seed=7)
    corpus.generate(second, 0.2, seed=7)
    return first, second, summary


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_same_seed_gives_the_same_bytes(generated):
    first, second, summary = generated
    assert summary["publications"] == 1
    assert _files(first) == _files(second)


def _settings(root: Path) -> tuple[dict, str]:
    """extra.almanac from the generated mkdocs.yml; !ENV takes its default, Python tags are not needed here."""
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: loader.construct_sequence(node)[-1])
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=Loader)["extra"]["almanac"], text


def test_the_generated_project_passes_the_content_checks(generated, caplog):
    root, _, summary = generated
    raw, text = _settings(root)
    docs = root / "content"
    project = Project.load(root, docs, LANGUAGES, raw, text)
    slug = summary["edit_target"]["slug"]
    assert [pub.slug for pub in project.publications] == [slug]
    assert slug in project.datasets

    for path in sorted(docs.rglob("*.md")):
        content.read(path, path.relative_to(root).as_posix(), docs)

    matrix = translations.matrix(project.publications, docs, LANGUAGES, project.settings["translations"])
    assert multilingual.problems(matrix, root) == []          # nothing stale or missing: a strict build passes
    states = {entry.state for entry in matrix}
    assert {"source", "current", "fallback"} <= states       # partial translations fall back
    target = summary["edit_target"]["file"].removeprefix("content/")
    assert {e.state for e in matrix if e.chapter == target and e.lang != "ru"} == {"fallback"}

    # Every table marker expands with no warning in the language its page is in (a translation `x.en.md` in
    # its own, a Russian page in Russian: a fallback page shows the original; charts are drawn by the build).
    caplog.set_level(logging.WARNING)
    warnings: list[str] = []
    for lang in LANGUAGES:
        renderer = markers.Renderer(project.datasets, project.locales, lang,
                                    root / "overrides" / "partials" / "almanac", None, warnings.append)
        for path in sorted(docs.glob(f"{slug}/*.md")):
            suffix = path.suffixes[-2].lstrip(".") if len(path.suffixes) > 1 else "ru"
            if suffix != lang:
                continue
            page = content.read(path, path.name, docs)
            tables = "\n".join(line for line in page.text.split("\n") if line.startswith("{{ indicators("))
            renderer.expand(tables, path.name)
        charts = [m for path in docs.glob(f"{slug}/*.md")
                  for m in re.findall(r'\{\{ chart\("[^"]+", "([^"]+)"\) \}\}', path.read_text(encoding="utf-8"))]
        assert set(charts) <= set(project.datasets[slug].charts)
    assert warnings == [] and not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_another_seed_gives_other_text_and_stale_stamps_are_reported(corpus, generated, tmp_path):
    root = tmp_path / "stale"
    other = corpus.generate(root, 0.2, seed=8, stale=2)
    assert other["fingerprint"] != generated[2]["fingerprint"]
    raw, text = _settings(root)
    project = Project.load(root, root / "content", LANGUAGES, raw, text)
    matrix = translations.matrix(project.publications, root / "content", LANGUAGES, project.settings["translations"])
    assert sum(entry.state == "stale" for entry in matrix) == 2


def test_every_inline_value_marker_of_a_larger_corpus_reads(corpus, tmp_path):
    """The template's inline value markers go back among the generated words whole: no bold word splits one.

    10x with the benchmark's seed, where a bold word once landed inside a marker and stopped the build."""
    root = tmp_path / "x10"
    corpus.generate(root, 10, seed=1)
    read = 0
    for path in sorted((root / "content").rglob("*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            read += len(list(markers.inline_markers(line, path.name, number)))
    assert read > 500, f"only {read} inline markers in a corpus of ten times the real library"
