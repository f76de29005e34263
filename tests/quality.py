"""The quality report: figures the checks record while they run, written to docs/quality.md.

Reads: what tests record through the session fixture `quality`.
Writes: with `pytest --quality-report=PATH` (`make quality`), the report at PATH.

Each check records one row per thing it measured, for example
``quality.record("accessibility", language="ru", pages=53, serious=0, critical=0)``.
Rows of one check are added up per language, so a check may record per page or per language.
The report is written only when the whole session passed (tests/conftest.py), so a failing
run never overwrites a good report; a section whose check did not run says so.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import platform
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

NOT_MEASURED = "Not measured in this run."

# Per-language tables: (check, title, what it means, [(figure, column heading), ...]).
TABLES = [
    ("accessibility", "Accessibility (axe-core in Chromium)", "Violations by severity.",
     [("pages", "pages"), ("minor", "minor"), ("moderate", "moderate"), ("serious", "serious"), ("critical", "critical")]),
    ("requests", "Requests to other hosts (Chromium)",
     "Every request a page made while it loaded in the browser, outside the site's own host.",
     [("pages", "pages"), ("foreign", "requests to other hosts")]),
    ("csp", "Content-Security-Policy violations (Chromium)", "Violations the browser reported.",
     [("pages", "pages"), ("violations", "violations")]),
    ("html", "HTML validity (Nu HTML Checker)",
     "Every page of the built site in one run of vnu.jar, served over HTTP so that each page's "
     "Content-Security-Policy is checked against what it loads. Errors and warnings fail the tests.",
     [("pages", "pages"), ("errors", "errors"), ("warnings", "warnings"), ("filtered", "filtered (below)")]),
    ("links", "Broken links on the site",
     "A crawler from /, /en/, /kk/ and the 404 page over a local http.server: every same-site link, "
     "resource and #fragment.",
     [("pages", "pages"), ("links", "links"), ("fragments", "with #fragment"), ("broken", "broken")]),
    ("pdf-links", "Broken links in the PDFs",
     "Every link annotation in every PDF: internal links must reach a page of the PDF, links to the "
     "site a built page.",
     [("pdfs", "PDFs"), ("links", "links"), ("internal", "internal"), ("site", "to the site"),
      ("outbound", "outbound"), ("broken", "broken")]),
]
VERSION_PACKAGES = [("MkDocs", "mkdocs"), ("Material for MkDocs", "mkdocs-material"),
                    ("mkdocs-static-i18n", "mkdocs-static-i18n"), ("WeasyPrint", "weasyprint"),
                    ("pypdf", "pypdf"), ("Playwright", "playwright"), ("axe-playwright-python", "axe-playwright-python")]


class Recorder:
    """Rows of figures by check name, in the order they were recorded."""

    def __init__(self):
        self.rows: dict[str, list[dict]] = defaultdict(list)

    def record(self, check: str, **figures) -> None:
        self.rows[check].append(figures)

    def extend(self, rows: dict[str, list[dict]]) -> None:
        """Add the rows another process recorded (a pytest-xdist worker's)."""
        for check, found in rows.items():
            self.rows[check].extend(found)

    def to_json(self) -> str:
        return json.dumps(self.rows, ensure_ascii=False, indent=1, sort_keys=True)


def write_report(recorder: Recorder, path: Path, root: Path, run: str = "") -> None:
    """Write the report for this session's rows, with today's date and the tools' versions.

    `run` says what ran, for example "`pytest --quality-report=docs/quality.md`, 212 tests".
    """
    rows = dict(recorder.rows)
    versions = tool_versions(root, rows.pop("tool", []))
    text = render(rows, versions, datetime.datetime.now(datetime.timezone.utc).date(), commit(root), run)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def render(rows: dict[str, list[dict]], versions: dict[str, str], date: datetime.date, revision: str,
           run: str = "") -> str:
    lines = ["# Quality report", "",
             "`make quality` runs the whole test suite, as `make test` does, and writes this file only when "
             "every test passed. Do not edit it by hand.", "",
             f"Measured on {date.isoformat()}" + (f" at commit {revision}" if revision else "")
             + (f", by {run}" if run else "") + ".", ""]
    lines += summary(rows) + pages_checked(rows)
    for check, title, meaning, columns in TABLES:
        lines += [f"## {title}", "", meaning, ""] + per_language(rows.get(check), columns)
        if check == "html":
            lines += filtered_messages(rows.get("html-filtered"))
        if check == "requests":
            lines += static_foreign(rows.get("foreign-static"), rows.get("foreign-allowed"))
    lines += bad_input(rows.get("bad-input")) + reproducibility(rows.get("reproducibility"))
    lines += lighthouse(rows.get("lighthouse"))
    known = {check for check, *_ in TABLES} | {"html-filtered", "foreign-static", "foreign-allowed", "bad-input",
                                              "reproducibility", "lighthouse"}
    for check in sorted(set(rows) - known):
        lines += [f"## Other figures: {check}", ""] + table(rows[check])
    lines += ["## Tools", "", "| tool | version |", "|---|---|"]
    lines += [f"| {name} | {version} |" for name, version in versions.items()] + [""]
    return "\n".join(lines)


def summary(rows: dict[str, list[dict]]) -> list[str]:
    def total(check: str, figure: str) -> str:
        return str(sum(row.get(figure, 0) for row in rows[check])) if rows.get(check) else "not measured"

    items = [("HTML errors", total("html", "errors")), ("broken links on the site", total("links", "broken")),
             ("broken links in the PDFs", total("pdf-links", "broken")),
             ("serious or critical accessibility violations",
              str(sum(r.get("serious", 0) + r.get("critical", 0) for r in rows["accessibility"]))
              if rows.get("accessibility") else "not measured"),
             ("requests to other hosts", total("requests", "foreign")),
             ("resources from other hosts in the built files", total("foreign-static", "foreign")),
             ("CSP violations", total("csp", "violations"))]
    return ["| check | result |", "|---|---|"] + [f"| {name} | {value} |" for name, value in items] + [""]


def pages_checked(rows: dict[str, list[dict]]) -> list[str]:
    """Pages per language, as each check that opens pages counted them."""
    checks = [(check, title.split(" (")[0]) for check, title, *_ in TABLES if check not in ("pdf-links",)]
    measured = [(check, title) for check, title in checks if rows.get(check)]
    lines = ["## Pages checked", ""]
    if not measured:
        return lines + [NOT_MEASURED, ""]
    pages: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for check, _title in measured:
        for row in rows[check]:
            pages[row.get("language", "all")][check] += row.get("pages", 0)
    lines += ["| language | " + " | ".join(title for _c, title in measured) + " |", "|---" * (len(measured) + 1) + "|"]
    lines += [f"| {lang} | " + " | ".join(str(counts[c]) for c, _t in measured) + " |" for lang, counts in pages.items()]
    missing = [title for check, title in checks if not rows.get(check)]
    return lines + ([""] + [f"Not measured in this run: {', '.join(missing)}."] if missing else []) + [""]


def per_language(rows: list[dict] | None, columns: list[tuple[str, str]]) -> list[str]:
    if not rows:
        return [NOT_MEASURED, ""]
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for figure, _heading in columns:
            sums[row.get("language", "all")][figure] += row.get(figure, 0)
    lines = ["| language | " + " | ".join(h for _f, h in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {lang} | " + " | ".join(str(figures[f]) for f, _h in columns) + " |" for lang, figures in sums.items()]
    if len(sums) > 1:
        lines.append("| **all** | " + " | ".join(str(sum(s[f] for s in sums.values())) for f, _h in columns) + " |")
    return lines + [""]


def filtered_messages(rows: list[dict] | None) -> list[str]:
    lines = ["### Filtered Nu messages", "",
             "Messages about Material's own markup, or that the checker gets wrong, accepted one by one in "
             "`NU_FILTERS` (tests/test_validity.py); everything else is fixed where it is made. A filter "
             "that matched nothing in this run shows 0.", ""]
    if not rows:
        return lines + [NOT_MEASURED if rows is None else "None.", ""]
    lines += ["| message | count | why it is accepted |", "|---|---|---|"]
    return lines + [f"| {r['message']} | {r['count']} | {r['reason']} |" for r in rows] + [""]


def static_foreign(rows: list[dict] | None, allowed: list[dict] | None) -> list[str]:
    lines = ["### Resources from other hosts in the built files", "",
             "Every URL a browser would load from the built HTML, CSS, JavaScript and SVG (src, srcset, "
             "loading `<link>`s, CSS `url()` and `@import`, SVG `href`s, `<object data>`, `<iframe>`s, script URLs).", ""]
    if not rows:
        return lines + [NOT_MEASURED, ""]
    r = rows[-1]
    lines += [f"{r['files']} files, {r['urls']} URLs, {r['foreign']} from another host.", ""]
    if allowed:
        lines += ["Absolute URLs in Material's JavaScript that the site never makes it fetch "
                  "(`JS_URL_ALLOWED` in tests/test_validity.py; the conditions are checked on every page):", "",
                  "| URL | found | why it is never fetched |", "|---|---|---|"]
        lines += [f"| `{cell(a['url'])}` | {a['count']} | {cell(a['reason'])} |" for a in allowed] + [""]
    return lines


def lighthouse(rows: list[dict] | None) -> list[str]:
    lines = ["## Lighthouse behind nginx", "",
             "Lighthouse's mobile audit (simulated throttling, Debian's Chromium) of three pages served by nginx "
             "with docs/nginx.conf (tests/test_hosting.py). Accessibility, best practices and SEO must be 100; "
             "performance depends on the machine's load during the run and is recorded, not asserted.", ""]
    if not rows:
        return lines + [NOT_MEASURED, ""]
    lines += ["| page | performance | accessibility | best practices | SEO |", "|---|---|---|---|---|"]
    return lines + [f"| {r.get('page')} | {r.get('performance')} | {r.get('accessibility')} | "
                    f"{r.get('best-practices')} | {r.get('seo')} |" for r in rows] + [""]


def bad_input(rows: list[dict] | None) -> list[str]:
    lines = ["## Bad input", "", "Damaged or wrong input, and whether the build refused it with a useful message.", ""]
    if not rows:
        return lines + [NOT_MEASURED, ""]
    passed = sum(1 for r in rows if r.get("passed"))
    lines += [f"{passed} of {len(rows)} cases passed.", "", "| case | passed | message |", "|---|---|---|"]
    return lines + [f"| {r.get('case')} | {'yes' if r.get('passed') else 'no'} | {cell(r.get('message', ''))} |"
                    for r in rows] + [""]


def reproducibility(rows: list[dict] | None) -> list[str]:
    lines = ["## Reproducibility", "", "A rebuild from an empty cache, compared byte for byte with the first build.", ""]
    if not rows:
        return lines + [NOT_MEASURED, ""]
    for r in rows:
        differing = r.get("differing") or []
        count = len(differing) if isinstance(differing, (list, tuple, set)) else differing
        lines.append(f"{r.get('files')} files, {r.get('identical')} identical, {count} differing.")
        if isinstance(differing, (list, tuple, set)):
            lines += [f"- `{name}`" for name in differing]
    return lines + [""]


def table(rows: list[dict]) -> list[str]:
    keys = list(dict.fromkeys(key for row in rows for key in row))
    lines = ["| " + " | ".join(keys) + " |", "|---" * len(keys) + "|"]
    return lines + ["| " + " | ".join(cell(row.get(k, "")) for k in keys) + " |" for row in rows] + [""]


def cell(value) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def tool_versions(root: Path, recorded: list[dict]) -> dict[str, str]:
    """Versions of the tools the checks used; a version a test recorded (`tool` rows) wins."""
    versions = {"Chromium": command_version(["chromium", "--version"]),
                "Nu HTML Checker (vnu.jar)": vnu_version(root),
                "axe-core": axe_version(),
                "Java": command_version(["java", "-version"])}
    for name, package in VERSION_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["Python"] = platform.python_version()
    from almanac import fontconfig

    # The native libraries that lay out the PDFs' text (part of every PDF's cache key).
    versions.update({f"{name} (native)": version for name, version in fontconfig.native_versions().items()})
    versions.update({row["name"]: str(row["version"]) for row in recorded})
    return versions


def command_version(command: list[str]) -> str:
    if not shutil.which(command[0]):
        return "not installed"
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    return ((result.stdout or result.stderr).strip().splitlines() or ["unknown"])[0]


def vnu_version(root: Path) -> str:
    jar = root / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    return command_version(["java", "-jar", str(jar), "--version"]) if jar.exists() else "not installed"


def axe_version() -> str:
    try:
        import axe_playwright_python
    except ImportError:
        return "not installed"
    script = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    found = re.search(r"axe v([\d.]+)", script.read_text(encoding="utf-8")[:500]) if script.exists() else None
    return found.group(1) if found else "unknown"


def commit(root: Path) -> str:
    if not shutil.which("git"):
        return ""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    if head.returncode != 0:
        return ""
    changes = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                             capture_output=True, text=True).stdout.strip()
    return head.stdout.strip() + (" with uncommitted changes" if changes else "")
