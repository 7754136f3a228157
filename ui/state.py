"""Per-tab stores for the what-if pages (explore, compare). A store is a plain object of `solara.reactive`
values, replaced and never mutated, plus the tab's `Session` (its models). `Layout` builds one store per
tab with `use_memo` and hands it to the pages through `store_context`; nothing here is module-level state
shared by tabs, and no rule of the world lives here."""

from __future__ import annotations

import solara

from sim import ScenarioError, load_scenario

from .session import Session, Snapshot

DEFAULT_SCENARIO = "baseline_2024"


class ExploreStore:
    def __init__(self):
        self.session = Session()
        self.scenario = solara.reactive(DEFAULT_SCENARIO)
        self.seed_text = solara.reactive(str(load_scenario(DEFAULT_SCENARIO).seed))
        self.playing = solara.reactive(False)
        self.speed = solara.reactive(2.0)  # months a second while playing
        self.view: solara.Reactive[Snapshot | None] = solara.reactive(None)
        self.baseline: solara.Reactive[Snapshot | None] = solara.reactive(None)
        self.fork_date = solara.reactive("")
        self.run_error = solara.reactive("")  # inline message under the run controls
        self.flow_product = solara.reactive("magnet")
        # the Why panel: what to explain and over which months (empty: the run so far)
        self.why_outcome = solara.reactive("shortage:US")
        self.why_from = solara.reactive("")
        self.why_to = solara.reactive("")

    def explain_country(self, country: str) -> None:
        """A click on a country in the shortage chart: explain its shortage."""
        self.why_outcome.set(f"shortage:{country}")

    def start(self) -> None:
        self.playing.set(False)
        self.view.set(self.session.start(self.scenario.value, self.seed_text.value))
        self.baseline.set(None)
        self.fork_date.set("")

    def pick_scenario(self, name: str) -> None:
        """A new scenario starts at once, with its own seed."""
        self.scenario.set(name)
        self.seed_text.set(str(load_scenario(name).seed))
        self.attempt(self.start)

    def attempt(self, action, message: solara.Reactive[str] | None = None) -> bool:
        """Run a user's action; bad input becomes a one-line message (field: reason) under the control."""
        target = message if message is not None else self.run_error
        try:
            action()
        except ScenarioError as err:
            target.set(f"{err.field}: {err.reason}")
            return False
        target.set("")
        return True

    def refresh(self, view: Snapshot) -> None:
        # the baseline first: the month banner (drawn from `view`) then changes last, so whoever sees the
        # new month sees both branches at that month
        self.baseline.set(self.session.baseline_view())
        self.fork_date.set(self.session.fork_date or "")
        self.view.set(view)


store_context = solara.create_context(None)


def use_store() -> ExploreStore:
    return solara.use_context(store_context)
