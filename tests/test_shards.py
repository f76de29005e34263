"""The languages built at once, or apart as CI shards and then assembled, make the same site byte for byte as
static-i18n's build of every language in turn; a language that fails fails the whole build and changes nothing.

The reference is `mkdocs build --strict` on a small project (one process, every language in turn, as
conftest builds the real site). Its home page falls back to Russian in en and kk and its publication falls
back in kk, so fallback notices, canonical links, search indexes without fallbacks and the sitemap are all
compared. Site only: PDFs are off in the small project (the PDF cache is content-hashed and shared).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_mini_project, mkdocs_env, run_mkdocs
from tests.test_build import snapshot

# Each test builds a small project two or three ways, in processes of their own: the full lane (make test-all).
pytestmark = pytest.mark.slow

ALMANAC = Path(sys.executable).with_name("almanac")
LANGUAGES = ("ru", "en", "kk")


def almanac(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ALMANAC), *args], cwd=project, env=mkdocs_env(), capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A small project and the site static-i18n builds from it, every language in turn in one process."""
    project = make_mini_project(tmp_path_factory.mktemp("shards"))
    site = project.parent / "reference"
    result = run_mkdocs(project, site)
    assert result.returncode == 0, result.stderr[-3000:]
    files = snapshot(site)
    # What the comparison must cover: every language, fallbacks, per-language search, the sitemap, the 404s.
    for name in ("sitemap.xml", "sitemap.xml.gz", "404.html", "en/404.html", "kk/404.html", "search/search_index.json",
                 "en/search/search_index.json", "kk/search/search_index.json", "kk/demo-report-2023/index.html"):
        assert name in files, name
    assert "almanac-original" in (site / "en" / "index.html").read_text(encoding="utf-8")
    return project, files


def differences(expected: dict[str, str], site: Path) -> list[str]:
    found = snapshot(site)
    return sorted(name for name in expected.keys() | found.keys() if expected.get(name) != found.get(name))


def reader_view(html: str) -> list[str]:
    """What a page gives its reader besides the navigation: its language, title, canonical and alternate
    links, its content (the article) and its scripts' and styles' addresses."""
    view = re.findall(r'<html [^>]*>|<title>.*?</title>|<link rel="(?:canonical|alternate)"[^>]*>|'
                      r'<script src="[^"]*"|<link rel="stylesheet"[^>]*>|<meta http-equiv[^>]*>', html, re.S)
    article = re.search(r"<article.*?</article>", html, re.S)
    return view + [article.group(0) if article else ""]


