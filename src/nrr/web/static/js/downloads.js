/* Download links beside every chart and table: the view's own query, as a CSV or XLSX file.
   The server answers `${path}.csv` and `${path}.xlsx` with the same query string as the JSON
   (nrr.web.downloads), so a file always holds what the view shows, bounded like it. */
"use strict";

NRR.downloads = (function () {
  const { el, queryString } = NRR;
  const NAMES = { csv: "CSV", xlsx: "XLSX" };

  /* Point the links in `node` (a <span class="downloads" data-what="the breakdown">) at
     `path` with `params`; the links are made on first use and hidden until then. */
  function set(node, path, params, formats) {
    if (!node) return;
    const wanted = formats || ["csv", "xlsx"];
    const what = node.dataset.what || "this view";
    if (node.dataset.formats !== wanted.join(",")) {
      node.replaceChildren(...wanted.map((fmt) => el("a", {
        class: "button ghost small", download: "", "data-format": fmt,
        "aria-label": `Download ${what} as ${NAMES[fmt]}`, text: `Download ${NAMES[fmt]}`,
      })));
      node.dataset.formats = wanted.join(",");
    }
    const search = queryString(params || {});
    for (const link of node.querySelectorAll("a[data-format]")) {
      link.href = `${path}.${link.dataset.format}${search ? `?${search}` : ""}`;
    }
    node.hidden = false;
  }

  /* A new (hidden) links holder for a card built in JavaScript. */
  function holder(what) {
    return el("span", { class: "downloads", "data-what": what, hidden: true });
  }

  function hide(node) {
    if (node) node.hidden = true;
  }

  return { set, holder, hide };
})();
