/* nrr controls: the bar of selects, month pickers and filter chips above a page.
   Its state lives in the address bar, so a view can be bookmarked or sent to a colleague. */
"use strict";

NRR.controls = function (form, onChange) {
  const { meta, month, monthStart, addMonths } = NRR;
  const params = new URLSearchParams(window.location.search);
  const filters = params.getAll("filter").filter((f) => f.includes("="))
    .map((f) => [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)]);
  const defaults = {
    start: month(meta.range.start),
    through: month(addMonths(meta.range.end, -1)),
  };
  const fields = () => [...form.elements].filter((f) => f.name && !f.closest(".filters"));
  for (const field of fields()) {
    const wanted = params.get(field.name) || defaults[field.name];
    if (wanted) field.value = wanted;
  }

  /* The API's query for the current controls (month pickers become first-of-month dates). */
  function state() {
    const out = { filter: filters.map(([n, v]) => `${n}=${v}`) };
    for (const field of fields()) out[field.name] = field.value;
    if ("start" in out) out.start = monthStart(out.start);
    if ("through" in out) {
      out.end = out.through ? addMonths(out.through, 1) : null;
      delete out.through;
    }
    if (out.currency === meta.base_currency) delete out.currency;
    return out;
  }

  function problem() {
    const start = form.elements.start;
    const through = form.elements.through;
    if (start && through && start.value && through.value && start.value > through.value) {
      return "“From” must not be after “Through”.";
    }
    return null;
  }

  function sync() {
    const shown = { filter: filters.map(([n, v]) => `${n}=${v}`) };
    for (const field of fields()) if (field.value) shown[field.name] = field.value;
    history.replaceState(null, "", `?${NRR.queryString(shown)}`);
  }

  function changed() {
    const issue = problem();
    if (issue) {
      NRR.showError({ message: issue });
      document.querySelectorAll(".is-loading").forEach((node) => node.classList.remove("is-loading"));
      return;
    }
    NRR.clearError();
    sync();
    onChange(state());
  }

  const fieldset = form.querySelector(".filters");
  if (fieldset) NRR.filterPicker(fieldset, filters, changed);
  form.addEventListener("change", (event) => {
    if (!event.target.closest(".filters")) changed();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  return { state, problem, changed, form };
};
