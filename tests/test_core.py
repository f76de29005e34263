"""The `almanac` core stands without the site engine: no module imports MkDocs, Material or static-i18n,
and the real project's data, tables, charts, translation state and a PDF can be made with the core alone.

Each check runs in a fresh interpreter, so nothing imported by other tests can hide an import.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import textwrap

import almanac
from tests.conftest import ROOT

ENGINE = ("mkdocs", "material", "mkdocs_static_i18n")


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_no_module_of_the_core_imports_the_engine():
    modules = sorted(f"almanac.{m.name}" for m in pkgutil.iter_modules(almanac.__path__))
    assert "almanac.cli" in modules and "almanac.project" in modules
    loaded = json.loads(run_python(f"""
        import importlib, json, sys
        for name in {modules!r}:
            importlib.import_module(name)
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {ENGINE!r})))
    """))
    assert loaded == [], f"importing the core loaded {loaded}"


def test_the_core_alone_builds_tables_charts_translation_state_and_a_pdf(tmp_path):
    out = json.loads(run_python(f"""
        import json, sys
        from pathlib import Path
        from almanac import brochures, charts, context, fonts, markers, pdf, translations
        from almanac.project import Project

        root = Path({str(ROOT)!r})
        project = Project.load(root, root / "content", ["ru", "en", "kk"], {{"translations": {{"en": "*"}}}})
        painter = charts.Painter(context.fonts_dir(root), Path({str(tmp_path)!r}) / "fonts",
                                 Path({str(tmp_path)!r}) / "charts")
        pages = {{}}
        for lang in ("ru", "en"):
            renderer = markers.Renderer(project.datasets, project.locales, lang,
                                        root / "overrides" / "partials" / "almanac", painter, print)
            expansion = renderer.expand('{{{{ indicators("runpud-2021-2024", group="1.1") }}}}\\n\\n'
                                        '{{{{ chart("runpud-2021-2024", "activity-targets") }}}}\\n',
                                        "content/runpud-2021-2024/03-goals.md", "../assets/data/")
            pages[lang] = expansion.markdown
        matrix = translations.matrix(project.publications, project.docs_dir, project.languages,
                                     project.settings["translations"])
        chapter = pdf.Chapter("runpud-2021-2024/index.md", "Глава",
                              "<h1>Глава</h1><p>Текст главы.</p>" + pages["ru"], "ru", "runpud-2021-2024/")
        # The job as the build makes it (cover, labels, dates), with this one chapter.
        job = brochures.job(project, "runpud-2021-2024", "ru", {{"runpud-2021-2024/index.md": chapter}},
                            "https://example.org/", False, "shared", Path({str(tmp_path)!r}))
        job.cache_path = Path({str(tmp_path)!r}) / "x.pdf"
        css = fonts.with_ttf_sources((root / "overrides/print/print.css").read_text(encoding="utf-8"),
                                     context.fonts_dir(root), Path({str(tmp_path)!r}) / "fonts")
        name, count, seconds, error = pdf.render(job, css, str(root))
        engine = sorted(m for m in sys.modules if m.split(".")[0] in {ENGINE!r})
        print(json.dumps({{"pages": pages, "states": sorted({{e.state for e in matrix}}), "pdf_pages": count,
                          "error": error, "engine": engine, "publications": len(project.publications)}}))
    """))
    assert out["engine"] == []
    assert out["publications"] == 5
    ru, en = out["pages"]["ru"], out["pages"]["en"]
    assert "<table" in ru and "<svg" in ru and "<table" in en and "<svg" in en
    assert ru != en and "модул" in ru and "module" in en
    assert {"source", "current", "fallback"} <= set(out["states"])
    assert out["error"] is None and out["pdf_pages"] >= 2
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF-")
