"""Benchmark: Almanac at 1x, 10x, 20x and 50x its real content, beside its peers, in one run.

Usage (from the project root):

    make bench                                            # 1x, 10x, 20x, 50x
    .venv/bin/python bench/run.py --scales 1,2 --runs 1 --skip-pdf-peers --trial   # a quick check
    .venv/bin/python bench/run.py --report-only           # redo docs/benchmarks.md from the last results

It measures the targets of issue 22 (the Targets table of the report) and
runs everything as commands (`almanac build`, `almanac serve`, `mkdocs
build`), so it measures whatever design the build has.

Reads: the project as the template of synthetic libraries (bench/corpus.py),
`almanac serve --help` (to use a scoped preview when it exists).
Writes:
- bench/work/corpus-x<S>/ (git-ignored): the generated project of each size,
  its site/, .cache/ and site-stock/, site-peer/; bench/work/peer-venv/ (the
  mkdocs-to-pdf venv, installed from PyPI once); bench/work/results/x<S>.json
  (each finished size, so an interrupted run resumes at the next size);
  bench/work/logs/ (the output of every measured command); bench/work/cluster-x<S>/
  (the cluster check: the first local cold build's site/, kept when the
  cluster's differs);
- docs/benchmarks.md (the report), docs/benchmarks/latest.json (the figures
  it was made from), docs/benchmarks/scaling.svg (time against size), and one
  line appended to docs/benchmarks/history.jsonl per run. The report also
  carries docs/benchmarks/analysis.md, the reading of the figures that people
  write, copied in unchanged.

What is measured, for each size, in rounds (--runs), each round in this order
so that Almanac (A) and stock MkDocs (B) alternate and drift in the machine's
speed falls on both alike:
  A site only, caches empty (ALMANAC_PDF=false `almanac build`)
  B stock build (the same mkdocs.yml without `hooks:`; markers stay text)
  A cold full build, caches empty (`almanac build`: site and every PDF)
  A warm build, nothing changed
  B stock build
  A build after one Russian chapter was edited (a chapter without
    translations, see bench/corpus.py: an edited translated chapter would
    make its translations stale, which a strict build rejects)
After the first cold build, the largest chapter page: the largest index.html
under a publication's folder in any language (site/<slug>/, site/en/<slug>/,
site/kk/<slug>/), so not the home, catalogue or status pages.
Then, once per size: the preview (`almanac serve`, scoped to the edited
chapter's publication when `--publication` exists) and the whole-site serve
(`almanac serve` without `--publication`, what `make serve` runs): each
started on a free port, then a save of the edited chapter, the page polled
over HTTP every 20 ms until it shows the edit; WeasyPrint alone
(bench/weasy_alone.py, the largest Russian brochure rendered in one process, in the
editions the build renders: the corpus has the screen edition only);
mkdocs-to-pdf (up to --pdf-peer-max-scale; it renders the whole site as one
document per language). At --cluster-scale only, the cluster check: a
`distributed.LocalCluster` (one single-threaded worker process per core) is
started here, the project is built again cold with PDFs with
ALMANAC_SCHEDULER naming it (at the same path: see Size.cluster), and its
site/ is compared byte for byte with the first local cold build's.
After the rounds, the built site's search is measured without a browser:
the bytes the first search downloads on the page where that is largest
(almanac.search.first_search: the worker, lunr's scripts, the page's index).
Every command's wall time, CPU seconds (itself and every descendant it
waited for) and peak memory (RSS summed over the process and all its
descendants, sampled every 50 ms with psutil) are recorded.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402  (bench/corpus.py, beside this file)
from almanac import search as site_search  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "docs" / "benchmarks"
REPORT = ROOT / "docs" / "benchmarks.md"
PYTHON = Path(sys.executable)
ALMANAC = PYTHON.with_name("almanac")
PEER = "mkdocs-to-pdf==0.12.1"
FULL_SCALES = (1, 10, 20, 50)
PHASES = {  # key: (label, who)
    "site_only": ("Site only, caches empty (`ALMANAC_PDF=false`)", "almanac"),
    "cold": ("Cold full build: site and PDFs, caches empty", "almanac"),
    "warm": ("Warm build, nothing changed", "almanac"),
    "edit": ("Build after editing one chapter", "almanac"),
    "preview": ("Preview: save → page served with the edit", "almanac"),
    "preview_start": ("Preview: start → first page served", "almanac"),
    "serve": ("Whole-site serve (`almanac serve`, no `--publication`): save → page served with the edit",
              "almanac"),
    "serve_start": ("Whole-site serve: start → first page served", "almanac"),
    "stock": ("Stock MkDocs + Material + static-i18n (no hooks, no PDFs)", "peer"),
    "to_pdf": (f"mkdocs-to-pdf {PEER.split('==')[1]} (site and its PDFs)", "peer"),
}
SAMPLE_SECONDS = 0.05
BASE_ENV = {"NO_MKDOCS_2_WARNING": "true", "PYTHONDONTWRITEBYTECODE": "1"}


class BenchError(Exception):
    """A measured command failed; the message names it and ends with its output."""


# --- Running and measuring one command ---------------------------------------------------------


class TreeSampler(threading.Thread):
    """Peak RSS of a process and all its descendants, sampled every SAMPLE_SECONDS."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._done.is_set():
            total = 0
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for process in processes:
                try:
                    total += process.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            self.peak = max(self.peak, total)
            self._done.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        self._done.set()
        self.join(timeout=2)
        return self.peak


def stop_tree(process: subprocess.Popen) -> None:
    """Stop a server started here: SIGINT (it stops its own children), then kill whatever of its tree is left."""
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for child in family:  # a child the server left behind would hold the port and the cores
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


