"""`RareEarthModel`: the Mesa model. One step is one calendar month, run as eight named phases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from agents import stockpile_policy
from agents.firms import FIRM_CLASSES, Firm, Manufacturer, operate_firms, output_needs
from agents.state import StateAgent

from . import agreements, clearing, demand, levers, licence_flow, market, prices, risk, supply
from .agreements import Diplomats
from .calibration import firm_table, load_calibration, trade_weights
from .caps import CapLog
from .constants import (
    BUYER_KIND,
    COUNTRIES,
    FIRM_KINDS,
    HEAVY,
    LIGHT,
    MAGNET,
    MANUFACTURER,
    MINER,
    N_COUNTRIES,
    N_PRODUCTS,
    N_SECTORS,
    PRODUCTS,
    SECTORS,
    SELLER_KIND,
    STAGE_OF_KIND,
    STAGES,
    P,
    S,
)
from .contracts import ContractBook
from .dates import format_month, parse_month
from .diplomacy import Relations
from .events import EventLog, ScheduledEvents
from .investment import Investments
from .layout import RowLayout
from .licensing import LEVELS, LicenceOffice
from .measures import MeasureBook
from .mesa_compat import ScenarioOfItsOwn  # importing it frees dropped models on Mesa 3.3.1 (mesa #3179)
from .projects import Projects
from .recorder import Recorder
from .scenario import Scenario, load_scenario
from .scenario_schema import Event
from .trade_measures import country_ids, decide_control
from .world import STOCKPILE, FirmBook, seed_at_reference_rates

WARMUP_MONTHS = 12  # months run before the start date, with prices and the calendar frozen, to settle flows


def _magnet_world_price(model) -> float:
    return float(model.prices[MAGNET, market.WORLD])


def _heavy_world_price(model) -> float:
    return float(model.prices[HEAVY, market.WORLD])


def _shortage_share(model) -> float:
    return model.recorder.last_shortage_share(model.months_run)


class RareEarthModel(ScenarioOfItsOwn, mesa.Model):  # `model.scenario` is ree's Scenario in Mesa 3.5 too
    """The rare-earth supply chain, month by month.

    `RareEarthModel(scenario="baseline_2024", seed=None, **overrides)`: `scenario` is a library name, a
    path or a loaded `Scenario`; each override is a scenario path with `__` for the dots
    (`world__scale=10`, `months=24`). `seed=None` takes the scenario's seed.
    """

    def __init__(self, scenario: str | Path | Scenario = "baseline_2024", seed: int | None = None, **overrides: Any):
        if isinstance(scenario, Scenario):
            if overrides:
                raise TypeError("overrides go with a scenario name or path, not a loaded Scenario")
            loaded = scenario
        else:
            loaded = load_scenario(scenario, overrides={k.replace("__", "."): v for k, v in overrides.items()})
        seed = loaded.seed if seed is None else int(seed)
        super().__init__(rng=seed)  # rng and random seeded as `seed=` did, in Mesa 3.3.1 and 3.5 (no FutureWarning)
        self.scenario = loaded
        self.seed_value = seed
        self.calibration = load_calibration(loaded.world.data)
        self.start_month = parse_month(loaded.start)
        self.months = loaded.months
        self.months_run = 0
        self.month = self.start_month
        self.in_warmup = False
        self.log = EventLog()
        self.caps = CapLog(self)
        self._use_version = 0
        self._use_cache: tuple[int, np.ndarray | None] = (-1, None)  # (version, use_by_country)
        self._margin_version = 0  # processors' margins change with it (see supply.margin_index)
        self._margin_cache: tuple[int, np.ndarray, np.ndarray, np.ndarray] = (-1, np.zeros(0), np.zeros(0), np.zeros(0))
        self.recorder = Recorder(self.months)
        self._read_parameters()
        self._build_firms()
        self._build_states()
        self.office = LicenceOffice(validity_months=loaded.licensing.validity_months, firm_country=self.book.country)
        for country, state in self.states.items():
            if state.config.review_capacity is not None:
                self.office.review_capacity[COUNTRIES.index(country)] = state.config.review_capacity
        self.measures = MeasureBook(loaded.events)  # the policy state is composed from the measures in force
        for country, state in self.states.items():
            for control in state.config.export_controls:  # controls already in force at the start
                decide_control(
                    self,
                    "standing_control",
                    country,
                    [P[p] for p in control.products],
                    country_ids(control.destinations),
                    LEVELS[control.level],
                    **control.regime(),
                )
        self.relations = Relations.from_pairs(loaded.diplomacy.relations)
        self.approval_belief = np.ones((self.book.n, N_PRODUCTS))
        self.export_mix = np.zeros((N_COUNTRIES, N_PRODUCTS))
        self.schedule_events = ScheduledEvents(self, loaded.events)
        self.levers: list[Event] = []  # lever changes made during the run (see apply_lever)
        self.investments = Investments(self)
        self.projects = Projects(self)
        self.diplomats = Diplomats()
        self.contracts = ContractBook(self)
        self.floors = np.zeros((N_COUNTRIES, N_PRODUCTS))
        self._mining_limit = supply.mining_limits(self)
        self._warm_up()
        self.schedule_events.apply_before_start()
        self.ledger_start = self.book.total_held()
        self.cum_mined = self.cum_by_products = self.cum_final_use = 0.0
        self.max_balance_error = 0.0
        # module-level reporters, not lambdas: the model pickles (Dask, the UI's fork)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "magnet_world_usd_per_kg": _magnet_world_price,
                "heavy_world_usd_per_kg": _heavy_world_price,
                "shortage_share": _shortage_share,
            }
        )
        self.running = True
        self.datacollector.collect(self)

    # ================================================================================== construction
    def _read_parameters(self) -> None:
        cal, sc = self.calibration, self.scenario
        self.heavy_share = cal.param("heavy_share_of_magnet_reo")
        self.growth = sc.demand.growth if sc.demand.growth is not None else cal.param("magnet_demand_growth")
        self.growth_rebase = 1.0  # keeps demand continuous when a lever changes the growth rate mid-run
        self.substitution_speed = (
            sc.demand.substitution_speed
            if sc.demand.substitution_speed is not None
            else cal.param("substitution_speed")
        )
        self.ore_grade = cal.ore_grades.loc[list(COUNTRIES), ["light_fraction", "heavy_fraction"]].to_numpy(float)
        self.registered_grade = self.ore_grade.copy()  # as calibrated; `ore_grade` events change ore_grade
        self.unregistered_pull = 0.0  # smoothed log rise of China's Dy/Tb price (see supply.mined_grade)
        world = np.array([cal.param(f"price_{p}") for p in PRODUCTS])
        ratio = cal.param("china_price_ratio")
        self.prices = np.stack([world * ratio, world], axis=1)  # product x market
        self.start_prices = self.prices.copy()
        self.expected_prices = self.prices.copy()
        self.price_momentum = np.zeros_like(self.prices)  # smoothed recent monthly log change
        self.hoarding = np.zeros_like(self.prices)  # extra cover wanted, x the normal cover (`hoarding` events)
        self.distrust = np.zeros((N_COUNTRIES, N_COUNTRIES))  # exporter x importer, see risk.update_risk
        self.substitution = np.ones(2)  # demand multiplier by market
        self.heavy_thrift = np.ones(2)  # Dy/Tb per magnet relative to 2024, by market
        self.heavy_bearing_base = demand.heavy_bearing_base(cal)  # by sector: magnets with Dy/Tb
        self.demand_shock = np.ones((N_COUNTRIES, N_SECTORS))
        self._target_cover = np.array([sc.market.target_cover_months.get(p, 2.0) for p in PRODUCTS])
        self.trade_weight = trade_weights(cal, sc.market.home_preference)
        self.origin_share = np.zeros((N_PRODUCTS, N_COUNTRIES, N_COUNTRIES))
        reference_month = cal.param("magnet_demand_reference_year") * 12.0
        annual = cal.param("magnet_reo_demand_t") * (1 + self.growth) ** ((self.start_month - reference_month) / 12.0)
        self.base_world_demand = annual

    def _build_firms(self) -> None:
        cal, sc = self.calibration, self.scenario
        scale = sc.world.scale
        table, self.scheduled_projects = firm_table(cal, sc.firms, self.start_month)
        kinds, countries, sectors, capacity, cost, output, names = [], [], [], [], [], [], []
        for r in table:
            for copy in range(scale):
                kinds.append(FIRM_KINDS.index(r["kind"]))
                countries.append(COUNTRIES.index(r["country"]))
                sectors.append(-1)
                capacity.append(r["capacity_t_per_year"] / scale)
                cost.append(r["unit_cost_usd_per_kg"])
                output.append(r["output_t"] / scale)
                names.append(r["name"] if scale == 1 else f"{r['name']} #{copy + 1}")
        shares = cal.demand_shares
        for c, s in zip(*np.nonzero(shares)):
            for copy in range(scale):
                kinds.append(MANUFACTURER)
                countries.append(int(c))
                sectors.append(int(s))
                demand = self.base_world_demand * shares[c, s] / scale
                capacity.append(demand)
                cost.append(1.0)
                output.append(demand)
                names.append(f"{COUNTRIES[c]} {SECTORS[s]} manufacturers" + ("" if scale == 1 else f" #{copy + 1}"))
        stockpiles = [(c, cfg) for c, cfg in sc.states.items() if cfg.stockpile or cfg.stockpile_target_days > 0]
        for c, _cfg in stockpiles:
            kinds.append(STOCKPILE)
            countries.append(COUNTRIES.index(c))
            sectors.append(-1)
            capacity.append(0.0)
            cost.append(1.0)
            output.append(0.0)
            names.append(f"{c} strategic stockpile")

        self.book = FirmBook(kinds, countries, sectors, capacity, cost, sc.market.transit_months)
        self.firm_names = names
        self.output_2024 = np.asarray(output)
        self.rows = {k: self.book.rows_of(k) for k in range(5)}
        # the rows with a stage and each one's (country, stage) cell of `capacity_by_country_stage`
        self._stage_rows = np.flatnonzero(np.isin(self.book.kind, list(STAGE_OF_KIND)))
        self._stage_cell = self.book.country[self._stage_rows] * len(STAGES) + np.array(
            [STAGE_OF_KIND[int(k)] for k in self.book.kind[self._stage_rows]], dtype=np.int64
        )
        self.firm_name_index: dict[str, list[int]] = {}
        for row, name in enumerate(names):
            self.firm_name_index.setdefault(name.split(" #")[0], []).append(row)
        self.sellers = {p: self.rows[SELLER_KIND[p]] for p in range(N_PRODUCTS)}
        self.layout = RowLayout(self.book, self.rows, self.sellers)
        self.feed_grade = np.tile(self._world_ore_grade(), (self.book.n, 1))
        for cls in FIRM_CLASSES:
            rows = self.rows[cls.kind]
            if cls is Manufacturer:
                Manufacturer.create_agents(
                    self, len(rows), list(rows), [names[r] for r in rows], [SECTORS[self.book.sector[r]] for r in rows]
                )
            else:
                cls.create_agents(self, len(rows), list(rows), [names[r] for r in rows])
        self._seed_stocks()

    def _world_ore_grade(self) -> np.ndarray:
        miners = self.rows[MINER]
        weights = np.bincount(self.book.country[miners], self.output_2024[miners], minlength=N_COUNTRIES)
        return (weights[:, None] * self.ore_grade).sum(axis=0) / max(weights.sum(), 1e-12)

    def _seed_stocks(self) -> None:
        self.base_utilisation = seed_at_reference_rates(
            self.book,
            self.rows,
            self.output_2024,
            self.feed_grade,
            self.ore_grade,
            self.heavy_share,
            self._target_cover,
        )

    def _build_states(self) -> None:
        self.states: dict[str, StateAgent] = {}
        from .scenario_schema import StateConfig

        for country in COUNTRIES:
            config = self.scenario.states.get(country, StateConfig(strategy="passive"))
            self.states[country] = StateAgent(self, country, config)
        for row in self.rows[STOCKPILE]:
            state = self.states[COUNTRIES[self.book.country[row]]]
            state.stockpile_row = int(row)
            for product, tonnes in state.config.stockpile.items():
                self.book.stock[row, P[product]] = tonnes
                state.holds[P[product]] = True
        self.defense_row = (self.book.kind == MANUFACTURER) & (self.book.sector == S["defense"])
        for state in self.states.values():
            if state.stockpile_row is not None and state.config.stockpile_end_use == "defense":
                self.defense_row[state.stockpile_row] = True
        for state in self.states.values():
            if state.stockpile_row is not None:
                state.watched_cells = [
                    stockpile_policy.watched_rows(self, state, p) * N_PRODUCTS + p for p in range(N_PRODUCTS)
                ]
        self.buyers = {}
        for p in range(N_PRODUCTS):
            stockpile_rows = [
                s.stockpile_row for s in self.states.values() if s.stockpile_row is not None and s.holds[p]
            ]
            self.buyers[p] = np.concatenate([self.rows[BUYER_KIND[p]], np.asarray(stockpile_rows, dtype=np.int64)])
        self.market_sides = clearing.market_sides(self.book, self.sellers, self.buyers)

    def _warm_up(self) -> None:
        self.in_warmup = True
        for _ in range(WARMUP_MONTHS):
            self.firms_plan()
            self.process_licences()
            self.clear_markets()
            self.produce_and_consume()
        self.in_warmup = False
        self.book.cash[:] = 0.0

    # ================================================================================== the month
    def step(self) -> None:
        if self.months_run >= self.months:
            # The run is over. `running` turns False only now, one call after the last month, because
            # Mesa 3.3.1's batch_run stops on it and would otherwise drop the last month's data row.
            self.running = False
            return
        self.month = self.start_month + self.months_run
        self.apply_scheduled_events()
        self.states_decide()
        self.firms_plan()
        self.process_licences()
        self.clear_markets()
        self.produce_and_consume()
        self.progress_investments()
        self.record_month()
        self.months_run += 1
        self.datacollector.collect(self)

    @property
    def finished(self) -> bool:
        return self.months_run >= self.months

    def apply_lever(self, change: dict, rationale: str = "set by the user"):
        """Change a policy from the month the model runs next: `change` is an event of the scenario format
        (kind, actor and its fields; the date may be left out). See `sim.levers`."""
        return levers.apply(self, change, rationale)

    def set_demand_growth(self, growth: float) -> None:
        demand.set_growth(self, growth)

    def apply_scheduled_events(self) -> None:
        """Phase 1: the scenario's dated policy changes and shocks."""
        self.schedule_events.apply(self.month)

    def states_decide(self) -> None:
        """Phase 2: each state's strategy (or a player's moves) decides."""
        self.relations.drift()
        agreements.review(self)
        for state in self.states.values():
            for decision in state.decide():
                self.log.add(
                    self.month, state.country, decision.kind, decision.target, decision.detail, decision.rationale
                )
        self._mining_limit = supply.mining_limits(self)

    def firms_plan(self) -> None:
        """Phase 3: goods in transit arrive; firms plan output, one kind at a time, and order their inputs."""
        self.book.arrive()
        risk.update_risk(self)
        # for every kind at once: what each seller wants to make (layout.sell_flat order) and the months of
        # use each buyer wants in stock (layout.buy_flat order; update_prices reads it too)
        self.output_need = output_needs(self)
        self.buyers_cover = prices.buyers_cover(self)
        for cls in FIRM_CLASSES:
            cls.plan(self)
        Firm.order_inputs(self)

    def process_licences(self) -> None:
        """Phase 4: importers apply for licences where controls require them; the offices decide."""
        licence_flow.file_and_review(self)

    def clear_markets(self) -> None:
        """Phase 5: each product's buyers meet its sellers (see `sim.clearing`)."""
        clearing.clear_month(self)

    def produce_and_consume(self) -> None:
        """Phase 6: mines, refineries and magnet plants run; manufacturers use magnets; prices move."""
        self._use_version += 1  # firms' use averages change below
        self._margin_version += 1  # ... and refiners' feed grades
        mined, by_products, delivered = operate_firms(self)
        if self.in_warmup:
            return
        self.cum_mined += float(mined.sum())
        self.cum_by_products += float(by_products.sum())
        self.cum_final_use += float(delivered.sum())
        self._check_balance()
        prices.update_prices(self)
        supply.update_unregistered_pull(self)
        demand.update_substitution(self)
        self._margin_version += 1  # prices and Dy/Tb thrift moved

    def progress_investments(self) -> None:
        """Phase 7: projects advance; capacity comes online; firms with full plants and margins expand;
        developers propose and finance new plants."""
        self.investments.step(self.month)
        self.projects.step(self.month)
        self.contracts.negotiate()

    def record_month(self) -> None:
        """Phase 8: this month's numbers into the recorder (plain arrays, no copies of agents)."""
        self.recorder.record(self, self.months_run)

    # ================================================================================== what agents ask
    # Firms and strategies see the world through these; the mechanisms live in their own modules.
    def normal_supply(self, rows: np.ndarray, product: int) -> np.ndarray:
        return supply.normal_supply(self, rows, product)

    def mined_grade(self) -> np.ndarray:
        return supply.mined_grade(self)

    def margin_index(self, rows: np.ndarray, contracts: bool = True) -> np.ndarray:
        return supply.margin_index(self, rows, contracts)

    def value_and_cost(self, rows: np.ndarray, price_table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return supply.value_and_cost(self, rows, price_table)

    def mining_limit(self, rows: np.ndarray) -> np.ndarray:
        return self._mining_limit[rows]

    def final_demand(self, rows: np.ndarray) -> np.ndarray:
        return demand.final_demand(self, rows)

    def heavy_share_of(self, rows: np.ndarray) -> np.ndarray:
        return demand.heavy_share_of(self, rows)

    def target_cover(self, product: int) -> float:
        return float(self._target_cover[product])

    def market_of(self, rows: np.ndarray) -> np.ndarray:
        """0 (china) or 1 (world) for each row."""
        return market.MARKET_OF[self.book.country[rows]]

    def supply_exposure(self, country_id: int) -> float:
        return risk.supply_exposure(self, country_id)

    def _check_balance(self) -> None:
        """Produced = consumed + stocked + in transit (tonnes REO), relative to what has passed through."""
        lhs = self.ledger_start + self.cum_mined
        error = abs(lhs - (self.cum_by_products + self.cum_final_use + self.book.total_held())) / max(lhs, 1.0)
        self.max_balance_error = max(self.max_balance_error, error)
        self.last_balance_error = error

    # ================================================================================== read-outs
    @property
    def date(self) -> str:
        return format_month(self.month)

    @property
    def month_of_year(self) -> int:
        return self.month % 12

    def price_index(self, country_id: int, product: int = LIGHT) -> float:
        """A product's price in the country's market relative to the start."""
        k = market.MARKET_OF[country_id]
        return float(self.prices[product, k] / self.start_prices[product, k])

    def unmet_share(self, country_id: int, product: int) -> np.floating:
        """`domestic_unmet_share(country_id)[product]`, without the other products."""
        if not hasattr(self, "last_orders"):
            return np.float64(0.0)
        orders = self.last_orders[country_id, product]
        return self.last_unmet[country_id, product] / orders if orders > 1e-12 else np.float64(0.0)

    def domestic_unmet_share(self, country_id: int) -> np.ndarray:
        if not hasattr(self, "last_orders"):
            return np.zeros(N_PRODUCTS)
        orders = self.last_orders[country_id]
        return np.divide(self.last_unmet[country_id], orders, out=np.zeros(N_PRODUCTS), where=orders > 1e-12)

    def use_by_country(self) -> np.ndarray:
        """Smoothed monthly use of each product by firms, country x product (computed once per change)."""
        return demand.use_by_country(self)

    def domestic_use(self, country_id: int) -> np.ndarray:
        return self.use_by_country()[country_id]

    def refining_share(self, country_id: int) -> float:
        """The country's share of the world's refining capacity."""
        capacity = self.capacity_by_country_stage()[:, 1]
        return float(capacity[country_id] / capacity.sum()) if capacity.sum() > 0 else 0.0

    def capacity_by_country_stage(self) -> np.ndarray:
        """Capacity that can run (after capacity shocks), t/yr, country x stage: one bincount over all stages'
        rows (each cell sums its rows in row order, as one bincount a stage did)."""
        book, rows = self.book, self._stage_rows
        running = book.capacity[rows] * book.capacity_factor[rows]
        cells = np.bincount(self._stage_cell, running, minlength=N_COUNTRIES * len(STAGES))
        return cells.reshape(N_COUNTRIES, len(STAGES))
