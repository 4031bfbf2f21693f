/* One dashboard: its widgets, and (unless read-only) the editor to add, change, move them. */
"use strict";

(function () {
  const { el, api, meta, showError, clearError, confirmDialog, month, monthStart, addMonths } = NRR;
  let dashboard = JSON.parse(document.getElementById("nrr-dashboard").textContent);
  const readonly = JSON.parse(document.getElementById("nrr-readonly").textContent);
  const grid = document.getElementById("widgets");
  const emptyState = document.getElementById("empty");

  /* --- rendering ------------------------------------------------------------------------ */
  function tools(widget, index) {
    if (readonly) return null;
    const last = dashboard.widgets.length - 1;
    return el("div", { class: "widget-tools" },
      el("button", { class: "icon-button", type: "button", title: "Move up", "aria-label": `Move ${widget.title} up`,
                     disabled: index === 0, onclick: () => move(index, -1), text: "↑" }),
      el("button", { class: "icon-button", type: "button", title: "Move down", "aria-label": `Move ${widget.title} down`,
                     disabled: index === last, onclick: () => move(index, 1), text: "↓" }),
      el("button", { class: "icon-button", type: "button", title: "Edit", "aria-label": `Edit ${widget.title}`,
                     onclick: () => openEditor(widget), text: "Edit" }),
      el("button", { class: "icon-button", type: "button", title: "Remove", "aria-label": `Remove ${widget.title}`,
                     onclick: () => removeWidget(widget), text: "Remove" }));
  }

  async function fill(widget, card) {
    const body = card.querySelector(".widget-body");
    try {
      const payload = await api(`/api/widgets/${widget.id}/data`);
      card.querySelector(".caption").textContent = NRR.widgets.caption(payload);
      NRR.widgets.render(body, payload);
      NRR.downloads.set(card.querySelector(".downloads"), `/api/widgets/${widget.id}/data`, {});
    } catch (err) {
      body.classList.remove("is-loading");
      body.replaceChildren(NRR.empty("This widget cannot be drawn", err.message));
    }
  }

  function renderAll() {
    document.getElementById("dashboard-name").textContent = dashboard.name;
    document.title = `${dashboard.name} · nrr`;
    emptyState.hidden = dashboard.widgets.length > 0;
    grid.replaceChildren(...dashboard.widgets.map((widget, index) => {
      const wide = NRR.widgets.WIDE.has(widget.spec.chart);
      const card = el("article", { class: `card widget${wide ? " wide" : ""}`, "data-widget": widget.id,
                                   "data-chart": widget.spec.chart },
        el("header", { class: "card-head" }, el("h2", { text: widget.title }),
           NRR.downloads.holder(`the widget ${widget.title}`), tools(widget, index)),
        el("p", { class: "caption", text: " " }),
        el("div", { class: "widget-body is-loading" }));
      fill(widget, card);
      return card;
    }));
  }

  async function reload() {
    const body = await api(`/api/dashboards/${dashboard.id}`);
    dashboard = body.dashboard;
    renderAll();
  }

  /* --- editing -------------------------------------------------------------------------- */
  async function move(index, step) {
    const ids = dashboard.widgets.map((w) => w.id);
    [ids[index], ids[index + step]] = [ids[index + step], ids[index]];
    try {
      const body = await api(`/api/dashboards/${dashboard.id}/order`, { method: "PUT", body: { widget_ids: ids } });
      dashboard = body.dashboard;
      clearError();
      renderAll();
    } catch (err) {
      showError(err);
    }
  }

  async function removeWidget(widget) {
    if (!(await confirmDialog(`Remove “${widget.title}”?`, "The widget is deleted from this dashboard.", "Remove"))) return;
    try {
      await api(`/api/widgets/${widget.id}`, { method: "DELETE" });
      clearError();
      await reload();
    } catch (err) {
      showError(err);
    }
  }

  const editor = document.getElementById("editor");
  const form = document.getElementById("widget-form");
  const formError = document.getElementById("editor-error");
  let editing = null;
  let filters = [];
  let picker = null;

  function showMode() {
    const mode = form.elements.mode.value;
    form.querySelectorAll("[data-mode]").forEach((node) => { node.hidden = node.dataset.mode !== mode; });
  }

  function openEditor(widget) {
    editing = widget;
    const spec = widget ? widget.spec : { target: "accounts", metric: "nrr", chart: "bar", group_by: "csm",
      timeframe: { grain: "quarter", mode: "last", last: 1 }, filters: [], currency: null, unit: "mrr" };
    const f = form.elements;
    document.getElementById("editor-title").textContent = widget ? "Edit widget" : "Add widget";
    f.title.value = widget ? widget.title : "";
    f.target.value = spec.target;
    f.metric.value = spec.metric;
    f.chart.value = spec.chart;
    f.group_by.value = spec.group_by || "";
    f.grain.value = spec.timeframe.grain;
    f.mode.value = spec.timeframe.mode;
    f.last.value = spec.timeframe.last || 4;
    f.start.value = month(spec.timeframe.start || meta.range.start);
    f.through.value = month(spec.timeframe.end ? addMonths(spec.timeframe.end, -1) : addMonths(meta.range.end, -1));
    f.currency.value = spec.currency || meta.base_currency;
    f.unit.value = spec.unit || "mrr";
    filters.splice(0, filters.length, ...spec.filters.map((x) => [x.attribute, x.value]));
    if (!picker) picker = NRR.filterPicker(form.querySelector(".filters"), filters, () => {});
    picker.render();
    formError.hidden = true;
    showMode();
    editor.showModal();
    f.title.focus();
  }

  function specFromForm() {
    const f = form.elements;
    const range = f.mode.value === "range";
    return {
      target: f.target.value, metric: f.metric.value, chart: f.chart.value,
      group_by: f.group_by.value || null,
      timeframe: {
        grain: f.grain.value, mode: f.mode.value, last: Number(f.last.value) || 1,
        start: range ? monthStart(f.start.value) : null,
        end: range && f.through.value ? addMonths(f.through.value, 1) : null,
      },
      filters: filters.map(([attribute, value]) => ({ attribute, value })),
      currency: f.currency.value === meta.base_currency ? null : f.currency.value,
      unit: f.unit.value,
    };
  }

  function showFormError(err) {
    formError.replaceChildren(el("strong", { text: err.message }));
    if (err.errors && err.errors.length > 1) {
      formError.append(el("ul", {}, err.errors.map((e) => el("li", { text: e }))));
    }
    formError.hidden = false;
  }

  async function saveWidget(event) {
    event.preventDefault();
    const body = { title: form.elements.title.value, spec: specFromForm() };
    try {
      if (editing) await api(`/api/widgets/${editing.id}`, { method: "PATCH", body });
      else await api(`/api/dashboards/${dashboard.id}/widgets`, { method: "POST", body });
      editor.close();
      clearError();
      await reload();
    } catch (err) {
      showFormError(err);
    }
  }

  /* --- dashboard-level actions ------------------------------------------------------------ */
  /* Only an editable page has the editor; a read-only one must not look for it. */
  function wireEditing() {
    form.addEventListener("submit", saveWidget);
    form.elements.mode.addEventListener("change", showMode);
    document.getElementById("editor-cancel").addEventListener("click", () => editor.close());
    document.getElementById("add-widget").addEventListener("click", () => openEditor(null));
    document.getElementById("add-widget-empty").addEventListener("click", () => openEditor(null));
    const rename = document.getElementById("rename-form");
    document.getElementById("rename").addEventListener("click", () => {
      rename.elements.name.value = dashboard.name;
      rename.hidden = false;
      document.getElementById("dashboard-name").hidden = true;
      rename.elements.name.focus();
    });
    const closeRename = () => {
      rename.hidden = true;
      document.getElementById("dashboard-name").hidden = false;
    };
    document.getElementById("rename-cancel").addEventListener("click", closeRename);
    rename.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const body = await api(`/api/dashboards/${dashboard.id}`, { method: "PATCH", body: { name: rename.elements.name.value } });
        dashboard = body.dashboard;
        closeRename();
        clearError();
        renderAll();
      } catch (err) {
        showError(err);
      }
    });
    document.getElementById("delete-dashboard").addEventListener("click", async () => {
      if (!(await confirmDialog(`Delete “${dashboard.name}”?`, "The dashboard and its widgets are deleted."))) return;
      try {
        await api(`/api/dashboards/${dashboard.id}`, { method: "DELETE" });
        window.location.href = "/dashboards";
      } catch (err) {
        showError(err);
      }
    });
  }

  if (!readonly) wireEditing();
  renderAll();
})();
