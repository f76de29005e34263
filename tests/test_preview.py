"""The editor's loop: `make serve` follows every save, never gets stuck, and says what is wrong where it is seen.

`almanac serve` (what `make serve` runs) is started on a small project whose English edition is
required, and a Russian chapter is edited under it as an editor would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import mkdocs_env


class Preview:
    """A running `almanac serve` and everything it printed."""

    def __init__(self, project: Path, *args: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/"
        self.lines: list[str] = []
        almanac = Path(sys.executable).with_name("almanac")
        self.process = subprocess.Popen([str(almanac), "serve", "--dev-addr", f"127.0.0.1:{port}", *args],
                                        cwd=project, env=mkdocs_env(), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, preexec_fn=_terminal_signals)
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()

    def get(self, path: str) -> str:
        try:
            return urllib.request.urlopen(self.base + path, timeout=5).read().decode("utf-8")
        except (OSError, urllib.error.HTTPError):
            return ""

    def wait_for(self, what: str, check, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the preview stopped while waiting for {what}:\n" + "".join(self.lines)[-3000:])
            if check():
                return
            time.sleep(0.3)
        pytest.fail(f"the preview never showed {what}:\n" + "".join(self.lines)[-3000:])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def preview(mini_project):
    config = mini_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("en: []", 'en: "*"'), encoding="utf-8")
    running = Preview(mini_project)
    yield running
    running.stop()


def test_the_preview_follows_edits_to_a_russian_chapter_without_getting_stuck(preview, mini_project):
    chapter = mini_project / "content" / "demo-report-2023" / "index.md"
    original = chapter.read_text(encoding="utf-8")
    preview.wait_for("the first build", lambda: "Тестовая публикация" in preview.get("demo-report-2023/"))

    # A blank line and a doubled space change nothing a translator must redo: no banner, no warning.
    builds = _builds(preview)
    chapter.write_text(original.replace("\n\n", "\n\n\n", 1).replace("Тестовая публикация", "Тестовая  публикация"),
                       encoding="utf-8")
    preview.wait_for("a rebuild after the whitespace edit", lambda: _builds(preview) > builds and _idle(preview))
    assert "almanac-preview-warning" not in preview.get("en/demo-report-2023/")
    assert not [line for line in preview.lines if line.startswith("WARNING")], preview.lines

    # A changed word makes the English page stale: the preview rebuilds anyway and says so on that page.
    chapter.write_text(original.replace("Тестовая публикация", "Пробная публикация"), encoding="utf-8")
    preview.wait_for("the edited Russian text", lambda: "Пробная публикация" in preview.get("demo-report-2023/"))
    english = preview.get("en/demo-report-2023/")
    assert 'class="almanac-preview-warning"' in english
    assert "content/demo-report-2023/index.en.md" in english and "make stamp" in english
    assert "almanac-preview-warning" not in preview.get("demo-report-2023/")

    # Broken front matter: one line in the terminal naming the file and line; the server keeps running...
    chapter.write_text("---\ntitle: [unclosed\n---\n" + original, encoding="utf-8")
    preview.wait_for("the error line", lambda: any("index.md, line 2: the front matter is not valid YAML" in line
                                                  for line in preview.lines))
    assert preview.process.poll() is None
    assert "Traceback" not in "".join(preview.lines)

    # ...and recovers on the save that fixes it.
    chapter.write_text(original.replace("Тестовая публикация", "Исправленная публикация"), encoding="utf-8")
    preview.wait_for("the fixed page", lambda: "Исправленная публикация" in preview.get("demo-report-2023/"))


def _builds(preview: Preview) -> int:
    return sum("Building documentation" in line for line in preview.lines)


def _idle(preview: Preview) -> bool:
    # MkDocs logs the time a build took when it is done and serving again.
    return any("Documentation built in" in line for line in preview.lines[-5:])


@pytest.mark.slow
def test_an_interrupted_build_leaves_the_previous_site_and_no_temporary_folder(mini_project):
    import shutil

    from tests.conftest import ROOT
    from tests.test_build import make_site, snapshot

    shutil.copy(ROOT / "Makefile", mini_project / "Makefile")
    assert make_site(mini_project).returncode == 0
    site = mini_project / "site"
    before = snapshot(site)
    venv = Path(sys.prefix)
    chapter = mini_project / "content" / "demo-report-2023" / "index.md"
    for how in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        # A change, so that the publication's unit is built again (an unchanged unit is taken from the cache).
        chapter.write_text(chapter.read_text(encoding="utf-8") + f"\nИзменение {how.name}.\n", encoding="utf-8")
        log = mini_project / f"build-{how.name}.log"
        with log.open("w") as sink:
            process = subprocess.Popen(["make", "--no-print-directory", "-o", str(venv / ".installed"), "site",
                                        f"VENV={venv}"], cwd=mini_project, env=mkdocs_env(), start_new_session=True,
                                       stdout=sink, stderr=subprocess.STDOUT, text=True, preexec_fn=_terminal_signals)
        # The worker that builds the units (almanac.workers), once it writes the publication's pages.
        mkdocs = _child_named(process.pid, "almanac.workers")
        writing = ".cache/almanac/units/demo-report-2023/build-[0-9]*/*"
        deadline = time.monotonic() + 60
        while not list(mini_project.glob(writing)) and time.monotonic() < deadline:
            time.sleep(0.02)
        # Paused mid-build, so that the signal always lands while the build is writing, however fast it is.
        os.kill(mkdocs, signal.SIGSTOP)
        assert list(mini_project.glob(writing)), "the build never started writing"
        if how == signal.SIGINT:
            # Ctrl-C reaches the whole foreground process group.
            os.killpg(process.pid, signal.SIGINT)
        elif how == signal.SIGTERM:
            # `kill` reaches the one process it names: the build command.
            os.kill(_child_named(process.pid, "almanac"), signal.SIGTERM)
        else:
            os.kill(mkdocs, signal.SIGKILL)
        if how != signal.SIGKILL:
            os.kill(mkdocs, signal.SIGCONT)
        process.wait(timeout=120)
        output = log.read_text()
        assert process.returncode != 0, f"{how.name}: the build succeeded:\n{output}"
        assert "Traceback" not in output, output
        assert snapshot(site) == before, f"{how.name}: the interrupted build changed site/"
        deadline = time.monotonic() + 10
        while list(mini_project.glob(".site-tmp-*")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not list(mini_project.glob(".site-tmp-*")), f"{how.name}: a temporary folder was left behind"


def _terminal_signals() -> None:
    # As in a terminal: a test runner started in the background (nohup, CI) ignores SIGINT, and children
    # inherit that, so Ctrl-C would never reach the build.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _child_named(parent: int, name: str) -> int:
    """The pid of a descendant of `parent` whose command line mentions `name`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if name in cmdline and _descends(int(entry.name), parent):
                return int(entry.name)
        time.sleep(0.05)
    pytest.fail(f"no {name} process under make")