def measure(command: list[str], cwd: Path, log: Path, env: dict | None = None, timeout: float = 7200) -> dict:
    """Run `command` to the end; return wall seconds, CPU seconds and peak MB of its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **BASE_ENV, **(env or {})},
                                   stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid)
        sampler.start()
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            status = "timeout"
        seconds = time.perf_counter() - started
        peak = sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if status != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise BenchError(f"{' '.join(map(str, command))} in {cwd} ended with {status}:\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"s": round(seconds, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak / 2**20)}


# --- The phases --------------------------------------------------------------------------------


class Size:
    """One generated project and everything measured on it."""

    def __init__(self, scale: float, args):
        self.scale, self.args = scale, args
        self.project = WORK / f"corpus-x{scale:g}"
        self.logs = WORK / "logs" / f"x{scale:g}"
        self.summary: dict = {}
        self.count = 0

    def log(self, name: str) -> Path:
        self.count += 1
        return self.logs / f"{self.count:03d}-{name}.log"

    def say(self, message: str) -> None:
        print(f"[{datetime.datetime.now():%H:%M:%S}] x{self.scale:g}: {message}", flush=True)

    # Almanac

    def almanac(self, name: str, pdf: bool = True, clear: bool = False) -> dict:
        if clear:
            shutil.rmtree(self.project / ".cache", ignore_errors=True)
        env = {} if pdf else {"ALMANAC_PDF": "false"}
        result = measure([str(ALMANAC), "build"], self.project, self.log(name), env)
        self.say(f"{name}: {result['s']} s, {result['peak_mb']} MB")
        return result

    def stock(self) -> dict:
        result = measure([str(PYTHON), "-m", "mkdocs", "build", "-f", "mkdocs.stock.yml", "--site-dir",
                          str(self.project / "site-stock")], self.project, self.log("stock"),
                         {"ALMANAC_STRICT": "false"})
        self.say(f"stock: {result['s']} s, {result['peak_mb']} MB")
        return result

    def edit(self, token: str) -> None:
        path = self.project / self.summary["edit_target"]["file"]
        text = path.read_text(encoding="utf-8")
        # A new paragraph under the title, as an editor adds one; the words are the page's own language.
        lines = text.split("\n")
        title = next(i for i, line in enumerate(lines) if line.startswith("# "))
        lines[title + 1:title + 1] = ["", f"Правка редактора {token}: уточнение формулировки."]
        path.write_text("\n".join(lines), encoding="utf-8")

    def restore(self, original: str) -> None:
        (self.project / self.summary["edit_target"]["file"]).write_text(original, encoding="utf-8")

    # The preview

    def preview(self, runs: int) -> dict:
        """The scoped preview of the edited chapter's publication, when `almanac serve` has `--publication`."""
        target = self.summary["edit_target"]
        options = subprocess.run([str(ALMANAC), "serve", "--help"], capture_output=True, text=True).stdout
        scoped = "--publication" in options
        extra = []
        if scoped:
            extra += ["--publication", target["slug"]]
            if "--language" in options:
                extra += ["--language", "ru"]
        result = self._serve("preview", extra, runs, self.args.preview_timeout)
        result["scoped"] = scoped
        return result

    def whole_serve(self, runs: int) -> dict:
        """`almanac serve` without `--publication`, as `make serve` runs it: the whole site, watched."""
        return self._serve("serve", [], runs, self.args.serve_timeout)

    def _serve(self, name: str, extra: list[str], runs: int, timeout: float) -> dict:
        """Start `almanac serve` on a free port, wait for the edited chapter's page, then save the chapter
        `runs` times and time each save until the page served over HTTP shows it; the file is restored."""
        target = self.summary["edit_target"]
        path = self.project / target["file"]
        original = path.read_text(encoding="utf-8")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [str(ALMANAC), "serve", "--dev-addr", f"127.0.0.1:{port}", *extra]
        url = f"http://127.0.0.1:{port}/{target['url']}"
        log = self.log(name)
        result = {"command": " ".join(["serve", *extra]), "edits": []}
        with log.open("w", encoding="utf-8") as out:
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=self.project, env={**os.environ, **BASE_ENV}, stdout=out,
                                       stderr=subprocess.STDOUT)
            sampler = TreeSampler(process.pid)
            sampler.start()
            try:
                self._wait_for(process, url, None, timeout, log)
                result["start_s"] = round(time.perf_counter() - started, 2)
                self.say(f"{name} up in {result['start_s']} s (almanac {result['command']})")
                for run in range(runs):
                    time.sleep(1.5)  # let the watcher settle after the previous rebuild
                    token = f"bench{os.getpid()}x{run}z{int(time.time())}"
                    saved = time.perf_counter()
                    self.edit(token)  # edits pile up under the title; the file is restored at the end
                    self._wait_for(process, url, token, timeout, log)
                    result["edits"].append(round(time.perf_counter() - saved, 3))
                    self.say(f"{name} edit {run + 1}/{runs}: {result['edits'][-1]} s")
            finally:
                self.restore(original)
                result["peak_mb"] = round(sampler.stop() / 2**20)
                stop_tree(process)
        result["s"] = round(statistics.median(result["edits"]), 3) if result["edits"] else None
        return result

    @staticmethod
    def _wait_for(process, url: str, text: str | None, timeout: float, log: Path):
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise BenchError(f"the server stopped:\n{log.read_text(encoding='utf-8')[-3000:]}")
            try:
                body = urllib.request.urlopen(url, timeout=10).read().decode("utf-8", "replace")
            except (OSError, urllib.error.HTTPError):
                body = ""
            if body and (text is None or text in body):
                return
            time.sleep(0.02)
        raise BenchError(f"the server never showed {text or 'the page'} at {url} within {timeout:g} s:\n"
                         + log.read_text(encoding="utf-8")[-3000:])

    # Peers

    def weasy_alone(self) -> dict:
        slug = self.summary["weasy_document"]
        log = self.log("weasyprint-alone")
        measure([str(PYTHON), str(ROOT / "bench" / "weasy_alone.py"), "--project", str(self.project), "--slug", slug,
                 "--lang", "ru", "--runs", str(max(2, self.args.runs))], ROOT, log)
        result = json.loads(log.read_text(encoding="utf-8").strip().splitlines()[-1])
        self.say(f"WeasyPrint alone: {result['pages']} pages at {result['pages_per_s']} pages/s")
        return result

    def to_pdf(self) -> dict:
        python = peer_python(self.project)
        config = write_peer_config(self.project)
        site, keep = self.project / "site-peer", self.project / "peer-pdfs"
        runs = []
        for _ in range(self.args.peer_runs):
            shutil.rmtree(keep, ignore_errors=True)
            shutil.rmtree(site, ignore_errors=True)
            runs.append(measure([str(python), "-m", "mkdocs", "build", "-f", config, "--site-dir", str(site)],
                                self.project, self.log("mkdocs-to-pdf"),
                                {"PEER_PDF": str(site / "pdf" / "peer.pdf"), "PEER_KEEP": str(keep),
                                 "ALMANAC_STRICT": "false"}, timeout=self.args.peer_timeout))
            self.say(f"mkdocs-to-pdf: {runs[-1]['s']} s, {runs[-1]['peak_mb']} MB")
        passes = sorted(keep.glob("pass-*.pdf"))
        return {**_summarise(runs), "pdfs_left": len(list(site.rglob("*.pdf"))), "passes": len(passes),
                "pages": count_pages(passes)}


    # The largest chapter page, and the cluster check

    def largest_chapter(self) -> dict:
        """The largest HTML page of a publication, in any language: every index.html under site/<slug>/,
        site/en/<slug>/ and site/kk/<slug>/ (the library's home, catalogue and status pages are elsewhere)."""
        site = self.project / "site"
        largest = {"bytes": 0, "page": None, "pages": 0}
        for item in self.summary["publications_list"]:
            for folder in (site / item["slug"], *(site / lang / item["slug"] for lang in corpus.LANGUAGES[1:])):
                for page in folder.rglob("index.html"):
                    largest["pages"] += 1
                    size = page.stat().st_size
                    if size > largest["bytes"]:
                        largest.update(bytes=size, page=page.relative_to(site).as_posix())
        self.say(f"largest chapter page: {largest['bytes']:,} bytes, {largest['page']} "
                 f"(of {largest['pages']} pages)")
        return largest

    def keep_local_site(self) -> Path:
        """The first cold build's site/, kept for the cluster check (later builds replace site/)."""
        kept = WORK / f"cluster-x{self.scale:g}" / "site-local"
        shutil.rmtree(kept.parent, ignore_errors=True)
        shutil.copytree(self.project / "site", kept, symlinks=True)
        return kept

    def cluster(self, local_site: Path) -> dict:
        """A cold build with PDFs of this project, its caches emptied, on a distributed.LocalCluster of one
        single-threaded worker process per core (ALMANAC_SCHEDULER), compared file by file with the first
        local cold build's site/. A failed build is a miss with its last error line, not a crash.
        It runs here, after every other phase of the size, rather than in a copy elsewhere: WeasyPrint
        names an image in a PDF by the hash of its URL, a file path, so a build at another path differs
        for a reason that is not the cluster's."""
        project = self.project
        for built in ("site", ".cache"):
            shutil.rmtree(project / built, ignore_errors=True)
        cores = len(os.sched_getaffinity(0))
        result = {"scale": self.scale, "workers": cores, "identical": None}
        try:
            from distributed import LocalCluster
        except ImportError as error:
            result["error"] = f"distributed is not installed ({error})"
            self.say(f"cluster check: {result['error']}")
            return result
        started = time.perf_counter()
        try:
            with LocalCluster(n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None,
                              host="127.0.0.1") as cluster:
                result["start_s"] = round(time.perf_counter() - started, 2)
                self.say(f"LocalCluster of {cores} workers at {cluster.scheduler_address}, "
                         f"up in {result['start_s']} s")
                run = measure([str(ALMANAC), "build"], project, self.log("cluster"),
                              {"ALMANAC_SCHEDULER": cluster.scheduler_address})
                result.update(s=run["s"], cpu_s=run["cpu_s"], peak_mb=run["peak_mb"])
        except BenchError as error:
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            result["error"] = lines[-1][:300] if lines else "failed"
            result["identical"] = False
            self.say(f"cluster build failed: {result['error']}")
            return result
        except Exception as error:  # the cluster itself did not start: a miss, said as such
            result["error"] = f"LocalCluster: {type(error).__name__}: {error}"[:300]
            result["identical"] = False
            self.say(f"cluster check failed: {result['error']}")
            return result
        result.update(compare_trees(local_site, project / "site"))
        if result["identical"]:
            shutil.rmtree(local_site.parent, ignore_errors=True)  # kept on a miss, to look into
        self.say(f"cluster build: {result['s']} s; site {'identical' if result['identical'] else 'DIFFERS'} "
                 f"({result['files']} files; {len(result['differ'])} differ, {len(result['missing'])} missing, "
                 f"{len(result['extra'])} extra)")
        return result


