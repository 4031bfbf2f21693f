/* Rows after the data's as-of date: their movements are scheduled (committed), not yet
   happened (docs/definitions.md). The API marks such rows `scheduled: true`; the pages dim
   and star them and say so in a note, never silently. */
"use strict";

NRR.scheduled = (function () {
  const NOTE = "scheduled: after the data's as-of date, movements are committed, not yet happened";

  const any = (rows) => (rows || []).some((row) => row && row.scheduled);

  /* `text` with a star when `row` is scheduled. */
  function label(row, text) {
    return row && row.scheduled ? `${text} *` : text;
  }

  /* Show `node` (a <p class="scheduled-note">) when any of `rows` is scheduled. */
  function note(node, rows) {
    if (!node) return;
    node.hidden = !any(rows);
    const asOf = NRR.meta.range && NRR.meta.range.end;
    node.textContent = `* ${NOTE}${asOf ? ` (as of ${NRR.monthLabel(asOf)})` : ""}`;
  }

  /* A note element for a card built in JavaScript. */
  function noteFor(rows) {
    const node = NRR.el("p", { class: "scheduled-note hint" });
    note(node, rows);
    return node;
  }

  return { NOTE, any, label, note, noteFor };
})();
