"""nrr's benchmark suite (issue 6): whole-process time and peak memory of the CLI, side by
side with a pandas baseline and a hand-written DuckDB floor that are checked to give the
same numbers. Run it with ``python -m bench.run`` (see docs/benchmarks.md)."""
