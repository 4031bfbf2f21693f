"""Seeded synthetic dataset: a B2B SaaS company's customers, subscriptions, rates and history.

Why it exists: ``nrr demo``, the docs, the benchmarks and property tests all need a realistic
dataset that anyone can regenerate byte for byte, without shipping data files. Everything
here follows docs/data-format.md and docs/definitions.md, so the output passes strict
validation.

Why it is shaped this way:

* One ``numpy.random.Generator`` seeded from ``seed`` drives every draw, in a fixed order and
  with fixed sizes, and nothing reads the clock: same arguments, identical files.
* Work is vectorised over customers; the only Python loop walks the simulated months, so
  100,000 customers over three years take seconds (the benchmarks depend on that).
* Behaviour is a small state machine per customer (arrive, expand, contract, add products,
  churn, come back) whose rates are tuned so yearly NRR lands around 100-110%, the range a
  demo should show, with every movement of the MRR bridge present.
* Dates are integer day numbers (days since 1970-01-01) internally: month arithmetic on
  integers is exact and fast, and the writer turns them into ISO strings once.
"""

from nrr.demo.generator import DemoSummary, generate

__all__ = ["DemoSummary", "generate"]
