"""Insights over the public API: where NRR is heading, what moves it, how it compares.

    forecast    damped-trend ETS forecasts with 80%/95% intervals (statsmodels, lazily)
    backtest    the forecast against naive and drift baselines, rolling origin
    signals     leading indicators: movement growth, shares, rates, early warnings
    health      the optional signals table: NRR by signal bucket, at-risk customers
    benchmarks  industry NRR bands and the NRR–GRR quadrant (pure functions)
    defaults    option defaults shared with the CLI's --help, in a module with no imports
    demo        a seeded health_score signal for a demo dataset

This package computes and never prints: the commands are in ``nrr.cli.forecast`` and
``nrr.cli.signals``, their tables in ``nrr.render.insights``. Nothing here is imported by
``import nrr``: the CLI and the dashboard import the modules they need, so statsmodels is
loaded only when a forecast is fitted.
"""
