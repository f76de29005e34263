"""A preview that always answers: after a save that cannot be built, `almanac serve` answers every request
within a second with the last good page and a banner naming the file, the line and the problem, and the
save that fixes it brings the page back.

One server per kind of preview (the whole site, `make serve`; one publication in one language,
`make serve PUB=… LANG=…`) on a small project of its own, for every kind of bad save in turn.
"""

from __future__ import annotations

import html
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, make_mini_project, mkdocs_env
from tests.test_preview import Preview

SLUG = "demo-report-2023"
PAGE = f"en/{SLUG}/"          # served by both kinds of preview
TITLE = "Annual report"       # the page's heading
BANNER = 'class="almanac-preview-problem"'
KINDS = {"whole site": [], "one publication": ["--publication", SLUG, "--language", "en"]}


def _project(folder: Path) -> Path:
    """The small project, with a second chapter to delete."""
    project = make_mini_project(folder)
    publication = project / "content" / SLUG
    (publication / "02-more.md").write_text("# Ещё глава\n\nВторая глава.\n", encoding="utf-8")
    with (publication / "publication.yml").open("a", encoding="utf-8") as metadata:
        metadata.write("  - 02-more.md\n")
    return project


@pytest.fixture(scope="module")
def previews(tmp_path_factory):
    """Each kind of preview, started on demand and kept for the module: {kind: (Preview, project)}."""
    running: dict[str, tuple[Preview, Path]] = {}

    def start(kind: str) -> tuple[Preview, Path]:
        if kind not in running:
            project = _project(tmp_path_factory.mktemp(kind.replace(" ", "-")))
            preview = Preview(project, *KINDS[kind])
            running[kind] = preview, project
            _until(preview, PAGE, lambda status, page: status == 200 and TITLE in page, "the first build", 90,
                   starting=True)
        return running[kind]

    yield start
    for preview, _ in running.values():
        preview.stop()


def _answer(preview: Preview, path: str, starting: bool = False) -> tuple[int, str] | None:
    """The status and page at `path`, which must come within a second (None while the server starts)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(preview.base + path, timeout=1) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        if starting and isinstance(getattr(exc, "reason", exc), ConnectionRefusedError):
            return None
        pytest.fail(f"{path}: no answer within a second ({exc}):\n" + "".join(preview.lines)[-3000:])
    elapsed = time.monotonic() - started
    assert elapsed < 1, f"{path}: answered in {elapsed:.2f} s"
    return status, body.decode("utf-8")


def _until(preview: Preview, path: str, check, what: str, timeout: float = 60, starting: bool = False):
    """Ask for `path` until `check(status, page)`; every answer must come within a second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if preview.process.poll() is not None:
            pytest.fail(f"the preview stopped while waiting for {what}:\n" + "".join(preview.lines)[-3000:])
        answer = _answer(preview, path, starting)
        if answer and check(*answer):
            return answer
        time.sleep(0.2)
    pytest.fail(f"the preview never showed {what}; it last answered {answer and answer[0]}:\n"
                + (answer[1][-1500:] if answer else "") + "".join(preview.lines)[-3000:])


def _label(lang: str, key: str) -> str:
    labels = yaml.safe_load((ROOT / "locales" / f"{lang}.yml").read_text(encoding="utf-8"))["preview"][key]
    return html.escape(labels, quote=False)


# Each bad save: what it does to the project (it returns how to undo it), and what the page must then say.
def _broken_front_matter(project: Path):
    page = project / "content" / SLUG / "index.en.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"^source_hash: .*$", "source_hash: [unclosed", original, count=1, flags=re.M),
                    encoding="utf-8")
    return lambda: page.write_text(original, encoding="utf-8")


def _deleted_chapter(project: Path):
    chapter = project / "content" / SLUG / "02-more.md"
    original = chapter.read_text(encoding="utf-8")
    chapter.unlink()
    return lambda: chapter.write_text(original, encoding="utf-8")


def _renamed_data_file(project: Path):
    data = project / "data" / "indicators" / f"{SLUG}.yml"
    renamed = data.with_name("demo-report.yml")
    data.rename(renamed)
    return lambda: renamed.rename(data)


def _broken_locale(project: Path):
    labels = project / "locales" / "en.yml"
    original = labels.read_text(encoding="utf-8")
    labels.write_text(original + "broken: [\n", encoding="utf-8")
    return lambda: labels.write_text(original, encoding="utf-8")


