"""`RareEarthModel`: the Mesa model. One step is one calendar month, run as eight named phases."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from agents.firms import FIRM_CLASSES, MagnetMaker, Manufacturer, Miner, Refiner, willingness
from agents.state import StateAgent

from . import agreements, licence_flow, market
from .calibration import load_calibration
from .constants import (
    CN, COUNTRIES, FIRM_KINDS, HEAVY, LIGHT, MAGNET, MAGNET_MAKER, MANUFACTURER, MINER, N_COUNTRIES,
    N_PRODUCTS, N_SECTORS, ORE, P, PRODUCTS, REFINER, S, SECTORS, SELLER_KIND, STAGE_OF_KIND, STAGES,
)
from .dates import format_month, parse_month
from .diplomacy import Relations
from .events import EventLog, ScheduledEvents
from .agreements import Diplomats
from .contracts import ContractBook
from .investment import Investments
from .projects import Projects
from .licensing import BAN, LEVELS, LICENCE, LicenceOffice
from .recorder import Recorder
from .scenario import Scenario, load_scenario
from .world import STOCKPILE, FirmBook

WARMUP_MONTHS = 12  # months run before the start date, with prices and the calendar frozen, to settle flows
NEW_PLANT_UTILISATION = 0.85
HEAVY_THRIFT_FLOOR = 0.4
ORIGIN_MEMORY = 0.05  # how fast buyers forget who their usual suppliers were
BUYER_KIND = {ORE: REFINER, LIGHT: MAGNET_MAKER, HEAVY: MAGNET_MAKER, MAGNET: MANUFACTURER}
INPUTS_OF_KIND = {REFINER: (ORE,), MAGNET_MAKER: (LIGHT, HEAVY), MANUFACTURER: (MAGNET,)}


class RareEarthModel(mesa.Model):
    """The rare-earth supply chain, month by month.

    `RareEarthModel(scenario="baseline_2024", seed=None, **overrides)`: `scenario` is a library name, a
    path or a loaded `Scenario`; each override is a scenario path with `__` for the dots
    (`world__scale=10`, `months=24`). `seed=None` takes the scenario's seed.
    """

    def __init__(self, scenario: str | Path | Scenario = "baseline_2024", seed: int | None = None,
                 **overrides: Any):
        if isinstance(scenario, Scenario):
            if overrides:
                raise TypeError("overrides go with a scenario name or path, not a loaded Scenario")
            loaded = scenario
        else:
            loaded = load_scenario(scenario, overrides={k.replace("__", "."): v for k, v in overrides.items()})
        seed = loaded.seed if seed is None else int(seed)
        super().__init__(seed=seed)
        self.scenario = loaded
        self.seed_value = seed
        self.calibration = load_calibration(loaded.world.data)
        self.start_month = parse_month(loaded.start)
        self.months = loaded.months
        self.months_run = 0
        self.month = self.start_month
        self.in_warmup = False
        self.log = EventLog()
        self._use_version, self._use_cache = 0, (-1, None)
        self.recorder = Recorder(self.months)
        self._read_parameters()
        self._build_firms()
        self._build_states()
        self.office = LicenceOffice(validity_months=loaded.licensing.validity_months, firm_country=self.book.country)
        for country, state in self.states.items():
            if state.config.review_capacity is not None:
                self.office.review_capacity[COUNTRIES.index(country)] = state.config.review_capacity
        for country, state in self.states.items():
            for control in state.config.export_controls:  # controls already in force at the start
                self.office.set_control(COUNTRIES.index(country), [P[p] for p in control.products],
                                        [COUNTRIES.index(m) for m in (COUNTRIES if "*" in control.destinations
                                                                      else control.destinations)],
                                        LEVELS[control.level], self.start_month, **control.regime())
        self.relations = Relations.from_pairs(loaded.diplomacy.relations)
        self.approval_belief = np.ones((self.book.n, N_PRODUCTS))
        self.export_mix = np.zeros((N_COUNTRIES, N_PRODUCTS))
        self.schedule_events = ScheduledEvents(self, loaded.events)
        self.investments = Investments(self)
        self.projects = Projects(self)
        self.diplomats = Diplomats()
        self.contracts = ContractBook(self)
        self.floors = np.zeros((N_COUNTRIES, N_PRODUCTS))
        self._quota_limits()
        self._warm_up()
        self.schedule_events.apply_before_start()
        self.ledger_start = self.book.total_held()
        self.cum_mined = self.cum_by_products = self.cum_final_use = 0.0
        self.max_balance_error = 0.0
        self.datacollector = mesa.DataCollector(model_reporters={
            "magnet_world_usd_per_kg": lambda m: float(m.prices[MAGNET, market.WORLD]),
            "heavy_world_usd_per_kg": lambda m: float(m.prices[HEAVY, market.WORLD]),
            "shortage_share": lambda m: m.recorder.last_shortage_share(m.months_run),
        })
        self.running = True
        self.datacollector.collect(self)

    # ================================================================================== construction
    def _read_parameters(self) -> None:
        cal, sc = self.calibration, self.scenario
        self.heavy_share = cal.param("heavy_share_of_magnet_reo")
        self.growth = sc.demand.growth if sc.demand.growth is not None else cal.param("magnet_demand_growth")
        self.substitution_speed = (sc.demand.substitution_speed if sc.demand.substitution_speed is not None
                                   else cal.param("substitution_speed"))
        self.ore_grade = cal.ore_grades.loc[list(COUNTRIES), ["light_fraction", "heavy_fraction"]].to_numpy(float)
        world = np.array([cal.param(f"price_{p}") for p in PRODUCTS])
        ratio = cal.param("china_price_ratio")
        self.prices = np.stack([world * ratio, world], axis=1)  # product x market
        self.start_prices = self.prices.copy()
        self.expected_prices = self.prices.copy()
        self.substitution = np.ones(2)  # demand multiplier by market
        self.heavy_thrift = np.ones(2)  # Dy/Tb per magnet relative to 2024, by market
        self.demand_shock = np.ones((N_COUNTRIES, N_SECTORS))
        self._target_cover = np.array([sc.market.target_cover_months.get(p, 2.0) for p in PRODUCTS])
        pull = np.ones((N_PRODUCTS, N_COUNTRIES, N_COUNTRIES))
        weights = np.where(np.isnan(cal.trade_weights), 0.0, cal.trade_weights)
        home = np.isnan(np.diagonal(cal.trade_weights, axis1=1, axis2=2))
        for p in range(N_PRODUCTS):
            diagonal = np.diagonal(weights[p]).copy()
            # ore goes wherever there is a refinery for it; finished goods favour home suppliers
            diagonal[home[p]] = 1.0 if p == ORE else sc.market.home_preference
            np.fill_diagonal(weights[p], diagonal)
        self.trade_weight = weights * pull
        self.origin_share = np.zeros((N_PRODUCTS, N_COUNTRIES, N_COUNTRIES))
        reference_month = cal.param("magnet_demand_reference_year") * 12.0
        annual = cal.param("magnet_reo_demand_t") * (1 + self.growth) ** (
            (self.start_month - reference_month) / 12.0)
        self.base_world_demand = annual

    def _build_firms(self) -> None:
        cal, sc = self.calibration, self.scenario
        scale = sc.world.scale
        table = cal.firms[["name", "kind", "country", "capacity_t_per_year", "output_t",
                           "unit_cost_usd_per_kg"]].to_dict("records")
        for extra in sc.firms:
            row = extra.model_dump()
            row["output_t"] = row["output_t"] if row["output_t"] is not None else 0.0
            table.append(row)
        stage_kind = {"mining": "miner", "refining": "refiner", "magnets": "magnet_maker"}
        known = {r["name"] for r in table}
        self.scheduled_projects = []
        for project in cal.projects.to_dict("records"):
            if project["firm"] not in known:
                table.append({"name": project["firm"], "kind": stage_kind[project["stage"]],
                              "country": project["country"], "capacity_t_per_year": 0.0, "output_t": 0.0,
                              "unit_cost_usd_per_kg": project["unit_cost_usd_per_kg"]})
                known.add(project["firm"])
            online = parse_month(project["online"])
            if online <= self.start_month:
                next(r for r in table if r["name"] == project["firm"])["capacity_t_per_year"] += \
                    project["tonnes_per_year"]
            else:
                self.scheduled_projects.append((online, project["firm"], project["tonnes_per_year"], project["name"]))

        present = {(r["kind"], r["country"]) for r in table}
        for country in COUNTRIES:
            for kind, cost in (("refiner", 12.0), ("magnet_maker", 100.0)):
                if (kind, country) not in present:  # someone to develop a first plant there
                    table.append({"name": f"{country} {kind.replace('_', ' ')} developers", "kind": kind,
                                  "country": country, "capacity_t_per_year": 0.0, "output_t": 0.0,
                                  "unit_cost_usd_per_kg": cost})
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
        self.firm_name_index = {}
        for row, name in enumerate(names):
            self.firm_name_index.setdefault(name.split(" #")[0], []).append(row)
        self.sellers = {p: self.rows[SELLER_KIND[p]] for p in range(N_PRODUCTS)}
        self.feed_grade = np.tile(self._world_ore_grade(), (self.book.n, 1))
        for cls in FIRM_CLASSES:
            rows = self.rows[cls.kind]
            if cls is Manufacturer:
                Manufacturer.create_agents(self, len(rows), list(rows), [names[r] for r in rows],
                                           [SECTORS[self.book.sector[r]] for r in rows])
            else:
                cls.create_agents(self, len(rows), list(rows), [names[r] for r in rows])
        self._seed_stocks()

    def _world_ore_grade(self) -> np.ndarray:
        miners = self.rows[MINER]
        weights = np.bincount(self.book.country[miners], self.output_2024[miners], minlength=N_COUNTRIES)
        return (weights[:, None] * self.ore_grade).sum(axis=0) / max(weights.sum(), 1e-12)

    def _seed_stocks(self) -> None:
        """Start every row at its 2024 rates with its target stocks, so the warm-up has little to do."""
        book, h = self.book, self.heavy_share
        monthly = self.output_2024 / 12.0
        grade = self.feed_grade
        miners, refiners, makers, users = (self.rows[k] for k in range(4))
        book.sales_avg[miners, ORE] = monthly[miners]
        book.sales_avg[refiners, LIGHT] = monthly[refiners] * grade[refiners, 0]
        book.sales_avg[refiners, HEAVY] = monthly[refiners] * grade[refiners, 1] * 0.9
        book.sales_avg[makers, MAGNET] = monthly[makers]
        book.asked_avg[:] = book.sales_avg
        book.use_avg[refiners, ORE] = monthly[refiners]
        book.use_avg[makers, LIGHT] = monthly[makers] * (1 - h)
        book.use_avg[makers, HEAVY] = monthly[makers] * h
        book.use_avg[users, MAGNET] = monthly[users]
        for p in range(N_PRODUCTS):
            book.stock[:, p] = 1.2 * book.sales_avg[:, p] + self._target_cover[p] * book.use_avg[:, p]
        book.ore_content[:] = book.stock[:, ORE:ORE + 1] * self.ore_grade[book.country]
        book.ore_content[refiners] = book.stock[refiners, ORE:ORE + 1] * grade[refiners]
        book.utilisation[:] = np.divide(self.output_2024, book.capacity, out=np.zeros(book.n),
                                        where=book.capacity > 0)
        # plants without a 2024 record (new projects) run like a typical plant
        self.base_utilisation = np.where(self.output_2024 > 0, np.minimum(book.utilisation, 1.0),
                                         NEW_PLANT_UTILISATION)

    def _build_states(self) -> None:
        self.states: dict[str, StateAgent] = {}
        from .scenario import StateConfig
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
        self.buyers = {}
        for p in range(N_PRODUCTS):
            stockpile_rows = [s.stockpile_row for s in self.states.values()
                              if s.stockpile_row is not None and s.holds[p]]
            self.buyers[p] = np.concatenate([self.rows[BUYER_KIND[p]], np.asarray(stockpile_rows, dtype=np.int64)])

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

    def apply_scheduled_events(self) -> None:
        """Phase 1: the scenario's dated policy changes and shocks."""
        self.schedule_events.apply(self.month)

    def states_decide(self) -> None:
        """Phase 2: each state's strategy (or a player's moves) decides."""
        self.relations.drift()
        agreements.review(self)
        for state in self.states.values():
            for decision in state.decide():
                self.log.add(self.month, state.country, decision.kind, decision.target, decision.detail,
                             decision.rationale)
        self._quota_limits()

    def firms_plan(self) -> None:
        """Phase 3: goods in transit arrive; firms plan output and orders, one kind at a time."""
        self.book.arrive()
        self._update_risk()
        for cls in FIRM_CLASSES:
            cls.plan(self, self.rows[cls.kind])

    def process_licences(self) -> None:
        """Phase 4: importers apply for licences where controls require them; the offices decide."""
        licence_flow.file_and_review(self)

    def clear_markets(self) -> None:
        """Phase 5: ore, then oxides, then magnets: each product's buyers meet its sellers."""
        self.last_orders = np.zeros((N_COUNTRIES, N_PRODUCTS))
        self.last_unmet = np.zeros((N_COUNTRIES, N_PRODUCTS))
        self.month_flows = np.zeros((N_PRODUCTS, N_COUNTRIES, N_COUNTRIES))
        preference = agreements.preferential_weight(self)
        for p in range(N_PRODUCTS):
            weight = self.trade_weight[p] * self._price_pull(p) * preference
            contracted = self.contracts.deliver(p)
            cap, licensed, export_limit = licence_flow.market_terms(self, p)
            buyers = self.buyers[p]
            sellers = self.sellers[p]
            normal = self.normal_supply(sellers, p)
            clearing = market.clear_product(self.book, p, sellers, buyers, weight, cap, self.prices[p], normal,
                                            licensed, export_limit)
            licence_flow.record_use(self, p, clearing)
            self.month_flows[p] = clearing.flows + contracted
            if not self.office.export_quotas:  # the mix a quota is shared by: exports while none binds
                abroad = clearing.flows.sum(axis=1) - np.diag(clearing.flows)
                self.export_mix[:, p] += 0.3 * (abroad - self.export_mix[:, p])
            self._release_stockpiles(p)
            b_country = self.book.country[buyers]
            self.last_orders[:, p] = np.bincount(b_country, self.book.order[buyers, p], minlength=N_COUNTRIES)
            self.last_unmet[:, p] = np.bincount(b_country, self.book.unmet[buyers, p], minlength=N_COUNTRIES)
            self._remember_suppliers(p, clearing.flows)

    def _remember_suppliers(self, p: int, flows: np.ndarray) -> None:
        """Each importer's usual share of supply by origin. Links under controls keep their pre-control
        share: buyers still count on those suppliers (and apply for licences accordingly)."""
        received = flows.sum(axis=0)
        share = np.divide(flows, received, out=np.zeros_like(flows), where=received > 0)
        memory = 0.5 if self.in_warmup else ORIGIN_MEMORY
        free = self.office.level[:, p, :] == 0
        update = free & (received > 0)[None, :]
        self.origin_share[p] += memory * np.where(update, share - self.origin_share[p], 0.0)

    def produce_and_consume(self) -> None:
        """Phase 6: mines, refineries and magnet plants run; manufacturers use magnets; prices move."""
        book = self.book
        self._use_version += 1  # firms' use averages change below
        mined = Miner.operate(self, self.rows[MINER])
        light, heavy, by_products = Refiner.operate(self, self.rows[REFINER])
        made = MagnetMaker.operate(self, self.rows[MAGNET_MAKER])
        demand, delivered = Manufacturer.operate(self, self.rows[MANUFACTURER])
        self.month_output = {
            "mined": np.bincount(book.country[self.rows[MINER]], mined, minlength=N_COUNTRIES),
            "refined": np.bincount(book.country[self.rows[REFINER]], light + heavy, minlength=N_COUNTRIES),
            "magnets": np.bincount(book.country[self.rows[MAGNET_MAKER]], made, minlength=N_COUNTRIES),
        }
        users = self.rows[MANUFACTURER]
        key = book.country[users] * N_SECTORS + book.sector[users]
        size = N_COUNTRIES * N_SECTORS
        self.month_demand = np.bincount(key, demand, minlength=size).reshape(N_COUNTRIES, N_SECTORS)
        self.month_delivered = np.bincount(key, delivered, minlength=size).reshape(N_COUNTRIES, N_SECTORS)
        if self.in_warmup:
            return
        self.cum_mined += float(mined.sum())
        self.cum_by_products += float(by_products.sum())
        self.cum_final_use += float(delivered.sum())
        self._check_balance()
        self._update_prices()
        self._update_substitution()

    def progress_investments(self) -> None:
        """Phase 7: projects advance; capacity comes online; firms with full plants and margins expand;
        developers propose and finance new plants."""
        self.investments.step(self.month)
        self.projects.step(self.month)
        self.contracts.negotiate()

    def record_month(self) -> None:
        """Phase 8: this month's numbers into the recorder (plain arrays, no copies of agents)."""
        self.recorder.record(self, self.months_run)

    # ================================================================================== mechanisms
    def normal_supply(self, rows: np.ndarray, product: int) -> np.ndarray:
        """Monthly tonnes a seller normally brings to market: its capacity at its reference utilisation
        (within any quota), times the product's share of a refinery's output, less what thin margins cut."""
        normal = Miner.monthly_capacity(self, rows) * self.base_utilisation[rows]
        if product == ORE:
            return np.minimum(normal, self._mining_limit[rows])
        # processors squeezed by their input costs bring less to market, so buyers turn to cheaper makers
        normal = normal * willingness(self.margin_index(rows))
        if product in (LIGHT, HEAVY):
            return normal * self.feed_grade[rows, product - LIGHT]
        return normal

    def target_cover(self, product: int) -> float:
        return float(self._target_cover[product])

    def market_of(self, rows: np.ndarray) -> np.ndarray:
        """0 (china) or 1 (world) for each row."""
        return market.MARKET_OF[self.book.country[rows]]

    def margin_index(self, rows: np.ndarray) -> np.ndarray:
        """A processor's value-to-cost ratio (output value over inputs plus conversion) now, relative to
        the same ratio at start prices, in its own market."""
        markets = market.MARKET_OF[self.book.country[rows]]
        now = self.value_and_cost(rows, self.prices[:, markets])
        then = self.value_and_cost(rows, self.start_prices[:, markets])
        return (now[0] / now[1]) / (then[0] / then[1])

    def value_and_cost(self, rows: np.ndarray, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per tonne of output (magnets) or feed (refiners): value of what comes out, cost of what goes in."""
        kind = self.book.kind[rows]
        grade = self.feed_grade[rows]
        h = self.heavy_share_of(rows)
        refining = kind == REFINER
        value = np.where(refining, grade[:, 0] * prices[LIGHT] + grade[:, 1] * prices[HEAVY], prices[MAGNET])
        inputs = np.where(refining, prices[ORE], (1 - h) * prices[LIGHT] + h * prices[HEAVY])
        return value, inputs + self.book.unit_cost[rows]

    def mining_limit(self, rows: np.ndarray) -> np.ndarray:
        return self._mining_limit[rows]

    def _quota_limits(self) -> None:
        """Monthly mining limits: plant capacity, and a state's quota shared by capacity within it."""
        rows = self.rows[MINER]
        book = self.book
        limit = np.zeros(book.n)
        limit[rows] = Miner.monthly_capacity(self, rows)
        for state in self.states.values():
            if state.quota_t is None:
                continue
            own = rows[book.country[rows] == state.country_id]
            total = limit[own].sum()
            if total > state.quota_t / 12.0 and total > 0:
                limit[own] *= state.quota_t / 12.0 / total
        self._mining_limit = limit

    def final_demand(self, rows: np.ndarray) -> np.ndarray:
        book = self.book
        years = 0.0 if self.in_warmup else self.months_run / 12.0
        growth = (1.0 + self.growth) ** years
        markets = market.MARKET_OF[book.country[rows]]
        return (book.capacity[rows] / 12.0 * growth * self.substitution[markets]
                * self.demand_shock[book.country[rows], book.sector[rows]])

    def _price_pull(self, product: int) -> np.ndarray:
        """Sellers lean towards the market that pays more (China's exports rise when world prices do)."""
        china, world = self.prices[product] / self.start_prices[product]
        strength = self.scenario.market.price_pull
        pull = np.ones((N_COUNTRIES, N_COUNTRIES))
        pull[CN, :] = (world / china) ** strength
        pull[:, CN] = (china / world) ** strength
        pull[CN, CN] = 1.0
        return pull

    def _release_stockpiles(self, product: int) -> None:
        """Open stockpiles fill domestic orders the market left unfilled (and, through a rapid-response
        group, the partners'), at the market price."""
        book = self.book
        for state in self.states.values():
            row = state.stockpile_row
            if row is None or not state.releasing[product] or book.stock[row, product] <= 0:
                continue
            buyers = self.rows[BUYER_KIND[product]]
            served = [state.country_id] + agreements.rapid_response_partners(self, state.country_id)
            mine = buyers[np.isin(book.country[buyers], served)]
            short = book.unmet[mine, product]
            total = short.sum()
            if total <= 0:
                continue
            given = min(total, book.stock[row, product])
            share = short / total * given
            book.stock[mine, product] += share
            book.unmet[mine, product] -= share
            book.stock[row, product] -= given
            price = self.prices[product, market.MARKET_OF[state.country_id]]
            book.cash[mine] -= share * price * 1000.0

    def _update_risk(self) -> None:
        """Buyers' sense of supply risk: unfilled orders and the controls on their usual suppliers."""
        if self.in_warmup:
            return
        office, book = self.office, self.book
        severity = np.where(office.level == BAN, 1.0,
                            np.where(office.level == LICENCE, 0.5 + 0.5 * (1.0 - office.approval_rate), 0.0))
        # exposure[product, importer] = sum over exporters of usual share x severity
        exposure = np.einsum("pem,epm->pm", self.origin_share, severity)
        memory = self.scenario.market.risk_memory
        for kind, products in INPUTS_OF_KIND.items():
            rows = self.rows[kind]
            for p in products:
                unmet_share = np.divide(book.unmet[rows, p], book.order[rows, p], out=np.zeros(len(rows)),
                                        where=book.order[rows, p] > 1e-12)
                signal = np.maximum(unmet_share, exposure[p, book.country[rows]])
                book.risk[rows, p] += memory * (signal - book.risk[rows, p])
        for state in self.states.values():
            if state.stockpile_row is not None:
                row = state.stockpile_row
                book.risk[row] += memory * (exposure[:, state.country_id] - book.risk[row])

    def _update_prices(self) -> None:
        book, sc = self.book, self.scenario.market
        in_market = market.MARKET_OF[book.country]
        not_stockpile = book.kind != STOCKPILE
        inbound = book.transit.sum(axis=0)
        for p in range(N_PRODUCTS):
            buyers = self.rows[BUYER_KIND[p]]
            sellers = self.sellers[p]
            cover = self._target_cover[p] * (1.0 + sc.precaution * book.risk[buyers, p])
            want_rows = np.concatenate([cover * book.use_avg[buyers, p], 1.2 * book.sales_avg[sellers, p]])
            want_market = in_market[np.concatenate([buyers, sellers])]
            wanted = np.bincount(want_market, want_rows, minlength=2)
            held = np.bincount(in_market[not_stockpile], (book.stock[:, p] + inbound[:, p])[not_stockpile],
                               minlength=2)
            orders = np.bincount(in_market[buyers], book.order[buyers, p], minlength=2)
            unmet = np.bincount(in_market[buyers], book.unmet[buyers, p], minlength=2)
            for k in range(2):
                share = unmet[k] / orders[k] if orders[k] > 1e-12 else 0.0
                self.prices[p, k] = market.price_step(self.prices[p, k], self.expected_prices[p, k], held[k],
                                                      wanted[k], share, sc.cover_elasticity, sc.unmet_response,
                                                      sc.price_speed, sc.max_monthly_change)
        # The price traders expect (the level scarcity is measured against) drifts back to its normal,
        # cost-based level, and where Chinese exports flow freely it is arbitraged towards China's.
        self.expected_prices += (self.start_prices - self.expected_prices) / sc.normal_price_months
        parity = self.prices[:, market.CHINA] * self.start_prices[:, market.WORLD] / self.start_prices[:, market.CHINA]
        gap = parity - self.expected_prices[:, market.WORLD]
        self.expected_prices[:, market.WORLD] += self._export_openness() * gap / sc.arbitrage_months

    def _export_openness(self) -> np.ndarray:
        """Per product, the share of world demand that China may supply freely (licences count as half
        open at a 100% approval rate, less at lower ones)."""
        office = self.office
        closed = np.where(office.level[CN] == BAN, 1.0,
                          np.where(office.level[CN] == LICENCE, 1.0 - 0.5 * office.approval_rate[CN], 0.0))
        use = self.use_by_country()
        use[CN] = 0.0
        weights = np.divide(use, use.sum(axis=0), out=np.zeros_like(use), where=use.sum(axis=0) > 0)
        return 1.0 - (closed.T * weights).sum(axis=0)

    def _update_substitution(self) -> None:
        """Users thrift and substitute when magnets stay dear, at most `substitution_speed` of demand a year;
        magnet makers likewise cut Dy/Tb per magnet when heavy oxide stays dear (as Japan's makers did
        after 2011), down to HEAVY_THRIFT_FLOOR of the 2024 content."""
        elasticity = self.scenario.demand.substitution_elasticity
        step = self.substitution_speed / 12.0
        ratio = self.prices[MAGNET] / self.start_prices[MAGNET]
        target = np.minimum(ratio ** (-elasticity), self.scenario.demand.rebound_cap)
        self.substitution += np.clip(target - self.substitution, -step, step)
        heavy_ratio = self.prices[HEAVY] / self.start_prices[HEAVY]
        target = np.clip(heavy_ratio ** (-elasticity), HEAVY_THRIFT_FLOOR, 1.0)
        self.heavy_thrift += np.clip(target - self.heavy_thrift, -step, step)

    def heavy_share_of(self, rows: np.ndarray) -> np.ndarray:
        """Share of Dy/Tb oxide in each magnet maker's input, after thrifting."""
        return self.heavy_share * self.heavy_thrift[market.MARKET_OF[self.book.country[rows]]]

    def _check_balance(self) -> None:
        """Produced = consumed + stocked + in transit (tonnes REO), relative to what has passed through."""
        held = self.book.total_held()
        lhs = self.ledger_start + self.cum_mined
        rhs = self.cum_by_products + self.cum_final_use + held
        error = abs(lhs - rhs) / max(lhs, 1.0)
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

    def domestic_unmet_share(self, country_id: int) -> np.ndarray:
        if not hasattr(self, "last_orders"):
            return np.zeros(N_PRODUCTS)
        orders = self.last_orders[country_id]
        return np.divide(self.last_unmet[country_id], orders, out=np.zeros(N_PRODUCTS), where=orders > 1e-12)

    def use_by_country(self) -> np.ndarray:
        """Smoothed monthly use of each product by firms, country x product (computed once per change)."""
        if self._use_cache[0] != self._use_version:
            book = self.book
            firms = book.kind != STOCKPILE
            key = book.country[firms] * N_PRODUCTS
            use = np.bincount((key[:, None] + np.arange(N_PRODUCTS)).ravel(), book.use_avg[firms].ravel(),
                              minlength=N_COUNTRIES * N_PRODUCTS).reshape(N_COUNTRIES, N_PRODUCTS)
            self._use_cache = (self._use_version, use)
        return self._use_cache[1].copy()

    def domestic_use(self, country_id: int) -> np.ndarray:
        return self.use_by_country()[country_id]

    def finance_project(self, country_id: int, stage: str, capex: float) -> dict:
        """What the home state and allies would put into a project: grants and loans, co-finance."""
        state = self.states[COUNTRIES[country_id]]
        if state.budget_year != self.month // 12:
            state.budget_year, state.budget_left = self.month // 12, state.config.support_budget_usd
        sources = {}
        grant = min(capex * state.strategy.project_support(state, stage, self), state.budget_left)
        if grant > 0:
            sources[f"{state.country} state"] = grant
        sources.update(self.diplomats.cofinance(country_id, capex, self.month))
        return sources

    def commit_financing(self, country_id: int, financing: dict) -> None:
        state = self.states[COUNTRIES[country_id]]
        for source, usd in financing.items():
            if source == f"{state.country} state":
                state.budget_left -= usd
            elif source != "developer":
                self.diplomats.spend(source, usd)

    def supply_exposure(self, country_id: int) -> float:
        """Share of the country's oxide and magnet supply that comes from suppliers that control exports
        to it or that it is at odds with."""
        office = self.office
        exposed = [((office.level[:, p, country_id] > 0) | (self.relations.score[country_id] < 0.1))
                   for p in (LIGHT, HEAVY, MAGNET)]
        shares = [self.origin_share[p, :, country_id] for p in (LIGHT, HEAVY, MAGNET)]
        exposed_share = [float((s * (e & (np.arange(N_COUNTRIES) != country_id))).sum())
                         for s, e in zip(shares, exposed)]
        return float(np.mean(exposed_share))

    def refining_share(self, country_id: int) -> float:
        """The country's share of the world's refining capacity."""
        capacity = self.capacity_by_country_stage()[:, 1]
        return float(capacity[country_id] / capacity.sum()) if capacity.sum() > 0 else 0.0

    def export_quota_share(self, product: int) -> np.ndarray:
        """Per exporter, the share of its export quota this product may use: its share of exports before
        the quota bound, shifted towards products whose export premium has risen most (exporters put
        scarce quota where it pays)."""
        share = np.ones(N_COUNTRIES)
        premium = (self.prices[:, market.WORLD] / self.prices[:, market.CHINA]) / (
            self.start_prices[:, market.WORLD] / self.start_prices[:, market.CHINA])
        for e, quota in self.office.export_quotas.items():
            covered = sorted(quota.products)
            mix = self.export_mix[e, covered] * premium[covered] ** 2
            own = self.export_mix[e, product] * premium[product] ** 2
            share[e] = own / mix.sum() if mix.sum() > 0 else 1.0 / len(covered)
        return share

    def capacity_by_country_stage(self) -> np.ndarray:
        book = self.book
        out = np.zeros((N_COUNTRIES, len(STAGES)))
        for kind, stage in STAGE_OF_KIND.items():
            rows = self.rows[kind]
            out[:, stage] = np.bincount(book.country[rows], book.capacity[rows] * book.capacity_factor[rows],
                                        minlength=N_COUNTRIES)
        return out
