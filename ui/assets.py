"""Offline front-end files. `solara-assets` bundles Solara's front end into `<prefix>/share/solara/cdn`,
which Solara serves itself, so pages load with no internet. Solara's Altair component asks for `vega@5`,
`vega-lite@5` and `vega-embed@6`, which the bundle holds under their full versions: this links the short
names to them (once, at start-up; `ree ui` and the app module both call it). Nothing is downloaded."""
from __future__ import annotations

import logging
import os
from pathlib import Path

ALIASES = {"vega@5": "vega@5.21.0", "vega-lite@5": "vega-lite@5.2.0", "vega-embed@6": "vega-embed@6.20.2"}
log = logging.getLogger(__name__)


def asset_folder() -> Path:
    from solara.server import settings
    return Path(settings.assets.proxy_cache_dir)


def ensure_offline_assets(folder: Path | None = None) -> list[str]:
    """Create the missing aliases; returns the problems found (empty when every asset is in place)."""
    folder = folder or asset_folder()
    problems = []
    for alias, target in ALIASES.items():
        link = folder / alias
        if link.exists():
            continue
        if not (folder / target).is_dir():
            problems.append(f"{folder / target} is missing (reinstall solara-assets)")
            continue
        try:
            if link.is_symlink():  # a dangling link left by an older install
                link.unlink()
            os.symlink(target, link, target_is_directory=True)
        except OSError as err:
            problems.append(f"cannot link {link} -> {target}: {err.strerror}")
    for problem in problems:
        log.warning("offline charts may not load: %s", problem)
    return problems
