"""The theme's templates, compiled once and shared by every build, language pass and later process.

Events:
- on_env (first of all, before any template is loaded): give the pass's Jinja environment the
  shared cache of compiled templates (engine.share_compiled_templates).

Reads and writes: .cache/almanac/templates/ (compiled templates; never published).
"""

from __future__ import annotations

from mkdocs.plugins import event_priority

import engine


@event_priority(1000)
def on_env(env, config, files):
    engine.share_compiled_templates(env, config)
    return env
