"""Content-Security-Policy: every page forbids loads from other hosts and runs only its own known scripts.

Events:
- on_startup: tell engine whether this is `mkdocs serve`, whose live-reload
  script is injected inline on every request and cannot be hashed.
- on_post_page: last of all rewrites of the page (static-i18n at -100,
  hooks/i18n.py at -50), put the page's policy, with the hashes of its
  inline scripts and styles, first in its <head>.
- on_post_template: the same for 404.html, which is a template, not a page.

Reads: each page's final HTML. Writes: the <meta http-equiv="Content-Security-Policy"> into it.
The policy itself is computed by almanac.csp.
"""

from __future__ import annotations

import hashlib
import logging

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

import engine
from almanac import csp

log = logging.getLogger("mkdocs.hooks.csp")

# A cache, not build state: inline code by a hash of the page's text, kept for the whole process (a page
# whose text is unchanged has the same inline code in any build); bounded, see _inline_code.
_parsed: dict[bytes, csp.Inline] = {}


def on_startup(command, dirty):
    engine.started(command)
    if engine.serving():
        log.info("Content-Security-Policy: inline scripts allowed while serving, for live reload.")


@event_priority(-1000)
def on_post_page(output, page, config):
    return _with_policy(output, page.file.src_uri)


def on_post_template(output_content, template_name, config):
    if not template_name.endswith(".html"):
        return output_content
    return _with_policy(output_content, template_name)


def _with_policy(output: str, name: str) -> str:
    inline = _inline_code(output)
    for handler in inline.handlers:
        log.warning(f"{name}: inline event handler '{handler}=' will not run: the Content-Security-Policy blocks it.")
    try:
        return csp.insert_policy(output, csp.policy(inline, live_reload=engine.serving()))
    except csp.CSPError as error:
        raise PluginError(f"Error adding the Content-Security-Policy to '{name}': {error}") from error


def _inline_code(output: str) -> csp.Inline:
    """The page's inline code, parsed once per text: `mkdocs serve` rebuilds every page on each save, and
    parsing was a sixth of a preview's rebuild; most pages come out as they were."""
    digest = hashlib.sha256(output.encode("utf-8")).digest()
    if digest not in _parsed:
        if len(_parsed) >= 4096:
            _parsed.clear()
        _parsed[digest] = csp.inline_code(output)
    return _parsed[digest]