def compare_trees(local: Path, other: Path, shown: int = 10) -> dict:
    """Files of two site trees compared by their bytes: the first few that differ, are missing or extra."""
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}

    mine, theirs = files(local), files(other) if other.is_dir() else set()
    differ = []
    for name in sorted(mine & theirs):
        a, b = local / name, other / name
        if a.stat().st_size != b.stat().st_size or a.read_bytes() != b.read_bytes():
            differ.append(name)
    missing, extra = sorted(mine - theirs), sorted(theirs - mine)
    return {"identical": not (differ or missing or extra), "files": len(mine), "differ_count": len(differ),
            "differ": differ[:shown], "missing": missing[:shown], "extra": extra[:shown],
            "missing_count": len(missing), "extra_count": len(extra)}


def peer_python(project: Path) -> Path:
    """A venv with Almanac's dependencies plus mkdocs-to-pdf (PyPI once; then kept in bench/work)."""
    venv = WORK / "peer-venv"
    python = venv / "bin" / "python"
    stamp = venv / f".installed-{PEER}"
    if not stamp.exists():
        subprocess.run([str(PYTHON), "-m", "venv", "--clear", str(venv)], check=True)
        installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(project), PEER],
                                   capture_output=True, text=True)
        if installed.returncode != 0:
            raise BenchError(f"cannot install {PEER} (it needs PyPI the first time):\n{installed.stderr[-2000:]}")
        stamp.touch()
    return python


KEEP_HOOK = Path(__file__).with_name("keep_peer_pdfs.py")  # copied into the project as its hook


def write_peer_config(project: Path) -> str:
    """mkdocs.yml with Almanac's PDFs off and mkdocs-to-pdf on, as its README says (as bench/pdf_build.py does)."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text, count = re.subn(r"^(    pdf:) .*$", r"\1 false", text, count=1, flags=re.M)
    if count != 1:
        raise BenchError("mkdocs.yml has no extra.almanac.pdf")
    text = text.replace("\nstrict: ", "\nstrict: false  # was: ", 1)  # mkdocs-to-pdf's own warnings would fail it
    text = text.replace("\nhooks:\n", "\n  - to-pdf:\n      output_path: pdf/peer.pdf\n\nhooks:\n"
                        "  - bench_keep_peer_pdfs.py\n", 1)
    # mkdocs-to-pdf re-serialises every page in its on_post_page (priority 0), before hooks/i18n.py (-50)
    # checks Material's markup, which then stops the build ("Material's markup has changed"). The peer
    # runs without that hook: the markers still expand, so its PDFs hold the same tables and charts.
    text = re.sub(r"^  - hooks/i18n\.py\n", "", text, count=1, flags=re.M)
    shutil.copyfile(KEEP_HOOK, project / "bench_keep_peer_pdfs.py")
    (project / "mkdocs.peer.yml").write_text(text, encoding="utf-8")
    return "mkdocs.peer.yml"


def write_stock_config(project: Path) -> None:
    """mkdocs.yml without `hooks:`: MkDocs, Material and static-i18n alone, on the same pages."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text, count = re.subn(r"^hooks:\n(?:[ \t]+.*\n|\n)*", "", text, count=1, flags=re.M)
    if count != 1:
        raise BenchError("mkdocs.yml has no hooks: block")
    text = text.replace("\nstrict: ", "\nstrict: false  # was: ", 1)
    (project / "mkdocs.stock.yml").write_text(text, encoding="utf-8")


