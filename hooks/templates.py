"""The theme's templates, compiled once and shared by every build, language pass and later process.

Events:
- on_config (first of all, in a unit of `almanac build`): the theme's files are listed once per worker, not
  at every language pass of every unit (almanac.templating.theme_files); a publication's unit lists none,
  since the library unit alone copies the theme's assets.
- on_env (first of all, before any template is loaded): give the pass's Jinja environment the
  shared cache of compiled templates (engine.share_compiled_templates).

Reads and writes: .cache/almanac/templates/ (compiled templates; never published).
"""

from __future__ import annotations

from jinja2 import FileSystemLoader
from mkdocs.plugins import event_priority

import engine
from almanac import templating


class _Listed(FileSystemLoader):
    """MkDocs' loader of the theme's folders, listing them through almanac.templating.theme_files; for a
    publication's unit, listing nothing."""

    def __init__(self, searchpath, custom_dir: str | None, files: bool):
        super().__init__(searchpath)
        self.custom_dir, self.files = custom_dir, files

    def list_templates(self) -> list[str]:
        if not self.files:
            return []
        names: set[str] = set()
        for folder in self.searchpath:
            names.update(templating.theme_files(folder, fresh=folder == self.custom_dir))
        return sorted(names)


@event_priority(1000)
def on_config(config):
    unit = engine.unit(config)
    if unit is None:
        return config
    theme, make_env = config.theme, config.theme.get_env
    if getattr(make_env, "almanac_listed", False):   # static-i18n's later passes run on_config again
        return config

    def get_env():
        env = make_env()
        env.loader = _Listed(env.loader.searchpath, theme.custom_dir, unit.library)
        return env

    get_env.almanac_listed = True
    theme.get_env = get_env
    return config


@event_priority(1000)
def on_env(env, config, files):
    engine.share_compiled_templates(env, config)
    return env
