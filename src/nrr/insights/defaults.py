"""Option defaults of ``nrr forecast`` and ``nrr signals``, in a module with no imports.

The commands' ``--help`` reads them; keeping them apart from the models means the help
does not load numpy, pandas or statsmodels (see tests/test_cold_start.py).
"""

METRICS = ("nrr", "grr", "expansion_mrr", "contraction_mrr", "churn_mrr")  # forecastable
THRESHOLD = 50.0  # % rise of a rate over its trailing mean that raises an early warning
WINDOW = 6  # periods in the trailing mean
MAX_HORIZON = 60  # periods a forecast may reach ahead (docs/security.md, Limits)