def count_pages(pdfs: list[Path]) -> int:
    from pypdf import PdfReader

    return sum(len(PdfReader(p).pages) for p in pdfs)


def first_search(site: Path) -> dict:
    """What the first search downloads on the page where it downloads most (almanac.search.first_search):
    the search worker, lunr's language scripts and the search index that page reads, in bytes."""
    downloads = site_search.first_search(site)
    worst = site_search.largest(downloads)
    return {"bytes": worst.total, "page": worst.page, "index": worst.index, "index_bytes": worst.files[worst.index],
            "indexes": len(downloads), "all_indexes_bytes": sum(d.files[d.index] for d in downloads.values())}


def _summarise(runs: list[dict]) -> dict:
    seconds = [r["s"] for r in runs]
    return {"s": round(statistics.median(seconds), 2), "min": min(seconds), "max": max(seconds),
            "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2),
            "peak_mb": max(r["peak_mb"] for r in runs), "runs": len(runs)}


# --- One size ----------------------------------------------------------------------------------


def measure_size(scale: float, args) -> dict:
    size = Size(scale, args)
    shutil.rmtree(size.logs, ignore_errors=True)  # this size's logs are for this run only
    size.say(f"generating the corpus ({scale:g} x the real library)")
    started = time.perf_counter()
    size.summary = corpus.generate(size.project, scale, seed=args.seed)
    # The corpus carries a copy of hooks/ as it is now: that is the code measured, whatever HEAD is later.
    commit = machine()["commit"]
    size.say(f"corpus: {size.summary['publications']} publications, "
             f"{sum(v['pages'] for v in size.summary['languages'].values())} pages, "
             f"{sum(v['words'] for v in size.summary['languages'].values())} words, "
             f"in {time.perf_counter() - started:.1f} s")
    write_stock_config(size.project)
    target = size.project / size.summary["edit_target"]["file"]
    original = target.read_text(encoding="utf-8")
    rounds = {key: [] for key in ("site_only", "stock", "cold", "warm", "edit")}
    pairs = {"site_only_over_stock": [], "warm_over_stock": [], "edit_over_stock": [], "edit_over_warm": []}
    check_cluster = not args.skip_cluster and scale == args.cluster_scale
    local_site = None
    try:
        for run in range(args.runs):
            size.say(f"round {run + 1}/{args.runs}")
            rounds["site_only"].append(size.almanac("site-only", pdf=False, clear=True))
            rounds["stock"].append(size.stock())
            pairs["site_only_over_stock"].append(rounds["site_only"][-1]["s"] / rounds["stock"][-1]["s"])
            rounds["cold"].append(size.almanac("cold", clear=True))
            if run == 0:
                # Both editions: the printer's are under pdf/print/, and the time PDFs add is the time of both.
                pdfs = sorted((size.project / "site" / "pdf").rglob("*.pdf"))
                pdf_count, pdf_pages = len(pdfs), count_pages(pdfs)
                largest_chapter = size.largest_chapter()
                if check_cluster:
                    local_site = size.keep_local_site()
            rounds["warm"].append(size.almanac("warm"))
            rounds["stock"].append(size.stock())
            pairs["warm_over_stock"].append(rounds["warm"][-1]["s"] / rounds["stock"][-1]["s"])
            size.edit(f"round{run}")
            rounds["edit"].append(size.almanac("edit"))
            size.restore(original)  # every round starts from the same text
            # The edit is paired with the stock build just before it, as warm is.
            pairs["edit_over_stock"].append(rounds["edit"][-1]["s"] / rounds["stock"][-1]["s"])
            pairs["edit_over_warm"].append(rounds["edit"][-1]["s"] / rounds["warm"][-1]["s"])
    finally:
        size.restore(original)
    result = {"scale": scale, "commit": commit, "runs": args.runs, "corpus": size.summary,
              "pdfs": pdf_count, "pdf_pages": pdf_pages, "largest_chapter": largest_chapter,
              "phases": {key: _summarise(values) for key, values in rounds.items()},
              "pairs": {key: round(statistics.median(values), 3) for key, values in pairs.items()}}
    result["first_search"] = first_search(size.project / "site")
    # The builds above are the core of the figures: a failure below is recorded, and the run goes on.
    try:
        preview = size.preview(args.preview_runs)
        result["phases"]["preview"] = {"s": preview["s"], "min": min(preview["edits"]),
                                       "max": max(preview["edits"]), "peak_mb": preview["peak_mb"],
                                       "runs": len(preview["edits"]), "scoped": preview["scoped"],
                                       "command": preview["command"]}
        result["phases"]["preview_start"] = {"s": preview["start_s"], "min": preview["start_s"],
                                             "max": preview["start_s"], "peak_mb": preview["peak_mb"], "runs": 1}
    except BenchError as error:
        size.say(f"preview failed: {str(error)[:2000]}")
        result["preview_error"] = str(error)[:2000]
    try:
        serve = size.whole_serve(args.preview_runs)
        result["phases"]["serve"] = {"s": serve["s"], "min": min(serve["edits"]), "max": max(serve["edits"]),
                                     "peak_mb": serve["peak_mb"], "runs": len(serve["edits"]),
                                     "command": serve["command"]}
        result["phases"]["serve_start"] = {"s": serve["start_s"], "min": serve["start_s"],
                                           "max": serve["start_s"], "peak_mb": serve["peak_mb"], "runs": 1}
    except BenchError as error:
        size.say(f"whole-site serve failed: {str(error)[:2000]}")
        result["serve_error"] = str(error)[:2000]
    # WeasyPrint alone renders the largest Russian brochure of the first copy of each real publication.
    first = size.summary["publications_list"][:len(size.summary["template"])]
    size.summary["weasy_document"] = max(first, key=lambda p: p["ru_words"])["slug"]
    try:
        result["weasy_alone"] = size.weasy_alone()
    except BenchError as error:
        size.say(f"WeasyPrint alone failed: {str(error)[:2000]}")
        result["weasy_alone"] = {"error": str(error)[:2000], "pages_per_s": None, "pages": 0, "slug": "–"}
    if not args.skip_pdf_peers and scale <= args.pdf_peer_max_scale:
        try:
            result["phases"]["to_pdf"] = size.to_pdf()
        except BenchError as error:
            lines = [line for line in str(error).splitlines() if line.strip()]
            reason = next((line for line in lines if "ERROR" in line or "Error" in line), lines[-1])
            size.say(f"mkdocs-to-pdf failed: {reason}")
            result["to_pdf_skipped"] = f"failed: {reason[:300]}"
    for site in ("site-stock", "site-peer"):
        shutil.rmtree(size.project / site, ignore_errors=True)  # large at 50x, and not needed again
    if local_site is not None:
        result["cluster"] = size.cluster(local_site)
    return result


