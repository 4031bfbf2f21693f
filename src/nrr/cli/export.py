"""``nrr export``: the board report as a self-contained HTML page, a PDF and a workbook.

The same selection as ``nrr report`` (periods, level, filters, currency), so the board
shows exactly the figures the report prints; the page and the workbook are built in
``render/board.py`` from the report, its segments and its cohorts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from nrr.cli.errors import handle_errors
from nrr.cli.options import open_dataset, selection_options, selection_request, unit_option
from nrr.cli.output import stderr, working
from nrr.definitions import CohortRequest, Grain, Method
from nrr.errors import RequestError

if TYPE_CHECKING:
    from nrr.api import Dataset
    from nrr.definitions import ReportRequest
    from nrr.render.board import Board
    from nrr.results import CohortTable

PATH = click.Path(dir_okay=False, path_type=Path)


@click.command()
@selection_options
@unit_option
@click.option(
    "--method",
    type=click.Choice([m.value for m in Method]),
    default="snapshot",
    show_default=True,
    help="compounded: a period's NRR as the product of its monthly NRRs.",
)
@click.option("--html", "html_path", type=PATH, default=None, help="Write the board page here.")
@click.option(
    "--pdf", "pdf_path", type=PATH, default=None, help="Print the page to PDF (needs Chromium)."
)
@click.option(
    "--xlsx", "xlsx_path", type=PATH, default=None, help="Write the tables as a workbook."
)
@handle_errors
def export(
    data: str,
    period: str,
    start: str | None,
    end: str | None,
    by: tuple[str, ...],
    level: str,
    filters: tuple[str, ...],
    currency: str | None,
    fx: str,
    fiscal_year_start: int,
    engine_name: str,
    spark_master: str | None,
    quiet: bool,
    unit: str,
    method: str,
    html_path: Path | None,
    pdf_path: Path | None,
    xlsx_path: Path | None,
) -> None:
    """A board report of DATA: KPI tiles, the NRR trend, the MRR bridge, the breakdown,
    NRR by segment, the cohorts and the definitions, as one self-contained HTML file (no
    network needed to open it), a PDF and/or an XLSX workbook."""
    if not (html_path or pdf_path or xlsx_path):
        raise click.UsageError("say where to write: --html FILE, --pdf FILE and/or --xlsx FILE")
    import tempfile
    from datetime import UTC, datetime

    from nrr.render.board import write_html

    dataset = open_dataset(data, engine_name, quiet, spark_master)
    request = selection_request(
        dataset,
        period,
        start,
        end,
        by,
        level,
        filters,
        currency,
        fx,
        fiscal_year_start,
        method,
        quiet=quiet,
        unit=unit,
    )
    with working("computing the board report", quiet):
        board = build(dataset, request, data, datetime.now(UTC).date())
    if not board.report.periods and not quiet:
        stderr.print(
            f"note: no whole {period} period lies inside [{request.start}, "
            f"{request.end}); widen --from/--to"
        )
    written = []
    if html_path:
        write_html(board, html_path)
        written.append(html_path)
    if xlsx_path:
        from nrr.render.board_xlsx import write_xlsx

        write_xlsx(board, xlsx_path)
        written.append(xlsx_path)
    if pdf_path:
        from nrr.render.pdf import print_pdf

        with working("printing the PDF", quiet):
            if html_path:
                print_pdf(html_path, pdf_path)
            else:
                with tempfile.TemporaryDirectory() as folder:
                    page = Path(folder) / "board.html"
                    write_html(board, page)
                    print_pdf(page, pdf_path)
        written.append(pdf_path)
    if not quiet:
        for path in written:
            stderr.print(f"wrote {path}", markup=False, soft_wrap=True)


def build(dataset: Dataset, request: ReportRequest, source: str, generated: date) -> Board:
    """Everything the board shows, computed once: the ungrouped report (KPIs, trend,
    bridge, breakdown), the grouped one when ``by`` is given, and the cohorts acquired in
    the same range (by quarter for quarter and year reports, else by month)."""
    from nrr import glossary
    from nrr.render.board import Board

    report = dataset.run(replace(request, by=()))
    segments = dataset.run(request) if request.by else None
    grain = Grain.QUARTER if request.grain in (Grain.QUARTER, Grain.YEAR) else Grain.MONTH
    cohort_request = CohortRequest(
        grain,
        request.start,
        request.end,
        None,
        request.level,
        request.currency,
        request.fiscal_year_start,
        unit=request.unit,
    )
    try:
        cohorts: CohortTable | None = dataset.run(cohort_request)
    except RequestError as error:
        if error.rule != "cohort-none":
            raise
        cohorts = None  # the page says no cohort was acquired inside the range
    staged = dataset.staged
    terms = glossary.in_force(request, report.currency, staged.base_currency, staged.last_start)
    notes = (("cohorts", glossary.cohorts_text(grain, bool(request.filters))),)
    labels = {p.start: p.label for p in dataset.periods(cohort_request)}
    return Board(report, segments, cohorts, (*terms, *notes), source, generated, labels)
