/* Overview page: KPI tiles, the NRR trend, the MRR bridge and the breakdown table. */
"use strict";

(function () {
  const { el, api, money, pct, signed, queryString, loading, showError, amount } = NRR;
  const kpiNodes = document.querySelectorAll("[data-kpi]");
  const trend = document.getElementById("trend");
  const bridge = document.getElementById("bridge");
  const tableWrap = document.getElementById("breakdown-wrap");
  const tbody = document.querySelector("#breakdown tbody");
  const tfoot = document.querySelector("#breakdown tfoot");
  const csv = document.getElementById("csv");
  const forecastHint = document.getElementById("forecast-hint");
  const benchmarkNode = document.getElementById("benchmark");
  const HORIZON = { month: 6, quarter: 4 };  // forecast periods drawn after the trend
  let serial = 0;

  function setLoading(on) {
    kpiNodes.forEach((node) => loading(node, on));
    [trend, bridge, tableWrap].forEach((node) => loading(node, on));
  }

  function renderTile(node, tile, kind, payload) {
    const currency = payload.currency;
    const value = kind === "mrr" ? money(tile.value, currency) : pct(tile.value);
    node.dataset.band = tile.band || "";
    node.querySelector(".kpi-value").textContent = value;
    const change = node.querySelector(".kpi-change");
    const prior = payload.kpis.previous_period;
    if (tile.change === null || tile.change === undefined) {
      change.replaceChildren(`${payload.kpis.period}${prior ? "" : " · no previous period in range"}`);
    } else {
      const text = kind === "mrr" ? money(Math.abs(tile.change), currency)
                                  : `${Math.abs(tile.change).toFixed(1)} pp`;
      const arrow = tile.change > 0 ? "▲" : tile.change < 0 ? "▼" : "■";
      const tone = tile.change > 0 ? "up" : tile.change < 0 ? "down" : "";
      change.replaceChildren(el("span", { class: tone }, `${arrow} ${signed(text, tile.change)}`),
                             ` vs ${prior}`);
    }
    const h2 = node.querySelector("h2");
    h2.querySelector(".band-label")?.remove();
    if (tile.band) h2.append(el("span", { class: `band-label band-${tile.band}`, text: tile.band }));
    node.title = `${payload.kpis.period}` + (prior ? ` (previous: ${prior})` : "");
  }

  function renderKpis(payload) {
    kpiNodes.forEach((node) => {
      const kind = node.dataset.kpi;
      if (!payload.kpis) {
        node.dataset.band = "";
        node.querySelector(".kpi-value").textContent = "–";
        node.querySelector(".kpi-change").textContent = "no whole period in range";
        return;
      }
      renderTile(node, payload.kpis[kind], kind, payload);
    });
  }

  function cell(text, cls) {
    return el("td", { class: cls || "num" }, text);
  }

  function bandPill(row) {
    return el("span", { class: `pill ${row.band ? `band-${row.band}` : ""}`,
                        title: row.band || "no starting MRR" }, pct(row.nrr));
  }

  function tableRow(row, currency, unit) {
    const shown = (key) => cell(money(amount(row, key, unit), currency));
    return el("tr", { class: row.scheduled ? "scheduled" : null },
      el("th", { scope: "row" }, NRR.scheduled.label(row, row.label)),
      shown("starting_mrr"), shown("expansion_mrr"), shown("contraction_mrr"), shown("churn_mrr"),
      el("td", { class: "num" }, bandPill(row)), cell(pct(row.grr)));
  }

  function renderTable(payload) {
    tbody.replaceChildren(...payload.rows.map((row) => tableRow(row, payload.currency, payload.unit)));
    tfoot.replaceChildren(...payload.totals.map((row) => tableRow(row, payload.currency, payload.unit)));
    if (!payload.rows.length) {
      tbody.replaceChildren(el("tr", {}, el("td", { colspan: 7 },
        NRR.empty("No whole period in this range", "Widen “From” and “Through”, or pick a shorter period."))));
    }
  }

  function renderBenchmark(payload) {
    const found = payload.kpis && payload.kpis.benchmark;
    benchmarkNode.hidden = !found || !found.industry_band;
    if (benchmarkNode.hidden) return;
    benchmarkNode.replaceChildren(el("strong", { text: `Against peers, ${payload.kpis.period}: ` }),
                                  found.sentence);
  }

  /* The NRR forecast drawn after the trend (month and quarter only): /api/forecast. */
  async function overlayForecast(payload, query, mine) {
    const grain = payload.request.period;
    forecastHint.textContent = "";
    trend.dataset.forecast = "none";
    if (!HORIZON[grain] || !payload.rows.length) return;
    if (payload.rows.length < 6) {
      forecastHint.textContent = " · no forecast: it needs 6 periods of history";
      return;
    }
    try {
      const { unit, ...selection } = query;  // NRR is the same in MRR and ARR; forecasts are in MRR
      const ahead = await api("/api/forecast", { params: { ...selection, horizon: HORIZON[grain],
                                                           metric: "nrr" } });
      if (mine !== serial) return;
      const series = [{ name: "NRR", rows: payload.rows.map((r) => ({ ...r, value: r.nrr })) }];
      NRR.charts.lines(trend, series, { metric: "nrr", grain, currency: payload.currency,
                                        bands: payload.bands, forecast: { rows: ahead.rows } });
      trend.dataset.forecast = "shown";
      forecastHint.textContent = ` · blue dashes: ${ahead.horizon}-${grain} forecast ` +
        `(${ahead.models.join(", ")}) with 80% and 95% intervals`;
    } catch (err) {
      if (mine === serial) forecastHint.textContent = ` · no forecast: ${err.message}`;
    }
  }

  function render(payload, query) {
    const grain = payload.request.period;
    NRR.showUnit(payload.unit);
    renderKpis(payload);
    renderBenchmark(payload);
    renderTable(payload);
    ["trend-scheduled", "breakdown-scheduled"].forEach((id) =>
      NRR.scheduled.note(document.getElementById(id), [...payload.rows, ...payload.totals]));
    const subtitle = document.getElementById("subtitle");
    subtitle.textContent = `${payload.request.level === "organization" ? "Organizations" : "Accounts"}` +
      ` · ${payload.rows.length} ${grain === "ttm" ? "trailing-twelve-month windows" : grain + "s"}` +
      ` · ${payload.currency} ${NRR.unitLabel(payload.unit)}` +
      (payload.request.filters.length ? ` · ${payload.request.filters.map((f) => f.join(" = ")).join(", ")}` : "");
    csv.href = `/api/report?${queryString({ ...query, format: "csv" })}`;
    NRR.downloads.set(document.getElementById("breakdown-downloads"), "/api/report", query, ["xlsx"]);
    ["trend-downloads", "bridge-downloads"].forEach((id) =>
      NRR.downloads.set(document.getElementById(id), "/api/report", query));
    if (!payload.rows.length) {
      NRR.charts.showEmpty(trend, "No data to chart", "No whole period lies inside the chosen range.");
      NRR.charts.showEmpty(bridge, "No bridge", "No whole period lies inside the chosen range.");
      document.getElementById("bridge-label").textContent = "";
      return;
    }
    const series = [{ name: "NRR", rows: payload.rows.map((r) => ({ ...r, value: r.nrr })) }];
    NRR.charts.lines(trend, series, { metric: "nrr", grain, currency: payload.currency,
                                      bands: payload.bands });
    NRR.charts.waterfall(bridge, payload.bridge, payload.currency, payload.unit);
    document.getElementById("bridge-label").textContent = payload.bridge.label === "Whole range"
      ? `${payload.rows[0].label} – ${payload.rows[payload.rows.length - 1].label}` : payload.bridge.label;
  }

  async function refresh(query) {
    const mine = ++serial;
    setLoading(true);
    try {
      const payload = await api("/api/report", { params: query });
      if (mine === serial) {
        render(payload, query);
        overlayForecast(payload, query, mine);
      }
    } catch (err) {
      if (mine !== serial) return;
      showError(err);
      NRR.charts.showEmpty(trend, "Could not load the report", err.message);
      NRR.charts.showEmpty(bridge, "Could not load the bridge", err.message);
    } finally {
      if (mine === serial) setLoading(false);
    }
  }

  const controls = NRR.controls(document.getElementById("controls"), refresh);
  controls.changed();
})();