# --- The machine, the run, the targets ---------------------------------------------------------


def machine() -> dict:
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else ""
    git = lambda *a: subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa
    packages = {}
    for name in ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "weasyprint", "pymdown-extensions", "psutil"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "–"
    return {"cpu": cpu or platform.processor() or "unknown", "cores": len(os.sched_getaffinity(0)),
            "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version(),
            "packages": packages, "commit": git("rev-parse", "--short", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


GROWTH = ("site_only", "cold", "warm", "edit", "serve")  # the phases whose growth from 10x to 50x is a target


def targets(sizes: dict[float, dict], cores: int) -> list[dict]:
    """Issue 22's targets, each with its measured figure and whether it passed; 'where' says at which size.
    A size that was not measured (a trial) is replaced by the largest measured, and the row says so."""
    scales = sorted(sizes)
    if not scales:
        return []
    largest, smallest = scales[-1], scales[0]
    at = lambda wanted: wanted if wanted in sizes else largest  # noqa: E731
    phase = lambda s, key: (sizes[s]["phases"].get(key) or {}).get("s")  # noqa: E731
    pair = lambda s, key: sizes[s].get("pairs", {}).get(key)  # noqa: E731
    found = []

    def add(name, value, limit, passed, where, wanted=None, unit="×"):
        note = "" if wanted is None or where == wanted else f" (measured at {where:g}×; the target is at {wanted:g}×)"
        found.append({"target": name, "value": value, "limit": limit, "unit": unit,
                      "pass": None if value is None else bool(passed), "where": where, "note": note})

    def ratio_target(name, key, wanted, limit):
        where = at(wanted)
        value = pair(where, key)
        add(name.format(f"{wanted:g}"), value, limit, value is not None and value <= limit, where, wanted)

    ratio_target("Site-only build from empty caches at {}× ≤ 0.7× stock", "site_only_over_stock", 20, 0.7)
    ratio_target("Site-only build from empty caches at {}× ≤ 0.5× stock", "site_only_over_stock", 50, 0.5)
    ratio_target("Warm build, nothing changed, at {}× ≤ 0.1× stock", "warm_over_stock", 20, 0.1)
    ratio_target("Warm build, nothing changed, at {}× ≤ 0.05× stock", "warm_over_stock", 50, 0.05)
    ratio_target("Build after editing one Russian chapter at {}× ≤ 0.15× stock", "edit_over_stock", 20, 0.15)
    ratio_target("Build after editing one Russian chapter at {}× ≤ 0.15× stock", "edit_over_stock", 50, 0.15)
    s20, s50 = at(20), at(50)
    value = phase(s20, "serve")
    add("Whole-site `make serve` (`almanac serve`, no `--publication`) shows a save within 2 s at 20×", value, 2.0,
        value is not None and value <= 2.0, s20, 20, unit=" s")
    peak = (sizes[s50]["phases"].get("cold") or {}).get("peak_mb")
    add("Peak memory of the whole process tree < 1 GB at 50×, cold, with PDFs", peak, 1024,
        peak is not None and peak < 1024, s50, 50, unit=" MB")
    first, last = (sizes[smallest].get("largest_chapter") or {}), (sizes[s50].get("largest_chapter") or {})
    value = round(last["bytes"] / first["bytes"], 2) if first.get("bytes") and last.get("bytes") else None
    base = f"{first['bytes']:,} bytes" if first.get("bytes") else "not measured"
    add(f"Largest chapter page at 50× ≤ 1.25× the largest at {smallest:g}× ({base})",
        value if s50 != smallest else None, 1.25, value is not None and value <= 1.25, s50, 50)
    # Growth from 10x to 50x; in a trial, between the two largest sizes measured.
    low = 10 if 10 in sizes and s50 != 10 else next((s for s in reversed(scales) if s < s50), None)
    for key in GROWTH:
        t0, t1 = (phase(low, key), phase(s50, key)) if low is not None else (None, None)
        # Linear: the time grows as the size; it may be at most 10 % above that.
        ratio = round((t1 / t0) / (s50 / low), 2) if t0 and t1 else None
        name = (f"Growth {low if low is not None else 10:g}×→{s50:g}×, {key.replace('_', '-')}: "
                "time ratio ÷ size ratio ≤ 1.1")
        add(name, ratio, 1.1, ratio is not None and ratio <= 1.1, s50)
        if (low, s50) != (10, 50):
            found[-1]["note"] = " (the target is from 10× to 50×)"
    for s in scales:
        rate, alone = pdf_rate(sizes[s]), (sizes[s].get("weasy_alone") or {}).get("pages_per_s")
        limit = round(0.9 * alone * cores, 1) if alone else None
        add(f"PDF throughput at {s:g}× ≥ 0.9 × WeasyPrint alone ({alone} pages/s) × {cores} cores",
            rate if limit else None, limit, rate is not None and limit and rate >= limit, s, unit=" pages/s")
    checked = next((s for s in scales if sizes[s].get("cluster")), None)
    check = sizes[checked]["cluster"] if checked is not None else {}
    value = None if check.get("identical") is None else ("identical" if check["identical"] else cluster_miss(check))
    add("On a `distributed.LocalCluster`, the whole site (pages and PDFs) builds byte-identical to the local build"
        + (f" (at {checked:g}×)" if checked is not None else " (not run: `--skip-cluster`, or no size at "
           "`--cluster-scale`)"), value, "identical", check.get("identical"), checked or 0, unit="")
    return found


def cluster_miss(check: dict) -> str:
    """What differed between the cluster's site and the local one, in a table cell."""
    if check.get("error"):
        return f"failed: {check['error']}".replace("|", "\\|")
    parts = [f"{check[f'{kind}_count']} {kind}: " + ", ".join(f"`{name}`" for name in check[kind][:3])
             for kind in ("differ", "missing", "extra") if check.get(f"{kind}_count")]
    return (f"of {check['files']} files, " + "; ".join(parts)).replace("|", "\\|")


def pdf_rate(size: dict) -> float | None:
    """PDF pages per second of the time PDFs add to a cold build (cold full minus site only)."""
    extra = size["phases"]["cold"]["s"] - size["phases"]["site_only"]["s"]
    return round(size["pdf_pages"] / extra, 1) if extra > 0 else None


# --- Report ------------------------------------------------------------------------------------



def _image_note(results: dict) -> str:
    modes = {size["corpus"].get("images", "inline") for size in results["sizes"].values()}
    notes = {"files": "an SVG or PNG file beside its first chapter",
             "inline": "an inline `data:` image",
             "none": "left out"}
    return "; ".join(notes.get(mode, mode) for mode in sorted(modes))


def cluster_scale_note(results: dict) -> str:
    checked = [float(k) for k, v in results["sizes"].items() if v.get("cluster")]
    return f"{min(checked):g}×" if checked else "`--cluster-scale` (not run here)"


def report(results: dict, history: list[dict]) -> str:
    m, sizes = results["machine"], {float(k): v for k, v in results["sizes"].items()}
    scales = sorted(sizes)
    trial = results["trial"]
    lines = ["# Benchmarks: Almanac at scale", ""]
    if trial:
        lines += [f"> **Trial run** at {', '.join(f'{s:g}×' for s in scales)} only, to validate the harness; the "
                  "targets below are evaluated at the largest size measured, not at 20× or 50×. The full "
                  "run (`make bench`: 1×, 10×, 20×, 50×) replaces this page.", ""]
    lines += [
        f"Made by `bench/run.py` ({results['started']}, {results['minutes']} minutes) at commit `{m['commit']}`"
        f"{' with uncommitted changes' if m['dirty'] else ''}. Regenerate it with `make bench`; "
        "`BENCH_ARGS=\"--scales 1,2 --runs 1 --skip-pdf-peers --trial\"` for a quick check.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; load average "
        f"{' / '.join(map(str, m['load']))} at the start, {' / '.join(map(str, results['load_end']))} at the end "
        "(the machine is shared: wall times move with the other tenants' load; CPU seconds move less). "
        f"**Versions:** Python {m['python']}, " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".",
        "",
        f"**Method.** Each size is a synthetic library made by `bench/corpus.py` (seed {results['seed']}): S× the "
        "real content's publications, each shaped like a real one (its chapters, and in them the same headings, "
        "paragraphs, footnotes, lists, quotes, tables, admonitions and indicator and chart markers) with text "
        "from Markov chains over the real Russian, English and Kazakh chapters, regenerated data files, a figure "
        f"per publication ({_image_note(results)}), and partial translations that fall back. In each round (n in the tables) the builds alternate "
        "Almanac and stock MkDocs: site only, stock, cold full, "
        "warm, stock, edit one chapter (the edit is paired with the stock build before it). Then, once per size, "
        "the scoped preview and the whole-site serve, each timed from a save to the page served with it; at "
        f"{cluster_scale_note(results)} a cold build on a `distributed.LocalCluster`, compared byte for byte with "
        "the local one. Times are medians (min–max); ratios are medians of the pairs run side by "
        "side. Peak memory is the RSS of the whole process tree (the build, its children, the PDF workers), "
        "sampled every 50 ms.",
        "",
        "## Corpus",
        "",
        "| Size | Publications | Pages ru / en / kk | Words ru / en / kk | Fallback pages en / kk | Indicators "
        "| Charts | PDFs (both editions) | PDF pages | Fingerprint | Measured at |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scales:
        c = sizes[s]["corpus"]
        lang = c["languages"]
        lines.append(f"| {s:g}× | {c['publications']} | {' / '.join(str(lang[x]['pages']) for x in lang)} | "
                     f"{' / '.join(str(lang[x]['words']) for x in lang)} | {c['fallback_pages']['en']} / "
                     f"{c['fallback_pages']['kk']} | {c['indicators']} | {c['charts']} | {sizes[s]['pdfs']} | "
                     f"{sizes[s]['pdf_pages']} | `{c['fingerprint']}` | `{sizes[s].get('commit', '?')}` |")
    lines += ["", "## Time per phase and size", "",
              "Seconds, median (min–max), and peak memory of the process tree.", "",
              "| Phase | " + " | ".join(f"{s:g}×" for s in scales) + " |",
              "|---|" + "---|" * len(scales)]
    for key, (label, _) in PHASES.items():
        cells = []
        for s in scales:
            p = sizes[s]["phases"].get(key)
            cells.append("–" if not p or p.get("s") is None else
                         f"{p['s']} ({p['min']}–{p['max']}, n={p['runs']}) s, {p['peak_mb']} MB")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    preview = next((sizes[s]["phases"]["preview"] for s in scales if sizes[s]["phases"].get("preview")),
                   {"command": "serve", "scoped": False})
    failures = lambda key: [f"at {s:g}×: {sizes[s][key].splitlines()[0]}" for s in scales  # noqa: E731
                            if sizes[s].get(key)]
    command = re.sub(r"--dev-addr \S+ ?", "", preview["command"]).strip()  # the port changes every run
    lines += ["", f"The preview ran `almanac {command}` "
              + ("(scoped to the edited chapter's publication)." if preview["scoped"] else
                 "(the whole site: this `almanac serve` has no `--publication` option yet), "
                 "and rebuilt on each save.")
              + (" It failed " + "; ".join(failures("preview_error")) + "." if failures("preview_error") else "")
              + " The whole-site serve ran `almanac serve` with no `--publication`, as `make serve` does"
              + (" (it failed " + "; ".join(failures("serve_error")) + ")" if failures("serve_error") else "")
              + "; its start is timed to the first response of the edited chapter's page. An edit adds a paragraph "
              "under the title of a Russian chapter that has no translation; the time is "
              "from the save to the first HTTP response of that page that contains the new paragraph, polled every "
              "20 ms (no livereload).", "",
              "## Largest chapter page", "",
              "After the first cold build, the largest `index.html` under a publication's folder in any language "
              "(`site/<slug>/`, `site/en/<slug>/`, `site/kk/<slug>/`): a page of a publication, not the home, "
              "catalogue or status pages.", "",
              "| Size | Bytes | Page | Publication pages |", "|---|---|---|---|"]
    for s in scales:
        page = sizes[s].get("largest_chapter")
        lines.append(f"| {s:g}× | " + (" | ".join([f"{page['bytes']:,}", f"`{page['page']}`", f"{page['pages']:,}"])
                                         if page else "– | – | –") + " |")
    checked = [s for s in scales if sizes[s].get("cluster")]
    lines += ["", "## Cluster check", ""]
    for s in checked:
        check = sizes[s]["cluster"]
        if check.get("error"):
            lines.append(f"At {s:g}×, the cold build with `ALMANAC_SCHEDULER` naming a `distributed.LocalCluster` "
                         f"of {check['workers']} worker processes failed: `{check['error']}`.")
            continue
        lines.append(f"At {s:g}×, the project built again cold, with PDFs, with `ALMANAC_SCHEDULER` naming a "
                     f"`distributed.LocalCluster` of {check['workers']} single-threaded worker processes, in "
                     f"{check.get('s')} s (the cluster started in {check.get('start_s')} s), against the first "
                     f"local cold build's `site/`: {check['files']:,} files, "
                     + ("byte-identical." if check["identical"] else
                        f"{check['differ_count']} differ, {check['missing_count']} missing from the cluster's, "
                        f"{check['extra_count']} only in the cluster's."))
        for kind in ("differ", "missing", "extra"):
            if check.get(kind):
                lines.append(f"- first that {'differ' if kind == 'differ' else 'are ' + kind}: "
                             + ", ".join(f"`{name}`" for name in check[kind]))
    if not checked:
        lines.append("Not run (`--skip-cluster`, or no size measured at `--cluster-scale`).")
    lines += ["",
              "## Peers side by side", "",
              "| Size | Almanac site only ÷ stock | Almanac warm ÷ stock | Edit ÷ stock | Edit ÷ warm "
              "| Almanac PDF pages/s (of the time PDFs add) | WeasyPrint alone, pages/s (one process) | mkdocs-to-pdf: time, "
              "PDFs left, pages rendered, pages/s |",
              "|---|---|---|---|---|---|---|---|"]
    for s in scales:
        size = sizes[s]
        peer = size["phases"].get("to_pdf")
        peer_cell = (f"{peer['s']} s, {peer['pdfs_left']} PDF, {peer['pages']} pages in {peer['passes']} passes, "
                     f"{round(peer['pages'] / peer['s'], 1)} pages/s" if peer else
                     size.get("to_pdf_skipped") or "not run (`--skip-pdf-peers` or above `--pdf-peer-max-scale`)")
        alone = size["weasy_alone"]
        lines.append(f"| {s:g}× | {size['pairs']['site_only_over_stock']} | {size['pairs']['warm_over_stock']} | "
                     f"{size['pairs'].get('edit_over_stock', '–')} | {size['pairs']['edit_over_warm']} | "
                     f"{pdf_rate(size)} ({size['pdf_pages']} pages) | "
                     f"{alone['pages_per_s']} ({alone['pages']} pages of `{alone['slug']}`) | {peer_cell} |")
    lines += ["", "## Search", "",
              "What the first search on a page downloads: the search worker, lunr's language scripts and the "
              "search index of the page's scope (its publication, or the library), on the page where that is "
              "largest (`almanac.search.first_search`), uncompressed. *All indexes* is every index of every "
              "language together (each publication's repeats the library's entries).", "",
              "| Size | First search, bytes | On | Its index, bytes | Indexes | All indexes, bytes |",
              "|---|---|---|---|---|---|"]
    for s in scales:
        search = sizes[s].get("first_search")
        lines.append("| " + " | ".join([f"{s:g}×"] + (["–"] * 5 if not search else [
            f"{search['bytes']:,}", f"`{search['page']}`", f"{search['index_bytes']:,}", str(search["indexes"]),
            f"{search['all_indexes_bytes']:,}"])) + " |")
    lines += ["", "mkdocs-to-pdf renders the whole site as one document per language build, all to the same "
              "path, so only the last language's PDF is left (FIELD-NOTES); a benchmark-only hook keeps every "
              "pass so that all its pages are counted.", "", "## Targets", "", "| Target | Measured | Limit | Result |",
              "|---|---|---|---|"]
    for t in results["targets"]:
        verdict = "–" if t["pass"] is None else ("**pass**" if t["pass"] else "**miss**")
        lines.append(f"| {t['target']}{t['note']} | {t['value'] if t['value'] is not None else '–'}{t['unit']} | "
                     f"{t['limit']}{t['unit']} | {verdict} |")
    lines += ["", "![Time against size for each phase, with the peers](benchmarks/scaling.svg)", ""]
    # The reading of the figures is written by people, in a file of its own that this script copies in
    # unchanged, so that regenerating the tables never loses it.
    analysis = RESULTS / "analysis.md"
    if analysis.is_file():
        lines += [analysis.read_text(encoding="utf-8").rstrip("\n"), ""]
    lines += ["## Every run", "", "From `docs/benchmarks/history.jsonl` (the last 30).", "",
              "| When | Commit | Trial | Sizes | Load | Cold s | Warm s | Edit s | Site only s | Stock s | Preview s "
              "| Serve s | Peak MB | Targets passed |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in history[-30:]:
        fmt = lambda key: " / ".join(str(v) for v in row[key]) if row.get(key) else "–"  # noqa: E731
        lines.append(f"| {row['when']} | `{row['commit']}` | {'yes' if row['trial'] else 'no'} | "
                     f"{' / '.join(f'{s:g}×' for s in row['scales'])} | {row['load']} | {fmt('cold')} | "
                     f"{fmt('warm')} | {fmt('edit')} | {fmt('site_only')} | {fmt('stock')} | {fmt('preview')} | "
                     f"{fmt('serve')} | "
                     f"{fmt('peak_mb')} | {row['passed']} |")
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path) -> None:
    """Time against size, log-log, one line per phase and peer; deterministic SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "almanac-bench", "svg.fonttype": "none", "font.size": 9})
    sizes = {float(k): v for k, v in results["sizes"].items()}
    scales = sorted(sizes)
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    styles = {"cold": "-o", "site_only": "-s", "warm": "-^", "edit": "-v", "preview": "-D", "serve": "-P",
              "stock": "--s", "to_pdf": "--o"}
    for key, style in styles.items():
        points = [(s, sizes[s]["phases"][key]["s"]) for s in scales
                  if sizes[s]["phases"].get(key) and sizes[s]["phases"][key].get("s")]
        if points:
            label = {"cold": "Almanac cold (site + PDFs)", "site_only": "Almanac site only",
                     "warm": "Almanac warm", "edit": "Almanac edit one chapter", "preview": "Almanac preview",
                     "serve": "Almanac whole-site serve",
                     "stock": "Stock MkDocs + static-i18n", "to_pdf": "mkdocs-to-pdf"}[key]
            ax.plot(*zip(*points), style, label=label, linewidth=1.4, markersize=4)
    if len(scales) > 1 and sizes[scales[0]]["phases"]["cold"]["s"]:
        base = sizes[scales[0]]["phases"]["cold"]["s"]
        ax.plot(scales, [base * s / scales[0] for s in scales], ":", color="grey", label="linear from the first cold")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(scales)
    ax.set_xticklabels([f"{s:g}×" for s in scales])
    ax.minorticks_off()
    ax.set_xlabel("library size (× the real content)")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Almanac: time against size" + (" (trial run)" if results["trial"] else ""))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)


def history_row(results: dict) -> dict:
    sizes = {float(k): v for k, v in results["sizes"].items()}
    scales = sorted(sizes)
    pick = lambda key: [sizes[s]["phases"].get(key, {}).get("s") for s in scales]  # noqa: E731
    passed = [t for t in results["targets"] if t["pass"] is not None]
    return {"when": results["started"], "commit": results["machine"]["commit"], "trial": results["trial"],
            "scales": scales, "runs": results["runs"], "load": results["machine"]["load"][0],
            "cold": pick("cold"), "warm": pick("warm"), "edit": pick("edit"), "site_only": pick("site_only"),
            "stock": pick("stock"), "preview": pick("preview"), "serve": pick("serve"),
            "peak_mb": [max(p.get("peak_mb") or 0 for k, p in sizes[s]["phases"].items() if PHASES[k][1] == "almanac")
                        for s in scales],
            "pdf_pages_per_s": [pdf_rate(sizes[s]) for s in scales],
            "passed": f"{sum(t['pass'] for t in passed)} of {len(passed)}"}


def write_outputs(results: dict, append_history: bool) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    history_file = RESULTS / "history.jsonl"
    if append_history:
        with history_file.open("a", encoding="utf-8") as out:
            out.write(json.dumps(history_row(results), ensure_ascii=False) + "\n")
    history = [json.loads(line) for line in history_file.read_text(encoding="utf-8").splitlines()
               if line.strip()] if history_file.exists() else []
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    plot(results, RESULTS / "scaling.svg")
    REPORT.write_text(report(results, history), encoding="utf-8")
    print(f"Wrote {REPORT.relative_to(ROOT)}, {(RESULTS / 'scaling.svg').relative_to(ROOT)}", flush=True)


# --- Main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=",".join(map(str, FULL_SCALES)),
                        help="sizes, as multiples of the real content (default %(default)s)")
    parser.add_argument("--runs", type=lambda v: max(1, int(v)), default=3, help="rounds of builds per size (medians are reported)")
    parser.add_argument("--preview-runs", type=lambda v: max(1, int(v)), default=3,
                        help="edits measured in the scoped preview and in the whole-site serve, per size")
    parser.add_argument("--peer-runs", type=int, default=1, help="mkdocs-to-pdf builds per size")
    parser.add_argument("--pdf-peer-max-scale", type=float, default=1,
                        help="largest size for mkdocs-to-pdf (it renders the whole site as one document)")
    parser.add_argument("--skip-pdf-peers", action="store_true", help="no mkdocs-to-pdf (it needs PyPI once)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--preview-timeout", type=float, default=1800, help="seconds to wait for one preview build")
    parser.add_argument("--serve-timeout", type=float, default=3600,
                        help="seconds to wait for the whole-site serve to start (it may build the site first), "
                        "and for each of its rebuilds")
    parser.add_argument("--cluster-scale", type=float, default=1,
                        help="the size at which the site is also built on a distributed.LocalCluster and compared")
    parser.add_argument("--skip-cluster", action="store_true", help="no LocalCluster build")
    parser.add_argument("--peer-timeout", type=float, default=7200, help="seconds to wait for one mkdocs-to-pdf build")
    parser.add_argument("--fresh", action="store_true", help="measure every size again, even if results are kept")
    parser.add_argument("--any-commit", action="store_true",
                        help="keep a finished size measured at another commit (the report names each size's commit)")
    parser.add_argument("--trial", action="store_true", help="mark the report as a trial run")
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from docs/benchmarks/latest.json")
    args = parser.parse_args()

    if args.report_only:
        write_outputs(json.loads((RESULTS / "latest.json").read_text(encoding="utf-8")), append_history=False)
        return
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    started = time.perf_counter()
    results = {"started": datetime.datetime.now().isoformat(timespec="minutes"), "machine": machine(),
               "runs": args.runs, "seed": args.seed, "scales": scales,
               "trial": args.trial or sorted(scales) != list(FULL_SCALES), "sizes": {}}
    kept = WORK / "results"
    kept.mkdir(parents=True, exist_ok=True)
    for scale in scales:
        path = kept / f"x{scale:g}.json"
        # A size is measured again when the code or the corpus changed; the number of runs may differ
        # (each phase records its own), so a long run interrupted at 50x resumes there.
        params = {"seed": args.seed, "commit": results["machine"]["commit"]}
        if path.exists() and not args.fresh:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("params", {}).get("seed") == args.seed and (
                    args.any_commit or saved["params"].get("commit") == params["commit"]):
                print(f"x{scale:g}: kept from {saved['finished']} at commit {saved['params']['commit']} "
                      f"({path.relative_to(ROOT)}; --fresh measures again)", flush=True)
                saved["result"].setdefault("commit", saved["params"].get("commit"))
                results["sizes"][f"{scale:g}"] = saved["result"]
                continue
        result = measure_size(scale, args)
        path.write_text(json.dumps({"params": params, "finished": datetime.datetime.now().isoformat(timespec="minutes"),
                                    "result": result}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        results["sizes"][f"{scale:g}"] = result
    results["load_end"] = [round(x, 2) for x in os.getloadavg()]
    results["minutes"] = round((time.perf_counter() - started) / 60, 1)
    results["targets"] = targets({float(k): v for k, v in results["sizes"].items()}, results["machine"]["cores"])
    for t in results["targets"]:
        verdict = "n/a " if t["pass"] is None else ("pass" if t["pass"] else "MISS")
        print(f"{verdict}  {t['target']}{t['note']}: {t['value']}{t['unit']} (limit {t['limit']}{t['unit']})",
              flush=True)
    write_outputs(results, append_history=True)


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"bench: {error}")
