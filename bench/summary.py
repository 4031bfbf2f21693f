"""Medians, ratios and the issue-6 targets, as JSON fields and a Markdown summary.

Why ratios: the machine is shared and noisy, so absolute seconds drift between runs while
ratios measured in the same run (interleaved, same data, same minute) hold. A capped run
makes a median a lower bound, and every ratio built on it says which way it is bounded.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the ``bench`` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cases import FLOOR, MONTHLY, PANDAS

TARGET_PANDAS_RATIO = 10.0  # nrr's monthly report at least 10x faster than pandas at 1M
TARGET_PEAK_MIB = 2048.0  # under 2 GiB
TARGET_FLOOR_RATIO = 1.5  # within 1.5x of the DuckDB floor
TARGET_SIZE = 1_000_000

Result = dict[str, Any]


@dataclass(frozen=True)
class Ratio:
    """``value`` is exact, or a bound when one side was capped ("at least", "at most")."""

    value: float
    bound: str = "exact"

    def text(self, digits: int = 2) -> str:
        sign = {"exact": "", "at least": "≥ ", "at most": "≤ "}.get(self.bound, "? ")
        return f"{sign}{self.value:.{digits}f}"

    def as_dict(self) -> dict[str, float | str]:
        return {"value": round(self.value, 4), "bound": self.bound}


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall, CPU and peak over uncapped runs; a capped case keeps its largest run."""
    done = [r for r in runs if not r["capped"]]
    if not done:
        worst = max(runs, key=lambda r: r["seconds"])
        return {
            "median_seconds": worst["seconds"],
            "median_cpu_seconds": None,
            "median_peak_mib": worst["peak_mib"],
            "capped": worst["capped"],
        }
    return {
        "median_seconds": round(statistics.median(r["seconds"] for r in done), 2),
        "median_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in done), 2),
        "median_peak_mib": round(statistics.median(r["peak_mib"] for r in done), 1),
        "capped": "",
    }


def ratio(numerator: dict[str, Any], denominator: dict[str, Any], field: str) -> Ratio | None:
    """numerator / denominator of a median field, bounded when a side was capped."""
    a, b = numerator.get(field), denominator.get(field)
    if not a or not b:
        return None
    low_a, low_b = bool(numerator["capped"]), bool(denominator["capped"])
    bound = {(False, False): "exact", (True, False): "at least", (False, True): "at most"}.get(
        (low_a, low_b), "unknown"
    )
    return Ratio(a / b, bound)