CASES = {
    "broken front matter": (_broken_front_matter, {
        "": rf"content/{SLUG}/index\.en\.md, line 2: the front matter is not valid YAML"}),
    "a deleted chapter still listed": (_deleted_chapter, {
        "": rf"content/{SLUG}/publication\.yml, line 10, 'chapters': the file '02-more\.md' does not exist"}),
    # The whole site checks every data file when the build starts; one publication reads only those its pages show.
    "a renamed data file": (_renamed_data_file, {
        "whole site": r"data/indicators/demo-report\.yml, line 2, 'publication': expected 'demo-report'",
        "one publication": rf"content/{SLUG}/index\.en\.md, line 9: unknown publication '{SLUG}'"}),
    "broken locale YAML": (_broken_locale, {"": r"locales/en\.yml, line \d+: malformed YAML"}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_save_is_named_on_the_last_good_page_at_once_and_the_fix_brings_the_page_back(previews, kind, case):
    preview, project = previews(kind)
    breaks, expected = CASES[case]
    pattern = expected.get(kind, expected.get(""))
    undo = breaks(project)
    try:
        status, page = _until(preview, PAGE, lambda status, page: BANNER in page, f"the banner after {case}")
        assert status == 200 and "<h1" in page and TITLE in page, "not the last good page"
        banner = page[page.index(BANNER):]
        assert re.search(pattern, html.unescape(banner)), banner[:1500]
        # In the page's language, and escaped: the problem is text from the file.
        assert _label("en", "failed") in banner and _label("en", "fix") in banner
        assert "<stream end>" not in banner
        # The browser still reloads by itself when a build ends.
        assert "livereload(" in page
    finally:
        undo()
    _until(preview, PAGE, lambda status, page: status == 200 and BANNER not in page and TITLE in page,
           f"the page again after fixing {case}")
    assert "Traceback" not in "".join(preview.lines)


@pytest.mark.slow
def test_the_whole_site_preview_rebuilds_after_a_save_in_data_or_locales(previews):
    preview, project = previews("whole site")
    watching = next(line for line in preview.lines if "Watching paths for changes" in line)
    assert all(name in watching for name in ("content", "mkdocs.yml", "data", "locales", "overrides")), watching
    data = project / "data" / "indicators" / f"{SLUG}.yml"
    labels = project / "locales" / "en.yml"
    originals = {path: path.read_text(encoding="utf-8") for path in (data, labels)}
    try:
        data.write_text(originals[data].replace('en: "Results"', 'en: "Outcomes of the year"'), encoding="utf-8")
        _until(preview, PAGE, lambda status, page: "Outcomes of the year" in page, "the saved data file")
        labels.write_text(originals[labels].replace('indicator: "Indicator"', 'indicator: "Measure of progress"'),
                          encoding="utf-8")
        _until(preview, PAGE, lambda status, page: "Measure of progress" in page, "the saved locale")
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
    _until(preview, PAGE, lambda status, page: "Outcomes of the year" not in page and "Measure of progress" not in page,
           "the page as it was")


def test_saves_in_quick_succession_show_at_once_and_the_library_follows_the_last(previews):
    # A save that comes while the library is still being built for the previous one does not wait for it:
    # its publication is built at once, and the catalogue catches up with the last save.
    preview, project = previews("whole site")
    metadata = project / "content" / SLUG / "publication.yml"
    original = metadata.read_text(encoding="utf-8")
    try:
        for number in range(1, 4):
            title = f"Annual report, draft {number}"
            metadata.write_text(original.replace('en: "Annual report (test data)"', f'en: "{title}"'),
                                encoding="utf-8")
            _until(preview, f"en/{SLUG}/", lambda status, page: title in page, f"save {number} on its page")
        _until(preview, "en/", lambda status, page: "Annual report, draft 3" in page and "draft 2" not in page,
               "the last save in the catalogue")
    finally:
        metadata.write_text(original, encoding="utf-8")
    _until(preview, "en/", lambda status, page: "draft" not in page, "the catalogue as it was")


@pytest.mark.slow
def test_a_failed_first_build_still_serves_a_page_naming_the_problem_and_recovers(tmp_path):
    project = _project(tmp_path)
    undo = _broken_front_matter(project)
    preview = Preview(project)
    try:
        status, page = _until(preview, PAGE, lambda status, page: BANNER in page, "the problem page", 90,
                              starting=True)
        assert status == 503 and _label("ru", "none") in page
        assert re.search(rf"content/{SLUG}/index\.en\.md, line 2: the front matter is not valid YAML",
                         html.unescape(page)), page
        assert "livereload(" in page
        # Any address answers so, not only pages.
        assert BANNER in _answer(preview, "assets/stylesheets/almanac.css")[1]
        undo()
        _until(preview, PAGE, lambda status, page: status == 200 and TITLE in page and BANNER not in page,
               "the page after the fix")
        assert preview.process.poll() is None
        assert "Traceback" not in "".join(preview.lines)
    finally:
        preview.stop()


@pytest.mark.parametrize("kind", KINDS)
def test_a_taken_port_is_one_line_naming_the_address(mini_project, kind):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        almanac = Path(sys.executable).with_name("almanac")
        result = subprocess.run([str(almanac), "serve", "--dev-addr", address, *KINDS[kind]], cwd=mini_project,
                                env=mkdocs_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    output = (result.stdout + result.stderr).splitlines()
    errors = [line for line in output if line.startswith("Error:")]
    assert len(errors) == 1 and address in errors[0] and "--dev-addr" in errors[0], output
    assert "Traceback" not in result.stderr
    assert [line for line in output if not line.startswith(("Error:", "Previewing "))] == [], output


def test_the_banner_escapes_the_problem_and_speaks_the_page_language(tmp_path):
    from almanac import serving

    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    labels = serving.Labels(tmp_path)
    for lang in ("ru", "en", "kk"):
        assert all(labels.get(lang)[key] for key in serving.KEYS), lang
    page = b'<!doctype html><html lang="kk" class="no-js"><head></head><body dir="ltr"><p>text</p></body></html>'
    shown = serving.with_banner(page, "x.md, line 1: <script>alert(1)</script>", labels, "ru", "/p.css").decode()
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert shown.index('<body dir="ltr">') < shown.index(BANNER) < shown.index("<p>text</p>")
    assert labels.get("kk")["failed"] in shown and 'lang="kk"' in shown
    # A locale file broken after a good read keeps its labels: the banner may be about that very file.
    labels.remember()
    before = labels.get("kk")
    (tmp_path / "locales" / "kk.yml").write_text("broken: [\n", encoding="utf-8")
    assert labels.get("kk") == before
