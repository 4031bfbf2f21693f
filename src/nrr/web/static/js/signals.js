/* Signals page: leading indicators with early warnings, and NRR by a health signal's value.
   One request (/api/signals) fills the page, the same JSON `nrr signals` can write. */
"use strict";

(function () {
  const { el, api, money, pct, loading, showError } = NRR;
  const rates = document.getElementById("rates");
  const buckets = document.getElementById("buckets");
  const indicatorBody = document.querySelector("#indicators tbody");
  const bucketBody = document.querySelector("#bucket-table tbody");
  const riskBody = document.querySelector("#at-risk tbody");
  const benchmarkNode = document.getElementById("benchmark");
  let serial = 0;

  const growth = (v) => (v === null || v === undefined ? "–" : `${v > 0 ? "+" : ""}${v.toFixed(1)}%`);
  const cell = (text, cls) => el("td", { class: cls || "num" }, text);

  function indicatorRow(row, payload) {
    const why = `${row.warning} rate more than ${payload.threshold}% above its ` +
      `${payload.window}-period average`;
    return el("tr", { "data-warning": row.early_warning ? "yes" : "no" },
      el("th", { scope: "row" }, row.label),
      el("td", { class: "num" }, el("span", { class: `pill ${row.band ? "band-" + row.band : ""}` }, pct(row.nrr))),
      cell(row.industry_band || "–", "text"),
      cell(growth(row.expansion_growth), "num opt"), cell(growth(row.contraction_growth), "num opt"),
      cell(growth(row.churn_growth), "num opt"), cell(pct(row.expanding_share)),
      cell(pct(row.contracting_share)), cell(pct(row.churned_share)),
      el("td", {}, row.warning ? el("span", { class: "warning-pill", text: `⚠ ${row.warning}`,
                                               title: why }) : ""));
  }

  function renderIndicators(payload) {
    const grain = payload.request.period;
    indicatorBody.replaceChildren(...payload.rows.map((row) => indicatorRow(row, payload)));
    document.getElementById("warning-hint").textContent =
      `% of starting MRR · dotted: average of the previous ${payload.window} periods · ` +
      `▲ early warning: a rate more than ${payload.threshold}% above its average ` +
      `(${payload.warnings} in range)`;
    if (!payload.rows.length) {
      NRR.charts.showEmpty(rates, "No whole period in this range", "Widen “From” and “Through”.");
      return;
    }
    NRR.charts.rates(rates, payload.rows, { grain, window: payload.window });
    const found = payload.benchmark;
    benchmarkNode.hidden = !found || !found.industry_band;
    if (!benchmarkNode.hidden) {
      benchmarkNode.replaceChildren(el("strong", { text: `Against peers, ${found.label}: ` }), found.sentence);
    }
  }

  function renderSignal(payload) {
    const found = payload.correlation;
    if (!found) {
      const text = payload.signals.length ? "Pick a health signal above."
        : "This dataset has no signals table: add signals.csv (customer_id, date, name, value).";
      NRR.charts.showEmpty(buckets, "No health signal", text);
      bucketBody.replaceChildren();
      riskBody.replaceChildren();
      return;
    }
    document.getElementById("buckets-title").textContent = `NRR by ${found.signal} at period start`;
    const currency = payload.currency;
    const items = found.buckets.map((b) => ({ name: b.bucket, key: b.bucket, value: b.nrr, band: b.band }));
    NRR.charts.groupBars(buckets, items, { metric: "nrr", currency });
    bucketBody.replaceChildren(...found.buckets.map((b) => el("tr", { "data-bucket": b.bucket },
      el("th", { scope: "row" }, b.bucket), cell(NRR.count(b.customers)),
      cell(money(b.starting_mrr, currency)),
      el("td", { class: "num" }, el("span", { class: `pill ${b.band ? "band-" + b.band : ""}` }, pct(b.nrr))),
      cell(pct(b.grr)), cell(pct(b.logo_churn)))));
    document.getElementById("risk-hint").textContent =
      `${found.signal} below ${found.below.toFixed(1)} on ${found.as_of}, largest MRR first`;
    const unit = payload.request.level === "organization" ? "organization_id" : "customer_id";
    riskBody.replaceChildren(...found.at_risk.map((r) => el("tr", {},
      el("th", { scope: "row" }, r[unit]), cell(money(r.mrr, currency)),
      cell(String(r.signal_value)), cell(r.signal_date, "text"))));
    if (!found.at_risk.length) {
      riskBody.replaceChildren(el("tr", {}, el("td", { colspan: 4 },
        NRR.empty("Nobody at risk", "No paying customer is below the threshold."))));
    }
  }

  /* Each table as a file (nrr.web.downloads): the buckets and at-risk ones need a signal. */
  function offerFiles(query, payload) {
    const node = (id) => document.getElementById(id);
    NRR.downloads.set(node("indicator-downloads"), "/api/signals/indicators", query);
    for (const [id, part] of [["bucket-downloads", "buckets"], ["risk-downloads", "at-risk"]]) {
      if (payload.correlation) NRR.downloads.set(node(id), `/api/signals/${part}`, query);
      else NRR.downloads.hide(node(id));
    }
  }

  async function refresh(query) {
    const mine = ++serial;
    [rates, buckets].forEach((node) => loading(node, true));
    try {
      const payload = await api("/api/signals", { params: query });
      if (mine !== serial) return;
      renderIndicators(payload);
      renderSignal(payload);
      offerFiles(query, payload);
    } catch (err) {
      if (mine !== serial) return;
      showError(err);
      NRR.charts.showEmpty(rates, "Could not load the signals", err.message);
      NRR.charts.showEmpty(buckets, "Could not load the signals", err.message);
    } finally {
      if (mine === serial) [rates, buckets].forEach((node) => loading(node, false));
    }
  }

  NRR.controls(document.getElementById("controls"), refresh).changed();
})();
