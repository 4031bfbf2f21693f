"""The HTML a notebook shows for a result (docs/notebook.md), read back with a parser.

The data: four customers, each paying 2,000.00 EUR a month until 2024-01-15, then 2,400,
2,100, 1,900 or 1,000 (one per segment). January 2024 therefore has, per segment, NRR
2400/2000 = 120% (exceptional), 2100/2000 = 105% (healthy), 1900/2000 = 95% (concerning),
1000/2000 = 50% (critical); GRR 100% for the two that grew, 95% and 50% for the others
(healthy from 90%, docs/definitions.md). Every later month is flat: NRR 100%. One segment
and one customer id are HTML, which must show as text.
"""

from __future__ import annotations

import sys
from datetime import date
from html.parser import HTMLParser

import pyarrow as pa
import pytest

import nrr
from nrr.definitions import Band, Grain, ReportRequest
from nrr.insights.forecast import Forecast
from nrr.insights.signals import leading_indicators
from nrr.results_html import BAND_COLOURS

SCRIPT = "<script>alert('x')</script>"
CUSTOMER = "<i>x1</i>"
CUSTOMERS = f"""customer_id,name,parent_id,segment
"{CUSTOMER}","<script>alert(1)</script>",,"{SCRIPT}"
h1,Healthy,,healthy
c1,Concerning,,concerning
r1,Critical,,critical
"""
LINES = [
    "customer_id,start_date,end_date,amount,billing_months,currency,kind,product,subscription_id"
]
for unit, after in (("x1", 2400), ("h1", 2100), ("c1", 1900), ("r1", 1000)):
    shown = f'"{CUSTOMER}"' if unit == "x1" else unit
    LINES += [
        f"{shown},2023-12-01,2024-01-15,2000.00,1,EUR,,platform,{unit}-1",
        f"{shown},2024-01-15,,{after}.00,1,EUR,,platform,{unit}-2",
    ]


