"""A seeded ``health_score`` signal for a demo dataset, so ``--correlate`` has data.

Why derived from the revenue: a demo must show what the feature is for, namely that a low
score comes before churn. Each customer gets a score at the start of every month it pays
in, drawn around a mean that depends on what it does that month (churners score low,
expanders high) with wide noise, so the buckets separate but not perfectly, as real health
scores do. The movements come from ``Dataset.customers``, the same figures ``nrr`` prints.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nrr.api import load

# Mean score by the month's movement, and the spread around it (scores are 0-100).
MEANS = {"churn": 34.0, "contraction": 52.0, "flat": 66.0, "expansion": 74.0}
SPREAD = 14.0


def write_signals(folder: str | Path, seed: int = 7, fmt: str = "csv") -> int:
    """Write ``signals.csv`` (or ``.parquet``) into a demo ``folder``; returns the rows.

    Same folder and seed, same file: the draws follow the sorted (month, customer) rows.
    """
    folder = Path(folder)
    customers = load(folder).customers(period="month").to_pandas()
    cohort = customers[customers["category"].isin(list(MEANS))].sort_values(
        ["period_start", "customer_id"], kind="stable"
    )
    rng = np.random.default_rng(seed)
    mean = cohort["category"].map(MEANS).to_numpy(np.float64)
    score = np.clip(np.round(rng.normal(mean, SPREAD), 1), 0.0, 100.0)
    table = pa.table(
        {
            "customer_id": pa.array(cohort["customer_id"].tolist(), pa.string()),
            "date": pa.array(cohort["period_start"].tolist(), pa.date32()),
            "name": pa.array(["health_score"] * len(cohort), pa.string()),
            "value": pc.cast(pa.array(score, pa.float64()), pa.string()),
        }
    )
    if fmt == "parquet":
        pq.write_table(table, folder / "signals.parquet")
    else:
        pacsv.write_csv(table, folder / "signals.csv")
    return int(table.num_rows)
