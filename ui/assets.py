"""Offline front-end files, in one place for `ree ui` and the classroom server (`ui.app` and `ui.classroom.app`
call `ensure_offline_assets` as they load; the server itself imports nothing of `ui`). Nothing is downloaded.

`solara-assets` bundles Solara's front end into `<prefix>/share/solara/cdn`, which Solara serves itself
(`/_solara/cdn/...`). Its chart libraries are old, though: Vega-Lite 5.2.0, while Altair 5.5 writes Vega-Lite
5.20 specs, and vega-embed warned in the console for every chart it drew ("The input spec uses Vega-Lite
v5.20.1, but the current version of Vega-Lite is v5.2.0"). The charts therefore come from the
`django-js-lib-vega-embed` wheel, a plain dependency (nothing of it is imported, and it needs no Django),
which ships npm's builds of vega 5.33.0, vega-lite 5.23.0 and vega-embed 6.29.0, byte for byte less the
source-map comment. Vega-Lite 5.23 draws 5.20 specs as they are (vega-embed accepts any 5.x from the spec's
own version up). Solara's VegaLite widget and ree's chart component (ui/components/vega_chart.vue) ask for
`vega@5/build/vega.min.js`, `vega-lite@5/build/vega-lite.min.js` and `vega-embed@6/build/vega-embed.min.js`:
this links those paths, in Solara's asset folder, to the wheel's files.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
from pathlib import Path

PACKAGE = "js_lib_vega_embed"  # the django-js-lib-vega-embed wheel's files
# the path Solara and vega_chart.vue ask for -> the wheel's file
LIBRARIES = {
    "vega@5/build/vega.min.js": "vega5.js",
    "vega-lite@5/build/vega-lite.min.js": "vega-lite5.js",
    "vega-embed@6/build/vega-embed.min.js": "vega-embed6.js",
}
VEGA_LITE = "vega-lite@5/build/vega-lite.min.js"
log = logging.getLogger(__name__)


def asset_folder() -> Path:
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def library_folder() -> Path | None:
    """Where the wheel keeps the chart libraries; None if it is not installed."""
    spec = importlib.util.find_spec(PACKAGE)  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "static" / PACKAGE


def script_version(path: Path) -> str | None:
    """The version a minified vega or vega-lite build names (`var n="5.23.0"`, `t.version="5.33.0"`: the first
    such string in either), or None. (vega-embed's names a dependency's version first.)"""
    found = re.search(r'="(\d+\.\d+\.\d+)"', path.read_text(encoding="utf-8", errors="replace"))
    return found.group(1) if found else None


def spec_version() -> str:
    """The Vega-Lite version Altair writes in every spec's `$schema` ("5.20.1")."""
    import altair

    return altair.SCHEMA_VERSION.lstrip("v")


def draws(library: str, spec: str) -> bool:
    """Does a Vega-Lite `library` draw a `spec` version without a warning? vega-embed's own test: the
    library satisfies `^spec` (same major version, not older)."""
    have, want = ([int(part) for part in text.split(".")] for text in (library, spec))
    return have[0] == want[0] and have >= want


def ensure_offline_assets(folder: Path | None = None, source: Path | None = None) -> list[str]:
    """Link the chart libraries' paths to the wheel's files (replacing links an older ree made to the
    bundle's old versions); returns the problems found (empty when every chart library is in place)."""
    folder = folder or asset_folder()
    source = source or library_folder()
    if source is None:
        problems = [f"the chart libraries are missing: pip install django-js-lib-vega-embed ({PACKAGE} not found)"]
    else:
        problems = [problem for path, name in LIBRARIES.items() if (problem := _link(folder / path, source / name))]
        version = script_version(source / LIBRARIES[VEGA_LITE]) if (source / LIBRARIES[VEGA_LITE]).is_file() else None
        if version and not draws(version, spec_version()):
            problems.append(
                f"Vega-Lite {version} (in {source}) does not match Altair's specs (Vega-Lite "
                f"{spec_version()}): each chart warns in the browser's console"
            )
    for problem in problems:
        log.warning("offline charts may not load: %s", problem)
    return problems


def _link(link: Path, target: Path) -> str | None:
    if not target.is_file():
        return f"{target} is missing (reinstall django-js-lib-vega-embed)"
    if link.is_file() and link.resolve() == target.resolve():
        return None
    try:
        top = link.parents[1]  # e.g. vega-lite@5: a link to a bundled version (vega-lite@5.2.0) in older installs
        if top.is_symlink():
            top.unlink()
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(target, link)
    except FileExistsError:  # another process linked it meanwhile
        return None if link.resolve() == target.resolve() else f"cannot link {link} -> {target}: it exists"
    except OSError as err:
        return f"cannot link {link} -> {target}: {err.strerror}"
    return None