def size_ratios(cases: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """pandas/nrr and nrr/floor (wall and CPU) and the monthly report's peak memory."""
    nrr, pandas, floor = cases[MONTHLY], cases[PANDAS], cases[FLOOR]
    found = {
        "pandas_over_nrr": ratio(pandas, nrr, "median_seconds"),
        "pandas_over_nrr_cpu": ratio(pandas, nrr, "median_cpu_seconds"),
        "nrr_over_floor": ratio(nrr, floor, "median_seconds"),
        "nrr_over_floor_cpu": ratio(nrr, floor, "median_cpu_seconds"),
    }
    out: dict[str, Any] = {k: v.as_dict() for k, v in found.items() if v is not None}
    out["nrr_peak_mib"] = nrr["median_peak_mib"]
    return out


def targets(cases: dict[str, dict[str, Any]], size: int) -> dict[str, Any]:
    """Each issue-6 target with the measured value and whether it is met at this size."""
    nrr = cases[MONTHLY]
    pandas = ratio(cases[PANDAS], nrr, "median_seconds")
    floor = ratio(nrr, cases[FLOOR], "median_seconds")
    return {
        "evaluated_at": size,
        "binding": size == TARGET_SIZE,  # the issue states the targets at 1M customers
        "faster_than_pandas": _target(
            pandas, f">= {TARGET_PANDAS_RATIO:g}x", TARGET_PANDAS_RATIO, larger_is_better=True
        ),
        "peak_memory": {
            "target": f"< {TARGET_PEAK_MIB:g} MiB",
            "value": nrr["median_peak_mib"],
            "met": bool(not nrr["capped"] and nrr["median_peak_mib"] < TARGET_PEAK_MIB),
        },
        "within_floor": _target(
            floor, f"<= {TARGET_FLOOR_RATIO:g}x", TARGET_FLOOR_RATIO, larger_is_better=False
        ),
    }


def _target(found: Ratio | None, text: str, goal: float, larger_is_better: bool) -> dict[str, Any]:
    """Met, not met, or undecided (None) when a capped side leaves the verdict open."""
    if found is None:
        return {"target": text, "value": None, "met": None}
    good = found.value >= goal if larger_is_better else found.value <= goal
    met: bool | None = good
    if found.bound in ("at least", "at most"):
        # A bound decides only in its own direction: "at least 12" proves ">= 10", and
        # "at least 1.8" disproves "<= 1.5"; anything else stays open.
        true_is_larger = found.bound == "at least"
        met = good if good == (true_is_larger == larger_is_better) else None
    elif found.bound != "exact":
        met = None
    return {"target": text, "value": found.as_dict(), "met": met}


def evaluate(result: Result) -> None:
    """Add the ratios and the target verdicts computed from a size's medians."""
    if {MONTHLY, PANDAS, FLOOR} <= set(result["cases"]):
        result["ratios"] = size_ratios(result["cases"])
        result["targets"] = targets(result["cases"], result["size"])


def linearity(small: Result, large: Result) -> dict[str, Any]:
    """Time and memory of every case at the larger size over the smaller one, and lines."""
    lines = large["dataset"]["subscription_lines"] / small["dataset"]["subscription_lines"]
    per_case = {}
    for name, case in large["cases"].items():
        other = small["cases"].get(name)
        if other is None:
            continue
        seconds = ratio(case, other, "median_seconds")
        cpu = ratio(case, other, "median_cpu_seconds")
        per_case[name] = {
            "seconds": seconds.as_dict() if seconds else None,
            "cpu_seconds": cpu.as_dict() if cpu else None,
            "peak_mib": round(case["median_peak_mib"] / other["median_peak_mib"], 2),
        }
    return {
        "sizes": [small["size"], large["size"]],
        "lines_ratio": round(lines, 2),
        "cases": per_case,
    }


# --- Markdown -------------------------------------------------------------------------------
def _size_label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"


def _cell(case: dict[str, Any], field: str, digits: int = 2) -> str:
    value = case.get(field)
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return f"≥ {text}" if case["capped"] else text


def cases_table(results: list[Result]) -> str:
    """One row per case, wall / CPU / peak per size."""
    head = "| case |" + "".join(
        f" {_size_label(r['size'])} wall s | CPU s | peak MiB |" for r in results
    )
    rule = "|---|" + "---:|---:|---:|" * len(results)
    rows = []
    for name, case in results[0]["cases"].items():
        cells = []
        for result in results:
            c = result["cases"].get(name, {"capped": ""})
            note = f" (capped: {c['capped']})" if c.get("capped") else ""
            cells.append(
                f" {_cell(c, 'median_seconds')}{note} | {_cell(c, 'median_cpu_seconds')}"
                f" | {_cell(c, 'median_peak_mib', 0)} |"
            )
        rows.append(f"| {case['label']} |" + "".join(cells))
    return "\n".join([head, rule, *rows])


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "undecided"}[met]


def ratios_table(results: list[Result], linear: dict[str, Any] | None) -> str:
    """The issue-6 ratios per size, with the verdict at the target size."""
    head = "| ratio |" + "".join(f" {_size_label(r['size'])} |" for r in results)
    head += " target | verdict (1M) |"
    rule = "|---|" + "---:|" * len(results) + "---|---|"
    at_target = next((r for r in results if r["size"] == TARGET_SIZE), None)
    verdicts = at_target["targets"] if at_target else {}

    def row(label: str, key: str, target: str, verdict_key: str | None) -> str:
        cells = "".join(f" {_ratio_text(r['ratios'].get(key))} |" for r in results)
        verdict = _verdict(verdicts[verdict_key]["met"]) if verdict_key and verdicts else "–"
        return f"| {label} |{cells} {target} | {verdict} |"

    rows = [
        row("pandas / nrr (wall)", "pandas_over_nrr", "≥ 10", "faster_than_pandas"),
        row("pandas / nrr (CPU)", "pandas_over_nrr_cpu", "–", None),
        row("nrr / DuckDB floor (wall)", "nrr_over_floor", "≤ 1.5", "within_floor"),
        row("nrr / DuckDB floor (CPU)", "nrr_over_floor_cpu", "–", None),
    ]
    peaks = "".join(f" {_cell(r['cases'][MONTHLY], 'median_peak_mib', 0)} MiB |" for r in results)
    memory = _verdict(verdicts["peak_memory"]["met"]) if verdicts else "–"
    rows.append(f"| nrr monthly report peak memory |{peaks} < 2,048 MiB | {memory} |")
    table = "\n".join([head, rule, *rows])
    if linear:
        table += "\n\n" + linearity_table(linear)
    return table


