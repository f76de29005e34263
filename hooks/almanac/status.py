"""`make status`: the translation matrix on the command line; `make stamp`: record source hashes.

Reads: mkdocs.yml (languages and `extra.almanac.translations`), content/**.
Writes: with `--stamp FILE...`, the `source_hash` front matter of those files.

Usage: python -m almanac.status [--config mkdocs.yml] [--stamp FILE ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from . import publications, translations

STATES = ("source", "current", "stale", "missing", "fallback")


def _config(path: Path) -> dict:
    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml uses !!python tags for extensions; the status report needs none of them.
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make status", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="mkdocs.yml")
    parser.add_argument("--stamp", nargs="+", metavar="FILE", help="record the current source hash in FILE")
    args = parser.parse_args(argv)
    config_path = Path(args.config).resolve()
    root = config_path.parent
    config = _config(config_path)
    docs_dir = root / config.get("docs_dir", "docs")
    if args.stamp:
        for name in args.stamp:
            try:
                digest = translations.stamp(Path(name).resolve(), docs_dir)
            except (ValueError, OSError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            print(f"{name}: source_hash {digest}")
        return 0
    i18n = next((p["i18n"] for p in config.get("plugins", []) if isinstance(p, dict) and "i18n" in p), {})
    langs = [lang["locale"] for lang in i18n.get("languages", [])] or ["ru"]
    settings = ((config.get("extra") or {}).get("almanac") or {}).get("translations") or {}
    pubs = publications.load_all(root, docs_dir)
    table = translations.summary(translations.matrix(pubs, docs_dir, langs, settings))
    width = max(len(p.slug) for p in pubs) + 2
    print("publication".ljust(width) + "".join(lang.ljust(34) for lang in langs))
    for pub in pubs:
        row = pub.slug.ljust(width)
        for lang in langs:
            cell = table[(pub.slug, lang)]
            counts = ", ".join(f"{n} {s}" for s, n in cell["states"].items())
            row += f"{cell['state']:<9}{cell['words']:>6} w  ({counts})".ljust(34)
        print(row.rstrip())
    print("\nstates: " + ", ".join(STATES) + "; counts are chapters, w = words in that language")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
