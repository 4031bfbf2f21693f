/* Widget rendering: a widget's data payload drawn as its chart type. */
"use strict";

NRR.widgets = (function () {
  const { el, money, pct, count, metricValue, metricName, amount, unitLabel, signed } = NRR;
  const UNSET = "(unset)";
  const WIDE = new Set(["table", "heatmap"]);
  const BAD_WHEN_UP = new Set(["churn_mrr", "contraction_mrr"]);

  const groupName = (g) => (g === null || g === undefined ? UNSET : String(g));

  /* Rows split per group, in order of first appearance. */
  function bySeries(payload) {
    const series = new Map();
    for (const row of payload.rows) {
      const name = payload.request.by.length ? groupName(row.group) : metricName(payload.metric, payload.unit);
      if (!series.has(name)) series.set(name, []);
      series.get(name).push(row);
    }
    return [...series].map(([name, rows]) => ({ name, rows }));
  }

  function caption(payload) {
    const r = payload.request;
    const spec = payload.spec;
    const periods = payload.periods;
    const span = periods.length ? `${periods[0].label} – ${periods[periods.length - 1].label}` : "no whole period";
    const frame = spec.timeframe.mode === "last"
      ? `last ${spec.timeframe.last} ${r.period === "ttm" ? "TTM windows" : r.period + (spec.timeframe.last > 1 ? "s" : "")}`
      : "date range";
    const parts = [spec.target === "organizations" ? "Organizations" : "Accounts",
                   metricName(payload.metric, payload.unit), `${frame} (${span})`];
    if (r.by.length) parts.push(`by ${r.by.join(", ")}`);
    if (r.filters.length) parts.push(r.filters.map((f) => f.join(" = ")).join(", "));
    if (r.currency) parts.push(r.currency);
    if (payload.unit === "arr" && !NRR.PERCENT.has(payload.metric)) parts.push("ARR (12 × MRR)");
    return parts.join(" · ");
  }

  function bar(node, payload) {
    const opts = { metric: payload.metric, currency: payload.currency, unit: payload.unit };
    if (!payload.request.by.length) {
      return NRR.charts.periodBars(node, bySeries(payload), { ...opts, grain: payload.request.period });
    }
    if (payload.periods.length === 1) {
      const items = payload.rows.map((r) => ({ name: groupName(r.group), key: r.group, value: r.value, band: r.band }))
        .sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
      return NRR.charts.groupBars(node, items, opts);
    }
    const perPeriod = payload.periods.map((p) => ({
      name: p.label,
      rows: payload.rows.filter((r) => r.period_start === p.start)
        .map((r) => ({ ...r, label: groupName(r.group) })),
    }));
    return NRR.charts.periodBars(node, perPeriod, { ...opts, grain: "category" });
  }

  function table(node, payload) {
    const grouped = payload.request.by.length > 0;
    const head = el("tr", {}, el("th", { scope: "col", text: "Period" }),
      grouped ? el("th", { scope: "col", text: payload.request.by[0] }) : null,
      el("th", { scope: "col", class: "num", text: metricName(payload.metric, payload.unit) }),
      el("th", { scope: "col", class: "num", text: "Customers at start" }),
      el("th", { scope: "col", class: "num", text: `Starting ${unitLabel(payload.unit)}` }),
      el("th", { scope: "col", class: "num", text: `Ending ${unitLabel(payload.unit)}` }));
    const rows = payload.rows.map((r) => el("tr", { class: r.scheduled ? "scheduled" : null },
      el("th", { scope: "row", text: NRR.scheduled.label(r, r.label) }),
      grouped ? el("td", { text: groupName(r.group) }) : null,
      el("td", { class: "num" }, el("span", { class: payload.metric === "nrr" && r.band ? `pill band-${r.band}` : "" },
        metricValue(payload.metric, r.value, payload.currency))),
      el("td", { class: "num", text: count(r.customers_start) }),
      el("td", { class: "num", text: money(amount(r, "starting_mrr", payload.unit), payload.currency) }),
      el("td", { class: "num", text: money(amount(r, "ending_mrr", payload.unit), payload.currency) })));
    node.replaceChildren(el("div", { class: "table-wrap" },
      el("table", { class: "data" }, el("thead", {}, head), el("tbody", {}, rows))));
  }

  function kpi(node, payload) {
    const tiles = payload.kpi.map((t) => {
      const percent = NRR.PERCENT.has(payload.metric);
      const change = t.change === null ? "no previous period" :
        signed(percent ? `${Math.abs(t.change).toFixed(1)} pp` : money(Math.abs(t.change), payload.currency), t.change);
      const worse = BAD_WHEN_UP.has(payload.metric) ? t.change > 0 : t.change < 0;
      const tone = !t.change ? "" : worse ? "down" : "up";
      return el("article", { class: "kpi", "data-band": t.band || "" },
        el("h2", { text: payload.request.by.length ? groupName(t.group) : `${metricName(payload.metric, payload.unit)} · ${t.label}` }),
        el("p", { class: "kpi-value", text: metricValue(payload.metric, t.value, payload.currency) }),
        el("p", { class: "kpi-change" }, el("span", { class: tone, text: change })));
    });
    node.replaceChildren(el("div", { class: "kpi-grid" }, tiles));
  }

  function heatmap(node, payload) {
    const groups = bySeries(payload);
    const x = payload.periods.map((p) => p.label);
    const z = groups.map((g) => payload.periods.map((p) => {
      const row = g.rows.find((r) => r.period_start === p.start);
      return row && row.value !== undefined ? row.value : null;
    }));
    return NRR.charts.heatmap(node, { x, y: groups.map((g) => g.name), z },
                              { metric: payload.metric, currency: payload.currency, unit: payload.unit,
                                xTitle: "Period", bands: payload.bands });
  }

  /* Draw `payload` into `node`; charts get a chart box, tables and tiles plain HTML. */
  function render(node, payload) {
    node.classList.remove("is-loading");
    if (!payload.rows.length) {
      node.replaceChildren(NRR.empty("No data", "No whole period lies in this timeframe, or nobody matches the filters."));
      return;
    }
    draw(node, payload);
    if (NRR.scheduled.any(payload.rows)) node.append(NRR.scheduled.noteFor(payload.rows));
  }

  function draw(node, payload) {
    const chart = payload.spec.chart;
    if (chart === "table") return table(node, payload);
    if (chart === "kpi") return kpi(node, payload);
    const box = el("div", { class: "chart" });
    node.replaceChildren(box);
    if (chart === "line") {
      return NRR.charts.lines(box, bySeries(payload), { metric: payload.metric, currency: payload.currency,
                                                        unit: payload.unit, grain: payload.request.period,
                                                        bands: payload.bands });
    }
    if (chart === "bar") return bar(box, payload);
    if (chart === "waterfall") return NRR.charts.waterfall(box, payload.bridge, payload.currency, payload.unit);
    return heatmap(box, payload);
  }

  return { render, caption, WIDE, pct };
})();
