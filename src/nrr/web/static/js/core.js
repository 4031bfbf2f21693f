/* nrr core: the API client, number formatting, URL state and small DOM helpers.
   Every page script uses these, so errors and numbers look the same everywhere. */
"use strict";

window.NRR = (function () {
  const meta = JSON.parse(document.getElementById("nrr-meta").textContent);

  class ApiError extends Error {
    constructor(body) {
      super(body.error || "request failed");
      this.status = body.status || 0;
      this.errors = body.errors || [];
    }
  }

  /* Call the JSON API; resolve with the body, or reject with an ApiError. */
  async function api(path, options) {
    const opts = options || {};
    const url = new URL(path, window.location.origin);
    for (const [key, value] of Object.entries(opts.params || {})) {
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        if (item !== null && item !== undefined && item !== "") url.searchParams.append(key, item);
      }
    }
    const init = { method: opts.method || "GET", headers: { Accept: "application/json" },
                   credentials: "same-origin" };
    if (opts.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      throw new ApiError({ error: "the nrr server did not answer: is `nrr serve` still running?" });
    }
    let body;
    try {
      body = await response.json();
    } catch (err) {
      body = { ok: false, error: `unexpected answer (${response.status})`, status: response.status };
    }
    if (!response.ok || body.ok === false) throw new ApiError(body);
    return body;
  }

  function queryString(params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        if (item !== null && item !== undefined && item !== "") search.append(key, item);
      }
    }
    return search.toString();
  }

  /* --- formatting ---------------------------------------------------------------------- */
  const moneyFormats = {};
  function moneyFormat(currency, digits) {
    const key = `${currency}:${digits}`;
    if (!moneyFormats[key]) {
      moneyFormats[key] = new Intl.NumberFormat("en-US", {
        style: "currency", currency: currency || meta.base_currency,
        minimumFractionDigits: digits, maximumFractionDigits: digits,
      });
    }
    return moneyFormats[key];
  }
  function money(value, currency, digits) {
    if (value === null || value === undefined) return "–";
    return moneyFormat(currency, digits === undefined ? 0 : digits).format(value);
  }
  function compactMoney(value, currency) {
    if (value === null || value === undefined) return "–";
    const abs = Math.abs(value);
    if (abs < 10000) return money(value, currency);
    const symbol = currencySymbol(currency);
    const sign = value < 0 ? "−" : "";
    // 999.6k would round to "1000k": switch unit where the rounded figure reaches 1000.
    const [div, suffix] = abs >= 999.5e6 ? [1e9, "B"] : abs >= 999.5e3 ? [1e6, "M"] : [1e3, "k"];
    const scaled = abs / div;
    return `${sign}${symbol}${scaled.toFixed(scaled >= 99.95 ? 0 : 1)}${suffix}`;
  }
  function currencySymbol(currency) {
    const parts = moneyFormat(currency, 0).formatToParts(0);
    const found = parts.find((p) => p.type === "currency");
    return found ? found.value : "";
  }
  function pct(value) {
    if (value === null || value === undefined) return "–";
    return `${value.toFixed(1)}%`;
  }
  function count(value) {
    if (value === null || value === undefined) return "–";
    return new Intl.NumberFormat("en-US").format(value);
  }
  function signed(text, value) {
    if (value > 0) return `+${text}`;
    if (value < 0) return `−${text.replace(/^[-−]/, "")}`;
    return text;
  }
  const PERCENT = new Set(["nrr", "grr", "logo_retention"]);
  function metricValue(metric, value, currency) {
    return PERCENT.has(metric) ? pct(value) : money(value, currency);
  }
  const METRIC_NAMES = {
    nrr: "NRR", grr: "GRR", logo_retention: "Logo retention", mrr: "MRR",
    expansion_mrr: "Expansion MRR", contraction_mrr: "Contraction MRR",
    churn_mrr: "Churn MRR", new_mrr: "New MRR",
  };
  /* --- the unit of amounts: MRR, or ARR (12 x MRR). The API multiplies and renames the
     columns (starting_mrr -> starting_arr); these only find and name them. ---------------- */
  const unitLabel = (unit) => (unit === "arr" ? "ARR" : "MRR");
  const unitColumn = (key, unit) => (unit === "arr" ? key.replace("mrr", "arr") : key);
  const amount = (row, key, unit) => row[unitColumn(key, unit)];
  function metricName(metric, unit) {
    const name = METRIC_NAMES[metric] || metric;
    return unit === "arr" ? name.replace("MRR", "ARR") : name;
  }
  /* Every [data-unit-label] on the page (headers, titles) says the unit shown. */
  function showUnit(unit) {
    document.querySelectorAll("[data-unit-label]").forEach((node) => {
      node.textContent = unitLabel(unit);
    });
  }
  const BAND_COLORS = {
    exceptional: "#137a4a", healthy: "#3b9e62", concerning: "#d48a12", critical: "#cc3d33",
  };

  /* --- dates: the UI speaks in months, the API in first-of-month dates ------------------- */
  const month = (iso) => (iso ? iso.slice(0, 7) : "");
  const monthStart = (value) => (value ? `${value.slice(0, 7)}-01` : null);
  function addMonths(value, n) {
    const [y, m] = value.slice(0, 7).split("-").map(Number);
    const index = y * 12 + (m - 1) + n;
    const year = Math.floor(index / 12);
    return `${year}-${String((index % 12) + 1).padStart(2, "0")}-01`;
  }
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function monthLabel(iso) {
    const [y, m] = iso.split("-").map(Number);
    return `${MONTHS[m - 1]} ${y}`;
  }

  /* --- DOM ------------------------------------------------------------------------------ */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function loading(node, on) {
    if (node) node.classList.toggle("is-loading", Boolean(on));
  }
  function empty(title, text) {
    return el("div", { class: "empty" }, el("h3", { text: title }), el("p", { text }));
  }

  const notice = document.getElementById("notice");
  function showError(err) {
    if (!notice) return;
    notice.replaceChildren(el("strong", { text: err.message || String(err) }));
    if (err.errors && err.errors.length > 1) {
      notice.append(el("ul", {}, err.errors.map((e) => el("li", { text: e }))));
    }
    notice.hidden = false;
  }
  function clearError() {
    if (notice) notice.hidden = true;
  }

  /* Filter chips: an attribute select, a value select (filled from the API) and "Add".
     `items` is an array of [attribute, value] pairs, changed in place. */
  function filterPicker(fieldset, items, onChange) {
    const attrSelect = fieldset.querySelector(".filter-attr");
    const valueSelect = fieldset.querySelector(".filter-value");
    const chips = fieldset.querySelector(".chips");

    function render() {
      chips.replaceChildren(...items.map(([name, value], i) => el("li", { class: "chip" },
        `${name} = ${value || "(empty)"}`,
        el("button", { type: "button", "aria-label": `Remove filter ${name} = ${value}`, text: "×",
                       onclick: () => { items.splice(i, 1); render(); onChange(); } }))));
    }
    async function loadValues() {
      valueSelect.replaceChildren(el("option", { value: "", text: "Loading…" }));
      try {
        const body = await api(`/api/attributes/${encodeURIComponent(attrSelect.value)}/values`);
        valueSelect.replaceChildren(...body.values.map((v) => el("option", { value: v, text: v })));
      } catch (err) {
        valueSelect.replaceChildren(el("option", { value: "", text: "(unavailable)" }));
      }
    }
    attrSelect.addEventListener("change", loadValues);
    fieldset.querySelector(".filter-add").addEventListener("click", () => {
      if (!valueSelect.value) return;
      const exists = items.some(([n, v]) => n === attrSelect.value && v === valueSelect.value);
      if (!exists) items.push([attrSelect.value, valueSelect.value]);
      render();
      onChange();
    });
    loadValues();
    render();
    return { render };
  }

  /* A yes/no question in the page's own dialog (never window.confirm). */
  function confirmDialog(title, text, okLabel) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-title").textContent = title;
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = okLabel || "Delete";
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    });
  }

  return {
    meta, api, ApiError, filterPicker, confirmDialog, queryString, money, compactMoney, currencySymbol, pct, count, signed,
    metricValue, PERCENT, METRIC_NAMES, BAND_COLORS, unitLabel, unitColumn, amount, metricName, showUnit, month, monthStart, addMonths, monthLabel,
    el, loading, empty, showError, clearError,
  };
})();
