"""The chart libraries the pages load offline: versions that draw Altair's specs without a warning, linked where
Solara asks for them, set up in one place (ui/assets.py) for `ree ui` and the classroom."""

from __future__ import annotations

import os
from pathlib import Path

from ui import assets

ROOT = Path(__file__).resolve().parents[2]


def test_the_served_vega_lite_draws_the_specs_altair_writes():
    source = assets.library_folder()
    assert source is not None, "pip install django-js-lib-vega-embed"
    vega_lite = assets.script_version(source / "vega-lite5.js")
    assert assets.draws(vega_lite, assets.spec_version()), (vega_lite, assets.spec_version())
    assert assets.script_version(source / "vega5.js").startswith("5.")
    assert 'const fn="6.' in (source / "vega-embed6.js").read_text()  # vega-embed 6, for Vega-Lite 5


def test_versions_are_judged_as_vega_embed_does():
    assert assets.draws("5.23.0", "5.20.1") and assets.draws("5.20.1", "5.20.1")
    assert not assets.draws("5.2.0", "5.20.1")  # the old bundle: a warning for every chart
    assert not assets.draws("6.0.0", "5.20.1") and not assets.draws("5.20.0", "5.20.1")


def test_links_replace_an_older_alias_and_are_made_once(tmp_path):
    (tmp_path / "vega-lite@5.2.0" / "build").mkdir(parents=True)
    os.symlink("vega-lite@5.2.0", tmp_path / "vega-lite@5", target_is_directory=True)  # as ree made them before
    assert assets.ensure_offline_assets(tmp_path) == []
    for path, name in assets.LIBRARIES.items():
        assert (tmp_path / path).resolve() == (assets.library_folder() / name).resolve(), path
    assert not (tmp_path / "vega-lite@5").is_symlink() and (tmp_path / "vega-lite@5.2.0" / "build").is_dir()
    assert assets.ensure_offline_assets(tmp_path) == []


def test_a_missing_library_is_named_not_raised(tmp_path):
    problems = assets.ensure_offline_assets(tmp_path / "cdn", source=tmp_path / "nowhere")
    assert len(problems) == 3 and all("reinstall django-js-lib-vega-embed" in p for p in problems)


def test_one_place_sets_the_chart_libraries_up():
    """Both apps call ui/assets.py; the classroom server has no copy of its table. (That `sim` imports and
    names nothing of ui but the command line's entry points is tests/test_layout.py's rule.)"""
    for app in ("ui/app.py", "ui/classroom/app.py"):
        assert "ensure_offline_assets()" in (ROOT / app).read_text(), app
    for path in (ROOT / "sim").rglob("*.py"):
        assert "vega-lite@" not in path.read_text(), path
