"""Content-Security-Policy: every page forbids loads from other hosts and runs only its own known scripts.

Events:
- on_startup: remember whether this is `mkdocs serve`, whose live-reload
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

from almanac import csp

log = logging.getLogger("mkdocs.hooks.csp")


class _State:
    def __init__(self):
        self.live_reload = False
        self.parsed: dict[bytes, csp.Inline] = {}  # inline code by hash of the page's text


state = _State()


def on_startup(command, dirty):
    state.live_reload = command == "serve"
    if state.live_reload:
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
        return csp.insert_policy(output, csp.policy(inline, live_reload=state.live_reload))
    except csp.CSPError as error:
        raise PluginError(f"Error adding the Content-Security-Policy to '{name}': {error}") from error


def _inline_code(output: str) -> csp.Inline:
    """The page's inline code, parsed once per text: `mkdocs serve` rebuilds every page on each save, and
    parsing was a sixth of a preview's rebuild; most pages come out as they were."""
    digest = hashlib.sha256(output.encode("utf-8")).digest()
    if digest not in state.parsed:
        if len(state.parsed) >= 4096:
            state.parsed.clear()
        state.parsed[digest] = csp.inline_code(output)
    return state.parsed[digest]