class Table(HTMLParser):
    """The caption, headers and rows of the first table: each cell's text and attributes."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.caption = ""
        self.headers: list[str] = []
        self.rows: list[list[tuple[str, dict[str, str]]]] = []
        self.tags: list[str] = []
        self.legend = ""
        self._where: str | None = None
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = {k: v or "" for k, v in attrs}
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self.rows[-1].append(("", found))
        elif tag == "div" and found.get("class") == "nrr-legend":
            self._where = "legend"
        if tag in ("caption", "th", "td"):
            self._where = tag
        if tag == "th":
            self.headers.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "th", "td"):
            self._where = None

    def handle_data(self, data: str) -> None:
        if self._where == "caption":
            self.caption += data
        elif self._where == "th":
            self.headers[-1] += data
        elif self._where == "td":
            text, attrs = self.rows[-1][-1]
            self.rows[-1][-1] = (text + data, attrs)
        elif self._where == "legend":
            self.legend += data

    def body(self) -> list[dict[str, tuple[str, dict[str, str]]]]:
        """Every body row as header -> cell (the "more rows" line keyed by "more")."""
        rows = []
        for cells in self.rows[1:]:
            if len(cells) == 1 and len(self.headers) > 1:
                rows.append({"more": cells[0]})
            else:
                rows.append(dict(zip(self.headers, cells, strict=True)))
        return rows


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> nrr.Dataset:
    folder = tmp_path_factory.mktemp("bands")
    (folder / "customers.csv").write_text(CUSTOMERS)
    (folder / "subscriptions.csv").write_text("\n".join(LINES) + "\n")
    return nrr.load(folder)


def january(ds: nrr.Dataset) -> nrr.Report:
    return ds.report(period="month", start="2024-01-01", end="2024-02-01", by="segment")


def test_a_report_shows_its_request_money_and_bands(ds: nrr.Dataset) -> None:
    page = Table(january(ds)._repr_html_())
    assert page.caption == (
        "NRR, month · Jan 2024 [2024-01-01, 2024-02-01) · account level · by segment · EUR"
        " · snapshot method · 4 rows"
    )
    assert page.headers[:5] == [
        "period",
        "segment",
        "customers_start",
        "starting_mrr",
        "expansion_mrr",
    ]
    rows = {row["segment"][0]: row for row in page.body()}
    assert set(rows) == {SCRIPT, "healthy", "concerning", "critical"}
    expected = {
        SCRIPT: ("120.0%", Band.EXCEPTIONAL, "€2,400.00", "100.0%", Band.HEALTHY),
        "healthy": ("105.0%", Band.HEALTHY, "€2,100.00", "100.0%", Band.HEALTHY),
        "concerning": ("95.0%", Band.CONCERNING, "€1,900.00", "95.0%", Band.HEALTHY),
        "critical": ("50.0%", Band.CRITICAL, "€1,000.00", "50.0%", Band.CONCERNING),
    }
    for segment, (nrr_text, nrr_band, ending, grr_text, grr_band) in expected.items():
        row = rows[segment]
        assert row["period"][0] == "Jan 2024"
        assert row["starting_mrr"][0] == "€2,000.00"
        assert row["ending_mrr"][0] == ending
        for name, text, band in (("nrr", nrr_text, nrr_band), ("grr", grr_text, grr_band)):
            cell, attrs = row[name]
            assert cell == text
            assert attrs["title"] == band.value
            assert f"background-color:{BAND_COLOURS[band]}" in attrs["style"]
        assert "background-color" not in row["starting_mrr"][1].get("style", "")
    assert "exceptional > 110%" in page.legend and "critical < 90%" in page.legend
    assert "GRR: healthy ≥ 90%" in page.legend


def test_every_value_is_escaped(ds: nrr.Dataset) -> None:
    for result in (
        january(ds),
        ds.customers(period="month", start="2024-01-01", end="2024-02-01", by="segment"),
    ):
        markup = result._repr_html_()
        assert "<script>" not in markup and "<i>" not in markup
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup
        assert "script" not in Table(markup).tags
    customers = ds.customers(period="month", start="2024-01-01", end="2024-02-01")
    page = Table(customers._repr_html_())
    assert CUSTOMER in [row["customer_id"][0] for row in page.body()]  # shown as text
    assert "&lt;i&gt;x1&lt;/i&gt;" in customers._repr_html_()


def test_a_long_table_shows_its_first_and_last_rows(ds: nrr.Dataset) -> None:
    year = ds.report(period="month", start="2024-01-01", end="2025-01-01", by="segment")
    assert len(year) == 48  # 12 months x 4 segments
    page = Table(year._repr_html_())
    rows = page.body()
    assert len(rows) == 21  # 10 + the "more rows" line + 10
    assert rows[10]["more"][0] == "… 28 more rows …"
    assert [r["period"][0] for r in rows[:10]] == ["Jan 2024"] * 4 + ["Feb 2024"] * 4 + [
        "Mar 2024"
    ] * 2
    assert [r["period"][0] for r in rows[11:]] == ["Oct 2024"] * 2 + ["Nov 2024"] * 4 + [
        "Dec 2024"
    ] * 4
    assert page.caption.endswith("· 48 rows")
    assert rows[-1]["nrr"][0] == "100.0%"


def test_filters_and_methods_are_in_the_caption(ds: nrr.Dataset) -> None:
    request = ReportRequest(
        grain=Grain.QUARTER,
        start=date(2024, 1, 1),
        end=date(2024, 7, 1),
        filters=(("segment", "healthy"),),
        method=nrr.Method.COMPOUNDED,
        fx=nrr.FxMode.CONSTANT,
    )
    page = Table(ds.run(request)._repr_html_())
    assert page.caption == (
        "NRR, quarter · 2024 Q1 – 2024 Q2 [2024-01-01, 2024-07-01) · account level"
        " · where segment = healthy · EUR · compounded method, constant fx · 2 rows"
    )
    assert [row["nrr"][0] for row in page.body()] == ["105.0%", "100.0%"]


def test_cohorts_and_the_mimebundle(ds: nrr.Dataset) -> None:
    cohorts = ds.cohorts(grain="month", start="2023-12-01", end="2024-03-01")
    page = Table(cohorts._repr_html_())
    assert (
        page.caption == "Cohorts, month · [2023-12-01, 2024-03-01) · account level · EUR · 3 rows"
    )
    # the December cohort, measured at Jan 1 (age 0), Feb 1 and Mar 1 (definitions.md):
    # 8,000.00, then 7,400.00 = 92.5% of it (concerning)
    assert [(r["age"][0], r["mrr"][0], r["nrr"][0]) for r in page.body()] == [
        ("0", "€8,000.00", "100.0%"),
        ("1", "€7,400.00", "92.5%"),
        ("2", "€7,400.00", "92.5%"),
    ]
    assert page.body()[1]["nrr"][1]["title"] == "concerning"
    bundle = cohorts._repr_mimebundle_()
    assert bundle["text/plain"] == repr(cohorts)
    assert bundle["text/html"] == cohorts._repr_html_()
    assert set(cohorts._repr_mimebundle_(include={"text/html"})) == {"text/html"}


def test_insight_tables_show_percent_and_money_by_metric(ds: nrr.Dataset) -> None:
    year = ds.report(period="month", start="2024-01-01", end="2025-01-01")
    indicators = Table(leading_indicators(year)._repr_html_())
    assert indicators.caption.startswith("Indicators, month · [2024-01-01, 2025-01-01)")
    first = indicators.body()[0]
    assert first["nrr"][0] == "92.5%" and first["nrr"][1]["title"] == "concerning"
    assert first["churn_rate"][0] == "0.0%" and first["starting_mrr"][0] == "€8,000.00"
    ahead = (date(2025, 1, 1), date(2025, 2, 1), "Jan 2025")
    table = pa.table(
        {
            "metric": ["nrr", "churn_mrr"],
            "period_start": [ahead[0]] * 2,
            "forecast": [112.3, 1234.5],
            "lower_80": [101.0, 1000.0],
        }
    )
    forecast = Table(Forecast(table, year.request, (), "EUR")._repr_html_())
    rows = forecast.body()
    assert rows[0]["forecast"][0] == "112.3%" and rows[0]["forecast"][1]["title"] == "exceptional"
    assert rows[0]["lower_80"][0] == "101.0%"
    assert rows[1]["forecast"][0] == "€1,234.50" and "title" not in rows[1]["forecast"][1]


def test_to_polars_and_its_missing_extra(ds: nrr.Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    report = january(ds)
    frame = report.to_polars()
    assert frame.columns == report.to_arrow().column_names
    assert sorted(frame["nrr"].to_list()) == [50.0, 95.0, 105.0, 120.0]
    monkeypatch.setitem(sys.modules, "polars", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'nrr\[notebook\]'"):
        report.to_polars()


def test_money_in_other_currencies() -> None:
    from nrr.results_html import money, percent

    assert money(1234567.891, "USD") == "$1,234,567.89"
    assert money(-20, "GBP") == "-£20.00"
    assert money(1500, "CHF") == "1,500.00 CHF"
    assert money(None, "USD") == "" and percent(None) == "n/a" and percent(float("nan")) == "n/a"


def test_arr_columns_are_money_and_the_caption_says_arr() -> None:
    from nrr.results_html import columns_of, report_caption

    schema = pa.schema([("starting_arr", pa.float64()), ("nrr", pa.float64())])
    money_column, nrr_column = columns_of(schema, "USD")
    assert money_column.cell({"starting_arr": 12000.0}).text == "$12,000.00"
    assert nrr_column.cell({"nrr": 100.0}).band is Band.HEALTHY
    caption = report_caption("NRR", ReportRequest(), (), "USD", 0, unit="arr")
    assert "· ARR in USD ·" in caption
