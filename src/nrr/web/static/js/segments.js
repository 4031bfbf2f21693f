/* Segments page: NRR per group for one period, and the customers behind a clicked bar. */
"use strict";

(function () {
  const { el, api, money, pct, count, signed, loading, showError, clearError, amount, unitLabel } = NRR;
  const form = document.getElementById("controls");
  const which = form.elements.which;
  const bars = document.getElementById("bars");
  const groupsBody = document.querySelector("#groups tbody");
  const drill = document.getElementById("drilldown");
  const drillBody = document.querySelector("#drill-table tbody");
  const drillCats = document.getElementById("drill-categories");
  const wantedPeriod = new URLSearchParams(window.location.search).get("which");
  const CATEGORIES = ["churn", "contraction", "expansion", "flat", "new", "reactivation"];
  const UNSET = "(unset)";
  const DRILL_FILE_ROWS = 20000;  // a drill-down file's rows: /api/customers' largest limit
  let periodsFor = null;
  let current = null; // {payload, query, period}
  let serial = 0;

  async function loadPeriods(query) {
    const body = await api("/api/periods", { params: { period: query.period } });
    const keep = which.value || wantedPeriod;
    which.replaceChildren(...body.periods.map((p) =>
      el("option", { value: p.start, "data-end": p.end, text: p.label })));
    const starts = body.periods.map((p) => p.start);
    which.value = starts.includes(keep) ? keep : starts[starts.length - 1] || "";
    periodsFor = query.period;
  }

  function reportQuery(query) {
    const option = which.selectedOptions[0];
    return {
      period: query.period, start: option.value, end: option.dataset.end, by: query.by,
      level: query.level, currency: query.currency, filter: query.filter, unit: query.unit,
    };
  }

  function groupRow(row, attr, currency, unit) {
    const name = row[attr] === null ? UNSET : String(row[attr]);
    return el("tr", { "data-group": name },
      el("th", { scope: "row" }, name),
      el("td", { class: "num" }, count(row.customers_start)),
      el("td", { class: "num" }, money(amount(row, "starting_mrr", unit), currency)),
      el("td", { class: "num opt" }, money(amount(row, "expansion_mrr", unit), currency)),
      el("td", { class: "num opt" }, money(amount(row, "contraction_mrr", unit), currency)),
      el("td", { class: "num opt" }, money(amount(row, "churn_mrr", unit), currency)),
      el("td", { class: "num" }, el("span", { class: `pill ${row.band ? "band-" + row.band : ""}` }, pct(row.nrr))),
      el("td", { class: "num" }, pct(row.grr)),
      el("td", { class: "num" }, el("button", { type: "button", class: "button ghost small",
        onclick: () => openDrill(row[attr], name), text: "Customers" })));
  }

  function sortedRows(rows) {
    return rows.slice().sort((a, b) => (b.nrr ?? -Infinity) - (a.nrr ?? -Infinity));
  }

  function render(payload, query) {
    const attr = query.by;
    const rows = sortedRows(payload.rows);
    document.getElementById("bars-title").textContent =
      `NRR per ${attr} · ${which.selectedOptions[0]?.textContent || ""}`;
    NRR.showUnit(payload.unit);
    groupsBody.replaceChildren(...rows.map((row) => groupRow(row, attr, payload.currency, payload.unit)));
    if (!rows.length) {
      NRR.charts.showEmpty(bars, "No customers in this period",
        "Nobody had MRR at the start of this period with these filters.");
      return;
    }
    const items = rows.map((row) => ({
      name: row[attr] === null ? UNSET : String(row[attr]), key: row[attr], value: row.nrr, band: row.band,
    }));
    NRR.charts.groupBars(bars, items, { metric: "nrr", currency: payload.currency,
                                        onClick: (key, name) => openDrill(key, name) });
  }

  async function refresh(query) {
    const mine = ++serial;
    loading(bars, true);
    try {
      if (periodsFor !== query.period) await loadPeriods(query);
      if (!which.value) {
        NRR.charts.showEmpty(bars, "No whole period in the data", "Try a shorter period.");
        return;
      }
      const q = reportQuery(query);
      const payload = await api("/api/report", { params: q });
      if (mine !== serial) return;
      current = { payload, query: q };
      NRR.downloads.set(document.getElementById("groups-downloads"), "/api/report", q);
      render(payload, q);
    } catch (err) {
      if (mine !== serial) return;
      showError(err);
      NRR.charts.showEmpty(bars, "Could not load the segments", err.message);
    }
  }

  /* --- drill-down ---------------------------------------------------------------------- */
  function drillRow(row, currency, unit) {
    const label = row.name ? `${row.unit} · ${row.name}` : String(row.unit);
    const tone = row.delta > 0 ? "up" : row.delta < 0 ? "down" : "";
    return el("tr", { "data-category": row.category },
      el("th", { scope: "row" }, label),
      el("td", {}, el("span", { class: `category ${row.category}`, text: row.category })),
      el("td", { class: "num" }, money(amount(row, "mrr_start", unit), currency, 2)),
      el("td", { class: "num" }, money(amount(row, "mrr_end", unit), currency, 2)),
      el("td", { class: `num ${tone}` }, signed(money(Math.abs(row.delta), currency, 2), row.delta)));
  }

  function renderDrill(rows, currency, unit, truncated, total, params) {
    let active = "all";
    const draw = () => {
      NRR.downloads.set(document.getElementById("drill-downloads"), "/api/customers",
                        { ...params, category: active === "all" ? null : active, limit: DRILL_FILE_ROWS });
      const shown = active === "all" ? rows : rows.filter((r) => r.category === active);
      drillBody.replaceChildren(...shown.map((r) => drillRow(r, currency, unit)));
      if (!shown.length) {
        drillBody.replaceChildren(el("tr", {}, el("td", { colspan: 5 },
          NRR.empty("Nobody here", "No customer of this group moved this way in the period."))));
      }
      for (const b of drillCats.children) b.setAttribute("aria-pressed", String(b.dataset.cat === active));
    };
    const counts = {};
    rows.forEach((r) => { counts[r.category] = (counts[r.category] || 0) + 1; });
    drillCats.replaceChildren(...["all", ...CATEGORIES].filter((c) => c === "all" || counts[c])
      .map((c) => el("button", { type: "button", "data-cat": c,
        onclick: () => { active = c; draw(); } },
        `${c === "all" ? "All" : c} (${c === "all" ? rows.length : counts[c]})`)));
    if (truncated) drillCats.append(el("span", { class: "hint", text: ` showing ${rows.length} of ${total}` }));
    draw();
  }

  function summary(groupRowData, currency, unit) {
    if (!groupRowData) return "";
    return `${count(groupRowData.customers_start)} customers at the start · starting ${unitLabel(unit)} ` +
      `${money(amount(groupRowData, "starting_mrr", unit), currency)} · NRR ${pct(groupRowData.nrr)} · GRR ${pct(groupRowData.grr)} · ` +
      `${count(groupRowData.customers_expanded)} expanded, ${count(groupRowData.customers_contracted)} ` +
      `contracted, ${count(groupRowData.customers_churned)} churned`;
  }

  async function openDrill(key, name) {
    if (!current) return;
    const { payload, query } = current;
    const attr = query.by;
    const groupRowData = payload.rows.find((r) => r[attr] === key);
    drill.hidden = false;
    document.getElementById("drill-title").textContent =
      `${attr} = ${name} · ${which.selectedOptions[0]?.textContent || ""}`;
    document.getElementById("drill-summary").textContent = summary(groupRowData, payload.currency, payload.unit);
    for (const tr of groupsBody.children) tr.classList.toggle("selected", tr.dataset.group === name);
    drillCats.replaceChildren();
    drillBody.replaceChildren();
    NRR.downloads.hide(document.getElementById("drill-downloads"));
    loading(document.getElementById("drill-wrap"), true);
    drill.scrollIntoView({ behavior: "smooth", block: "start" });
    const params = { ...query };
    if (key !== null && key !== undefined) params.filter = [...query.filter, `${attr}=${key}`];
    // No filter names the unset group: the file asks for it with unset=ATTR instead.
    const fileParams = key === null || key === undefined ? { ...params, unset: attr } : params;
    try {
      const body = await api("/api/customers", { params });
      const rows = body.rows.filter((r) => r[attr] === undefined || r[attr] === key);
      renderDrill(rows, payload.currency, body.unit, body.truncated, body.total, fileParams);
      clearError();
    } catch (err) {
      drillBody.replaceChildren(el("tr", {}, el("td", { colspan: 5 },
        NRR.empty(err.status === 501 ? "Drill-down not available" : "Could not load the customers", err.message))));
    } finally {
      loading(document.getElementById("drill-wrap"), false);
    }
  }

  document.getElementById("drill-close").addEventListener("click", () => {
    drill.hidden = true;
    for (const tr of groupsBody.children) tr.classList.remove("selected");
  });

  const controls = NRR.controls(form, refresh);
  controls.changed();
})();
