"""Ids shared by every layer: countries, products, sectors, stages, firm kinds.

Index order matters: numpy arrays throughout the model are laid out in these orders.
"""

from __future__ import annotations

COUNTRIES: tuple[str, ...] = ("CN", "US", "JP", "AU", "EU", "MM", "MY", "ROW")
PRODUCTS: tuple[str, ...] = ("ore", "light_oxide", "heavy_oxide", "magnet")
# how sentences people read name each product (the ids above are for files and code)
PRODUCT_WORDS = {"ore": "ore", "light_oxide": "NdPr oxide", "heavy_oxide": "Dy/Tb oxide", "magnet": "magnets"}
SECTORS: tuple[str, ...] = ("ev", "wind", "industrial", "electronics", "defense")
STAGES: tuple[str, ...] = ("mining", "refining", "magnets")
FIRM_KINDS: tuple[str, ...] = ("miner", "refiner", "magnet_maker", "manufacturer")
MARKETS: tuple[str, ...] = ("china", "world")
CONTROL_LEVELS: tuple[str, ...] = ("none", "licence", "ban")

C = {c: i for i, c in enumerate(COUNTRIES)}
P = {p: i for i, p in enumerate(PRODUCTS)}
S = {s: i for i, s in enumerate(SECTORS)}
K = {k: i for i, k in enumerate(FIRM_KINDS)}

CN = C["CN"]
ORE, LIGHT, HEAVY, MAGNET = (P[p] for p in PRODUCTS)
MINER, REFINER, MAGNET_MAKER, MANUFACTURER = range(4)
N_COUNTRIES, N_PRODUCTS, N_SECTORS = len(COUNTRIES), len(PRODUCTS), len(SECTORS)

# The firm kind that sells each product, and the stage whose capacity it uses.
SELLER_KIND = {ORE: MINER, LIGHT: REFINER, HEAVY: REFINER, MAGNET: MAGNET_MAKER}
STAGE_OF_KIND = {MINER: 0, REFINER: 1, MAGNET_MAKER: 2}
STAGE_KIND = {STAGES[s]: k for k, s in STAGE_OF_KIND.items()}  # "mining" -> MINER, ...
# The firm kind that buys each product, and the inputs each buying kind uses.
BUYER_KIND = {ORE: REFINER, LIGHT: MAGNET_MAKER, HEAVY: MAGNET_MAKER, MAGNET: MANUFACTURER}
INPUTS_OF_KIND = {REFINER: (ORE,), MAGNET_MAKER: (LIGHT, HEAVY), MANUFACTURER: (MAGNET,)}