def test_the_units_give_readers_the_pages_of_a_build_in_turn(reference):
    """`almanac build` builds unit by unit (almanac.units): every file is the reference's, byte for byte,
    but the navigation, which holds the page's own publication (or the library's pages) only."""
    project, expected = reference
    result = almanac(project, "build", "--site-dir", "site-units", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    site = project / "site-units"
    found = snapshot(site)
    assert sorted(found) == sorted(expected)
    reference_site = project.parent / "reference"
    pages = [name for name in expected if name.endswith(".html")]
    derived = {f"{name}{suffix}" for name in pages for suffix in (".gz", ".br")}
    assert [name for name in expected if name not in pages and name not in derived
            and expected[name] != found[name]] == []
    for name in pages:
        built = (site / name).read_text(encoding="utf-8")
        assert reader_view(built) == reader_view((reference_site / name).read_text(encoding="utf-8")), name
    chapter = (site / "en" / "demo-report-2023" / "index.html").read_text(encoding="utf-8")
    assert 'class="md-header__button md-logo"' in chapter and 'href="../"' in chapter   # the library, one up
    assert "translation-status" not in chapter.split("<article", 1)[0]   # the nav holds the publication only
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "demo-report-2023/" in home   # the catalogue's card
    assert not list(project.glob(".site-tmp-*")), "a temporary folder was left behind"


def test_the_site_built_on_a_dask_cluster_is_the_local_build_byte_for_byte(tmp_path):
    """With a scheduler named, every unit (its pages and its PDFs) is built by the cluster's workers and comes
    back as an archive; the assembled site is the local build's, byte for byte."""
    from distributed import LocalCluster

    from tests.conftest import set_almanac

    project = make_mini_project(tmp_path)
    set_almanac(project, pdf="true", print_downloads="true")
    local = almanac(project, "build", "--site-dir", "site-local")
    assert local.returncode == 0, local.stderr[-3000:]
    shutil.rmtree(project / ".cache")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        remote = subprocess.run([str(ALMANAC), "build", "--site-dir", "site-cluster"], cwd=project,
                                env=dict(mkdocs_env(), ALMANAC_SCHEDULER=cluster.scheduler_address),
                                capture_output=True, text=True, timeout=600)
    assert remote.returncode == 0, remote.stderr[-3000:]
    assert "2 units (2 built, 0 reused)" in remote.stderr and "6 PDFs (6 rendered, 0 reused)" in remote.stderr, \
        remote.stderr[-2000:]
    expected = snapshot(project / "site-local")
    assert any(name.endswith(".pdf") for name in expected)
    assert differences(expected, project / "site-cluster") == []


def test_shards_built_apart_assemble_into_the_site_of_a_build_in_turn(reference):
    project, expected = reference
    # As CI runs them: one job per language, at the same time, each with its own process.
    jobs = [subprocess.Popen([str(ALMANAC), "build", "--shard", lang, "--shard-dir", "shards"], cwd=project,
                             env=mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for lang in LANGUAGES]
    for job in jobs:
        output = job.communicate(timeout=300)[0]
        assert job.returncode == 0, output[-3000:]
    assert sorted(p.name for p in (project / "shards").iterdir()) == sorted(LANGUAGES)
    # A shard holds only what its language owns in the whole site.
    assert {p.name for p in (project / "shards" / "en").iterdir()} == {"en", ".almanac-shard"}

    # A missing language: assembling fails with one line, and the site it would replace is left alone.
    shutil.copytree(project / "shards", project / "incomplete", ignore=shutil.ignore_patterns("kk"))
    (project / "site-assembled").mkdir()
    (project / "site-assembled" / "index.html").write_text("previous", encoding="utf-8")
    failed = almanac(project, "assemble", "--shard-dir", "incomplete", "--site-dir", "site-assembled")
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [
        "Error: kk: no shard of this language among " + ", ".join(str(project / "incomplete" / lang)
                                                                     for lang in ("en", "ru"))
        + "; build it with 'almanac build --shard kk'."], failed.stderr
    assert [p.name for p in (project / "site-assembled").iterdir()] == ["index.html"]
    assert (project / "site-assembled" / "index.html").read_text(encoding="utf-8") == "previous"

    result = almanac(project, "assemble", "--shard-dir", "shards", "--site-dir", "site-assembled")
    assert result.returncode == 0, result.stderr[-3000:]
    assert differences(expected, project / "site-assembled") == []
    assert not list(project.glob(".site-tmp-*")), "a temporary folder was left behind"


def test_a_language_that_fails_fails_the_whole_build_and_leaves_the_site(reference, tmp_path):
    project, expected = reference
    broken = make_mini_project(tmp_path)
    shutil.copytree(project.parent / "reference", broken / "site")
    shutil.copytree(project / ".cache", broken / ".cache")  # charts already drawn: no child imports matplotlib
    # Only the kk pass reads the kk translation: ru and en build, kk fails.
    chapter = broken / "content" / "demo-report-2023" / "index.kk.md"
    chapter.write_text("# Жылдық есеп\n\n{{ nothing() }}\n", encoding="utf-8")

    result = almanac(broken, "build", "--jobs", "3")

    assert result.returncode == 1, result.stderr[-3000:]
    # Shown once, though every child saw the page's file: only the kk child reads it.
    errors = [line for line in result.stderr.splitlines() if "unknown marker" in line]
    assert len(errors) == 1 and errors[0].startswith("ERROR   -  content/demo-report-2023/index.kk.md, line 3: "), \
        result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "The build failed; site/ was left as it was." in result.stderr
    assert differences(expected, broken / "site") == [], "a failed build changed site/"
    assert not list(broken.glob(".site-tmp-*")), "a temporary folder was left behind"


def test_a_shard_keeps_its_folder_its_records_and_what_its_outputs_claimed(tmp_path):
    """An output that writes outside its language's folder says so (shards.claim), and only that survives:
    what the theme or the default language writes again in every pass is dropped from en and kk."""
    from almanac import shards

    shard = tmp_path / "en"
    for name in ("en/index.html", "assets/stylesheets/x.css", "404.html", "pdf/x.en.pdf", "pdf/stale.pdf",
                 "epub/x.en.epub", "search/search_index.json"):
        (shard / name).parent.mkdir(parents=True, exist_ok=True)
        (shard / name).write_text(name, encoding="utf-8")
    shards.claim(shard, "pdf", ["pdf/x.en.pdf"])
    shards.claim(shard, "epub", ["epub/x.en.epub"])
    shards.finish(shard, "en", ["ru", "en"], "inputs")
    kept = sorted(p.relative_to(shard).as_posix() for p in shard.rglob("*") if p.is_file()
                  and shards.PARTS not in p.parts)
    assert kept == ["en/index.html", "epub/x.en.epub", "pdf/x.en.pdf"]
    assert not (shard / "assets").exists() and not (shard / "search").exists()
