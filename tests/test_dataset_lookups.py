"""Shared lookups decide exactly as the per-call ones they replaced.

Validation looks every customer id up with one hash table (``rules.CustomerIndex``)
instead of one ``pc.index_in`` per rule, and staging hands the engine what it already
knows (each customer's organization row, the currency's dictionary codes), so the engine
need not hash the ids and currencies again. These cases pin that the results are those of
the plain ``index_in`` lookups, duplicates, unknown and blank ids included.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from nrr.dataset.customer_rules import CustomerIndex
from nrr.dataset.staging import read_dataset
from nrr.dataset.text import Strings, Text
from nrr.engine.sources import with_currency_codes, with_keys


def _text(values: list[str], layout: int, rng: random.Random) -> Text:
    """The values as plain strings, two chunks, or a shuffled dictionary with unused entries."""
    if layout == 0:
        return Text(pa.array(values, pa.string()))
    if layout == 1:
        half = len(values) // 2
        return Text(pa.chunked_array([values[:half], values[half:]], pa.string()))
    dictionary = [*sorted(set(values)), "unused"]
    rng.shuffle(dictionary)
    codes = pa.array([dictionary.index(v) for v in values], pa.int32())
    return Text(pa.array(dictionary, pa.string()), codes)


def _plain(values: Strings) -> list[object]:
    return values.to_pylist()


@pytest.mark.parametrize("seed", range(20))
def test_customer_index_finds_what_index_in_finds(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        pool = [*(f"C{i}" for i in range(rng.randint(1, 8))), "", " C0"]
        ids = _text([rng.choice(pool) for _ in range(rng.randint(0, 9))], rng.randint(0, 2), rng)
        columns = {
            f"t{i}": _text(
                sorted(rng.choice(pool) for _ in range(rng.randint(0, 12))), rng.randint(0, 2), rng
            )
            for i in range(rng.randint(0, 3))
        }
        index = CustomerIndex(ids, columns)
        value_set = ids.plain()
        if isinstance(value_set, pa.ChunkedArray):
            value_set = value_set.combine_chunks()
        plain_ids = _plain(value_set)
        assert index.unique == (len(set(plain_ids)) == len(plain_ids))
        for name, column in columns.items():
            expected = column.map(lambda v, s=value_set: pc.index_in(v, value_set=s))
            assert index.found[name].type == pa.int32()
            assert _plain(index.found[name]) == _plain(expected)


def test_staged_shortcuts_number_as_the_lookups_do(tmp_path: Path) -> None:
    """Keys and currency codes from what staging knows equal those found by ``index_in``."""
    folder = tmp_path / "data"
    folder.mkdir()
    pq.write_table(
        pa.table(
            {
                "customer_id": ["A", "B", "C", "D"],
                "parent_id": ["", "A", "B", ""],
            }
        ),
        folder / "customers.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "customer_id": ["C", "C", "A", "D", "B"],
                "start_date": ["2024-01-01"] * 5,
                "end_date": [""] * 5,
                "amount": ["10", "20", "30", "40", "50"],
                "currency": ["GBP", " EUR", "", "EUR", "GBP"],
            }
        ),
        folder / "subscriptions.parquet",
    )
    (folder / "fx_rates.csv").write_text(
        "currency,date,rate\nJPY,2020-01-01,0.01\nEUR,2020-01-01,1.1\nGBP,2020-01-01,1.3\n"
    )
    staged = read_dataset(folder)
    assert staged.customer_organizations is not None
    assert staged.line_currencies is not None
    given = with_keys(
        staged.lines, staged.customers, staged.line_customers, staged.customer_organizations
    )
    looked_up = with_keys(staged.lines, staged.customers)
    assert given[0].equals(looked_up[0]) and given[1].equals(looked_up[1])
    assert given[1]["_nrr_organization_key"].to_pylist() == [0, 0, 0, 3]
    coded = with_currency_codes(given[0], staged.fx_rates, staged.line_currencies)
    hashed = with_currency_codes(given[0], staged.fx_rates)
    assert coded[0].combine_chunks().equals(hashed[0].combine_chunks())
    assert coded[1].equals(hashed[1])
    assert coded[1]["currency"].to_pylist() == ["GBP", "EUR", "USD", "JPY"]
