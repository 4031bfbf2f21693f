/* Dashboards page: list, create, import, export and delete custom dashboards. */
"use strict";

(function () {
  const { el, api, showError, clearError, confirmDialog } = NRR;
  const list = document.getElementById("dashboard-list");

  function when(iso) {
    return new Date(iso).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
  }

  function card(d) {
    const widgets = d.widgets.length;
    return el("article", { class: "card dash-card", "data-dashboard": d.id },
      el("h2", {}, el("a", { href: `/dashboards/${d.id}`, text: d.name })),
      el("p", { class: "meta", text: `${widgets} widget${widgets === 1 ? "" : "s"} · updated ${when(d.updated_at)}` }),
      el("div", { class: "actions" },
        el("a", { class: "button small", href: `/dashboards/${d.id}`, text: "Open" }),
        el("a", { class: "button ghost small", href: `/d/${d.slug}`, text: "Read-only view" }),
        el("a", { class: "button ghost small", href: `/api/dashboards/${d.id}/export`, download: "",
                  text: "Export" }),
        el("button", { class: "button danger ghost small", type: "button", text: "Delete",
                       onclick: () => remove(d) })));
  }

  async function load() {
    NRR.loading(list, true);
    try {
      const body = await api("/api/dashboards");
      list.replaceChildren(...body.dashboards.map(card));
      if (!body.dashboards.length) {
        list.replaceChildren(NRR.empty("No dashboards yet",
          "Create one above, e.g. “CS weekly review”, then add an NRR-per-CSM bar chart."));
      }
    } catch (err) {
      showError(err);
    } finally {
      NRR.loading(list, false);
    }
  }

  async function remove(d) {
    const ok = await confirmDialog(`Delete “${d.name}”?`,
      `Its ${d.widgets.length} widget(s) go with it. Export it first to keep a copy.`);
    if (!ok) return;
    try {
      await api(`/api/dashboards/${d.id}`, { method: "DELETE" });
      clearError();
      load();
    } catch (err) {
      showError(err);
    }
  }

  document.getElementById("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = event.target.elements.name.value;
    try {
      const body = await api("/api/dashboards", { method: "POST", body: { name } });
      window.location.href = `/dashboards/${body.dashboard.id}`;
    } catch (err) {
      showError(err);
    }
  });

  document.getElementById("import-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    let document_;
    try {
      document_ = JSON.parse(await file.text());
    } catch (err) {
      showError({ message: `${file.name} is not a JSON file exported from nrr.` });
      return;
    }
    try {
      const body = await api("/api/dashboards/import", { method: "POST", body: document_ });
      window.location.href = `/dashboards/${body.dashboard.id}`;
    } catch (err) {
      showError(err);
    } finally {
      event.target.value = "";
    }
  });

  load();
})();
