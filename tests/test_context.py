"""One build context: no hook module holds build state, and builds in one process do not leak into each other.

Hook modules stay loaded for the whole of `mkdocs serve`, and every rebuild loads a new config: each hook
reaches its build's state through hooks/engine.py (`engine.state(config, …)`), never a module-level object.
"""

from __future__ import annotations

import pytest

import ast
import filecmp
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT, make_mini_project, mkdocs_env

HOOKS = ROOT / "hooks"

# What may live at module level in hooks/, on purpose and documented where it is defined: process-wide
# settings and caches keyed by content, not build state.
PROCESS_WIDE = {
    ("engine", "_process"): "the command (on_startup gets no config) and the latest build (on_build_error)",
    ("csp", "_parsed"): "a cache of each page's inline code, keyed by a hash of its text",
    ("preview", "_listed"): "the server's listing of the installed themes' files",
}

_MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}


def _module_state(path: Path) -> list[str]:
    """Module-level names bound to a mutable object (a container, or an instance of the module's own
    class), and every `global` statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"{path.name}:{node.lineno}: global {', '.join(node.names)}")
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        mutable = isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp))
        if isinstance(value, ast.Call):
            called = value.func.id if isinstance(value.func, ast.Name) else getattr(value.func, "attr", "")
            mutable = called in classes or called in _MUTABLE_CALLS
        for target in targets:
            name = target.id if isinstance(target, ast.Name) else ast.unparse(target)
            if mutable and (path.stem, name) not in PROCESS_WIDE:
                found.append(f"{path.name}:{node.lineno}: {name} = {ast.unparse(value)[:60]}")
    return found


def test_no_hook_module_holds_build_state():
    modules = sorted(HOOKS.glob("*.py"))
    assert {"engine.py", "pdf.py", "i18n.py"} <= {path.name for path in modules}
    found = [line for path in modules for line in _module_state(path)]
    assert found == [], "module-level state in hooks/ (use engine.state(config, …)):\n" + "\n".join(found)
    # The allowed names still exist: an entry left over from a removed cache would hide nothing, but misleads.
    for module, name in PROCESS_WIDE:
        assert f"\n{name}" in (HOOKS / f"{module}.py").read_text(encoding="utf-8"), (module, name)


def test_the_check_finds_module_state(tmp_path):
    hook = tmp_path / "example.py"
    hook.write_text(textwrap.dedent("""
        class _State:
            pass

        state = _State()
        seen: set[str] = set()
        LIMIT = 3
        NAMES = ("a", "b")

        def on_config(config):
            global LIMIT
    """))
    assert [line.split(": ", 1)[1] for line in _module_state(hook)] == [
        "global LIMIT", "state = _State()", "seen = set()"]


_BUILD_TWICE = """
    import json, sys
    from pathlib import Path
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    project, *sites = map(Path, sys.argv[1:])
    contexts = []
    for site in sites:
        if site.name == "changed":
            # A page loses its translation between builds: the second build must not remember it.
            (project / "content" / "demo-report-2023" / "index.en.md").unlink()
        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
        build(config)
        contexts.append(id(sys.modules["engine"].build(config)))
    print(json.dumps({"contexts": len(set(contexts))}))
"""


def _build_in_process(project: Path, *sites: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(_BUILD_TWICE), str(project), *map(str, sites)],
                            cwd=project, env={**mkdocs_env(), "ALMANAC_STRICT": "true"}, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr, result.stderr[-3000:]
    return json.loads(result.stdout)


def _differences(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right)
    found = [f"{left.name}: only {name}" for name in comparison.left_only]
    found += [f"{right.name}: only {name}" for name in comparison.right_only]
    found += [f"differs: {name}" for name in comparison.diff_files]
    for name in comparison.common_files:
        if (left / name).read_bytes() != (right / name).read_bytes():   # dircmp compares sizes and times only
            found.append(f"differs: {name}")
    for name in comparison.common_dirs:
        found += [f"{name}/{line}" for line in _differences(left / name, right / name)]
    return sorted(set(found))


@pytest.mark.slow
def test_builds_in_one_process_do_not_share_state(tmp_path):
    """As `mkdocs serve` rebuilds: a fresh config each time, in the same process, with the hooks loaded once."""
    project = make_mini_project(tmp_path)
    first, again, changed = tmp_path / "first", tmp_path / "again", tmp_path / "changed"
    assert _build_in_process(project, first, again, changed) == {"contexts": 3}
    assert _differences(first, again) == []
    # The changed project, built alone in a process of its own, comes out as the third build did.
    alone = tmp_path / "alone"
    _build_in_process(project, alone)
    assert _differences(changed, alone) == []
    assert _differences(first, changed) != []


_ENGINE_LANGUAGES = """
    import json, sys
    from mkdocs.config import load_config

    config = load_config(config_file=sys.argv[1])
    engine = sys.modules["engine"]
    print(json.dumps([engine.languages(config), engine.configured_languages(config)]))
"""


def test_every_reader_agrees_on_the_languages_built(tmp_path):
    """A language with `build: false` is configured (its files are legitimate) but built by no reader."""
    from almanac import preview, status

    project = make_mini_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("name: Қазақша\n          build: true",
                                                                 "name: Қазақша\n          build: false"),
                      encoding="utf-8")
    assert status.languages(config) == ["ru", "en"]
    assert status.languages(config, built=False) == ["ru", "en", "kk"]
    assert status.project(config)[1] == ["ru", "en"]
    assert preview.scope(config, "demo-report-2023", "en").language == "en"
    try:
        preview.scope(config, "demo-report-2023", "kk")
    except preview.ScopeError as exc:
        assert "expected one of: ru, en" in str(exc)
    else:
        raise AssertionError("a preview of a language that is not built")
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(_ENGINE_LANGUAGES), str(config)], cwd=project,
                            env=mkdocs_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout) == [["ru", "en"], ["ru", "en", "kk"]]


def test_a_missing_label_is_warned_once_in_each_build(tmp_path, caplog):
    """Every page looks its labels up; the editor reads one line per missing label and build, in every build
    (a preview rebuild that still lacks it says so again)."""
    from almanac import locales
    from almanac.errors import Warnings

    project = make_mini_project(tmp_path)
    english = project / "locales" / "en.yml"
    text = english.read_text(encoding="utf-8")
    assert "\n  name: " in text
    english.write_text(text.replace("\n  name: ", "\n  name_gone: ", 1), encoding="utf-8")
    for _build in range(2):
        found = locales.load(project, Warnings())
        for _page in range(3):
            assert found.get("en", "site.name") == found.get("ru", "site.name")
    missing = [r.getMessage() for r in caplog.records if "label 'site.name' is missing" in r.getMessage()]
    assert missing == ["locales/en.yml: label 'site.name' is missing; using the ru text"] * 2
