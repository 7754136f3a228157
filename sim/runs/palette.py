"""One set of colours for every chart the project draws (report.html, the web UI, the README chart), so a
country or a product has the same colour everywhere. Countries use the Okabe-Ito palette, which stays
distinct for the common forms of colour blindness; the other series use Paul Tol's colour-blind-safe
schemes. (Okabe & Ito 2008, "Color Universal Design"; Tol 2021, "Colour schemes", SRON/EPS/TN/09-002.)"""
from __future__ import annotations

COUNTRY = {"CN": "#D55E00", "US": "#0072B2", "JP": "#CC79A7", "AU": "#E69F00", "EU": "#009E73",
           "MM": "#56B4E9", "MY": "#F0E442", "ROW": "#8C8C8C"}
PRODUCT = {"ore": "#CCBB44", "light_oxide": "#4477AA", "heavy_oxide": "#AA3377", "magnet": "#228833"}
MARKET = {"china": COUNTRY["CN"], "world": "#332288"}
SECTOR = {"ev": "#0077BB", "wind": "#33BBEE", "industrial": "#EE7733", "electronics": "#009988",
          "defense": "#CC3311"}
STAGE = {"mining": "#997700", "refining": "#6699CC", "magnets": "#994455"}
EVENT_MARKER = "#666666"
# Series that are not countries, products, markets, sectors or stages (a sweep's parameter values, seeds):
# Paul Tol's "bright" scheme, in his order.
SERIES = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"]
# Line styles carry the second dimension of a chart whose colour is taken (who holds a stock, which
# market), so two panels never use one style for different things.
HOLDER_STYLE = {"firms": "-", "state": "--"}
MARKET_STYLE = {"world": "-", "china": ":"}
LICENCE = {"applied": "#4477AA", "approved": "#228833", "denied": "#EE6677", "pending": "#CCBB44"}
BRANCH_DASH = {"what-if": [1, 0], "baseline": [6, 3]}  # line style, not colour: colour stays the country's
