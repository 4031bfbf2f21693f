"""The demo company's shape and behaviour: every tunable number of the generator.

Kept in one place so that tuning the demo (yearly NRR around 100-110%, every movement of the
MRR bridge present) means editing this file only. Probabilities are per month unless said
otherwise.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Rng = np.random.Generator

# --- the company's shape --------------------------------------------------------------------
SEGMENTS = ("SMB", "Mid-Market", "Enterprise")


SEGMENT_P = (0.60, 0.30, 0.10)


PRICE_MEDIAN_USD = np.array([250.0, 2000.0, 12000.0])  # Core MRR: segment tracks amounts


PRICE_SIGMA = np.array([0.7, 0.5, 0.6])


REGIONS = ("NA", "EMEA", "APAC", "LATAM")


REGION_P = (0.50, 0.28, 0.14, 0.08)


CSMS = (  # each CSM covers one region, so a reassignment stays within the region
    (
        "Avery Brooks",
        "Jordan Lee",
        "Morgan Diaz",
        "Riley Chen",
        "Casey Patel",
        "Drew Miller",
        "Quinn Foster",
    ),
    ("Sofia Rossi", "Lukas Weber", "Emma Dubois", "Oliver Hughes"),
    ("Hana Sato", "Arjun Mehta", "Mei Lin"),
    ("Lucas Silva", "Valentina Gomez"),
)


CHANNELS = ("direct", "partner", "self-serve")


CHANNEL_P = ((0.25, 0.15, 0.60), (0.65, 0.30, 0.05), (0.85, 0.15, 0.00))


SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")


SIZE_P = ((0.45, 0.45, 0.10, 0.0, 0.0), (0.0, 0.2, 0.5, 0.3, 0.0), (0.0, 0.0, 0.0, 0.4, 0.6))


BILLING = np.array([1, 3, 12])


BILLING_P = ((0.70, 0.10, 0.20), (0.40, 0.20, 0.40), (0.10, 0.15, 0.75))


CURRENCIES = ("USD", "EUR", "GBP")


EMEA_CURRENCY_P = (0.20, 0.55, 0.25)


FX_START = (1.07, 1.21)  # USD per EUR, per GBP


FX_STEP_SIGMA = 0.012


PRODUCTS = ("Core", "Analytics", "Support", "Automation")  # Automation is metered usage


USAGE = 3


# --- monthly behaviour (probabilities per month unless said otherwise) ----------------------
CHURN = np.array([0.022, 0.010, 0.005])  # by segment; applied at renewals, compounded


UPGRADE = np.array([0.022, 0.034, 0.045])  # Core expansion, any month


DOWNGRADE = 0.012  # Core contraction, at renewals, compounded


ADDON_AT_ARRIVAL = ((0.10, 0.20, 0.30), (0.10, 0.30, 0.50))  # Analytics, Support by segment


ADDON_START = (0.010, 0.006)


ADDON_CANCEL = 0.010  # at renewals, compounded


ADDON_RATIO = (0.30, 0.15)  # add-on price as a share of Core


REACTIVATE = 0.03  # for customers gone at least AWAY_MONTHS


AWAY_MONTHS = 3


USAGE_SHARE = np.array([0.10, 0.25, 0.35])  # customers on metered Automation, by segment


PROMOTE_USD = (1200.0, 7000.0)  # Core MRR that moves SMB -> Mid-Market -> Enterprise


DEMOTE_USD = (400.0, 2500.0)  # and back down on a downgrade


CSM_CHANGES_PER_YEAR = 0.05


CSM_UNSET = 0.05  # share of reassignments that leave the account without a CSM for a while


NAME_FIRST = (
    "Amber",
    "Apex",
    "Arbor",
    "Atlas",
    "Aurora",
    "Beacon",
    "Birch",
    "Blue",
    "Bright",
    "Cedar",
    "Cobalt",
    "Coral",
    "Crest",
    "Crystal",
    "Delta",
    "Echo",
    "Ember",
    "Evergreen",
    "Falcon",
    "Fern",
    "Golden",
    "Granite",
    "Harbor",
    "Horizon",
    "Indigo",
    "Iron",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Meridian",
    "Nimbus",
    "North",
    "Oak",
    "Onyx",
    "Orbit",
    "Pine",
    "Pioneer",
    "Prairie",
    "Quartz",
    "Radiant",
    "Redwood",
    "Ridge",
    "River",
    "Sage",
    "Silver",
    "Sterling",
    "Summit",
    "Terra",
    "Tidal",
    "Union",
    "Vector",
    "Velvet",
    "Vista",
    "West",
    "Willow",
    "Zenith",
)


NAME_SECOND = (
    "Analytics",
    "Bio",
    "Capital",
    "Cloud",
    "Commerce",
    "Data",
    "Dynamics",
    "Energy",
    "Foods",
    "Freight",
    "Health",
    "Insights",
    "Labs",
    "Logistics",
    "Media",
    "Metrics",
    "Mobility",
    "Networks",
    "Partners",
    "Payments",
    "Pharma",
    "Robotics",
    "Security",
    "Software",
    "Solutions",
    "Systems",
    "Telecom",
    "Travel",
    "Ventures",
    "Works",
)


NAME_SUFFIX = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Corp", "Co", "AG", "SA", "Pty")


NAME_UNIT = (
    "Europe",
    "Americas",
    "APAC",
    "Japan",
    "Germany",
    "UK",
    "Brazil",
    "Canada",
    "Payments",
    "Health",
    "Retail",
    "Digital",
    "Services",
    "Research",
)