def _ratio_text(value: dict[str, Any] | None) -> str:
    if value is None:
        return "–"
    return Ratio(value["value"], value["bound"]).text()


def linearity_table(linear: dict[str, Any]) -> str:
    """Growth of each case from the smaller size to the larger one, next to the lines'."""
    small, large = (_size_label(s) for s in linear["sizes"])
    rows = [
        f"| case | wall {large} / {small} | CPU {large} / {small} | peak {large} / {small} |",
        "|---|---:|---:|---:|",
    ]
    for name, values in linear["cases"].items():
        rows.append(
            f"| {name} | {_ratio_text(values['seconds'])} | "
            f"{_ratio_text(values.get('cpu_seconds'))} | {values['peak_mib']:.2f} |"
        )
    rows.append(
        f"| (subscription lines) | {linear['lines_ratio']:.2f} | {linear['lines_ratio']:.2f} | |"
    )
    return "\n".join(rows)


def _load_range(results: list[Result]) -> str:
    loads = [run["load_before"] for r in results for c in r["cases"].values() for run in c["runs"]]
    return f"{min(loads):.1f} to {max(loads):.1f}" if loads else "unknown"


def _sources(results: list[Result]) -> str:
    """Which nrr code the runs measured; a warning when it changed during the run."""
    seen = sorted(
        {run.get("source", "") for r in results for c in r["cases"].values() for run in c["runs"]}
        - {""}
    )
    if len(seen) > 1:
        return (
            f"**Warning: nrr's source changed during this run** (digests {', '.join(seen)}"
            "); medians mix versions."
        )
    return f"nrr source digest {seen[0]}." if seen else ""


def markdown(results: list[Result], linear: dict[str, Any] | None) -> str:
    """The summary written next to the JSON files and printed at the end of a run."""
    machine = results[0]["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    return "\n".join(
        [
            f"# Benchmark {results[0]['date']}",
            "",
            f"{machine['nproc']} cores ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
            f"Python {machine['python']}; {versions}.",
            f"Medians of {results[0]['runs_requested']} runs; whole process, start to written "
            "output. ≥: capped run, a lower bound (?: both sides of a ratio capped). 1-minute "
            "load average when the runs started: "
            f"{_load_range(results)} (2 cores: above 2 means other work competed). "
            + _sources(results),
            "",
            cases_table(results),
            "",
            ratios_table(results, linear),
            "",
        ]
    )


def write(results: list[Result], out: Path, stem: str = "") -> str:
    """One JSON per size (the larger one carries the linearity) and the Markdown summary.

    Files are ``<stem>-<size>.json`` and ``<stem>-summary.md``; the stem defaults to the
    run's date.
    """
    out.mkdir(parents=True, exist_ok=True)
    stem = stem or results[0]["date"]
    ordered = sorted(results, key=lambda r: r["size"])
    linear = linearity(ordered[0], ordered[-1]) if len(ordered) > 1 else None
    if linear:
        ordered[-1]["linearity"] = linear
    for result in ordered:
        path = out / f"{stem}-{result['size']}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if not all("ratios" in r for r in ordered):
        return ""
    text = markdown(ordered, linear)
    (out / f"{stem}-summary.md").write_text(text)
    return text


def main(argv: list[str]) -> str:
    """Re-evaluate result files (after changing a target or this module) and print them.

    ``--write`` also rewrites the JSON files and the summary next to them.
    """
    rewrite = "--write" in argv
    paths = [Path(a) for a in argv if a != "--write"]
    if not paths:
        sys.exit("usage: python -m bench.summary [--write] RESULT.json [RESULT.json ...]")
    results = [json.loads(p.read_text()) for p in paths]
    for result in results:
        result.pop("linearity", None)
        evaluate(result)
    if rewrite:  # back to the same files: <stem>-<size>.json
        stem = paths[0].name.removesuffix(".json").rsplit("-", 1)[0]
        return write(results, paths[0].parent, stem)
    ordered = sorted(results, key=lambda r: r["size"])
    linear = linearity(ordered[0], ordered[-1]) if len(ordered) > 1 else None
    return markdown(ordered, linear)


if __name__ == "__main__":
    print(main(sys.argv[1:]))