def _descends(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


@pytest.mark.slow
def test_a_preview_of_one_publication_in_one_language_follows_edits_and_links_out_to_the_site(mini_project):
    """`make serve PUB=… LANG=…`: only that publication in that language is built; a save shows at once;
    a link to the rest of the library leads to the published site."""
    content = mini_project / "content"
    shutil.copytree(content / "demo-report-2023", content / "demo-other-2024")
    chapter = content / "demo-report-2023" / "index.en.md"
    original = chapter.read_text(encoding="utf-8")
    preview = Preview(mini_project, "--publication", "demo-report-2023", "--language", "en")
    try:
        preview.wait_for("the first build", lambda: "Annual report" in preview.get("en/demo-report-2023/"))
        assert preview.get("en/demo-other-2024/") == "", "a publication outside the preview was built"
        assert preview.get("demo-report-2023/") == "", "a language outside the preview was built"

        chapter.write_text(original.replace("A test publication", "An edited [sibling](../demo-other-2024/index.md)"
                                            " and [catalogue](../index.md#top) publication"), encoding="utf-8")
        preview.wait_for("the edit", lambda: "An edited" in preview.get("en/demo-report-2023/"))
        page = preview.get("en/demo-report-2023/")
        assert 'href="https://almanac.example.org/en/demo-other-2024/"' in page
        assert 'href="https://almanac.example.org/en/#top"' in page
        rebuilt = [line for line in preview.lines if "Preview of demo-report-2023 (en)" in line]
        assert rebuilt and " rebuilt in " in rebuilt[-1], preview.lines
        problems = [line for line in preview.lines if line.startswith(("WARNING", "ERROR")) and " code 404" not in line]
        assert problems == [], preview.lines
    finally:
        preview.stop()
        chapter.write_text(original, encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--publication", "no-such-plan", "--language", "en"],
     "Invalid value for '--publication': 'no-such-plan': no such publication in content/; expected one of: "
     "demo-report-2023."),
    (["--publication", "demo-report-2023", "--language", "de"],
     "Invalid value for '--language': 'de': not a language of this site; expected one of: ru, en, kk."),
])
def test_a_preview_of_an_unknown_publication_or_language_is_refused_in_one_line(mini_project, args, message):
    almanac = Path(sys.executable).with_name("almanac")
    result = subprocess.run([str(almanac), "serve", *args], cwd=mini_project, env=mkdocs_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {message}"], result.stderr
    assert "Traceback" not in result.stderr
