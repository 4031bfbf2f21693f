/* Cohorts page: the acquisition-cohort heatmap (rows cohorts, columns age, cells NRR %). */
"use strict";

(function () {
  const { api, monthLabel, showError } = NRR;
  const heat = document.getElementById("heatmap");
  let serial = 0;

  function cohortLabel(iso, grain) {
    if (grain === "month") return monthLabel(iso);
    const [y, m] = iso.split("-").map(Number);
    return `${y} Q${Math.floor((m - 1) / 3) + 1}`;
  }

  /* Rows of (cohort, age, nrr) as a matrix; a missing cell stays empty (null). */
  function grid(rows, grain) {
    const cohorts = [...new Set(rows.map((r) => r.cohort))].sort();
    const ages = [...new Set(rows.map((r) => r.age))].sort((a, b) => a - b);
    const z = cohorts.map(() => ages.map(() => null));
    for (const r of rows) z[cohorts.indexOf(r.cohort)][ages.indexOf(r.age)] = r.nrr;
    return { x: ages.map(String), y: cohorts.map((c) => cohortLabel(c, grain)), z };
  }

  async function refresh(query) {
    const mine = ++serial;
    NRR.loading(heat, true);
    try {
      const body = await api("/api/cohorts", { params: query });
      if (mine !== serial) return;
      NRR.downloads.set(document.getElementById("cohort-downloads"), "/api/cohorts", query);
      NRR.scheduled.note(document.getElementById("cohort-scheduled"), body.rows);
      if (!body.rows.length) {
        NRR.charts.showEmpty(heat, "No cohorts in this range", "Nobody was acquired between “From” and “Through”.");
        return;
      }
      const unit = query.grain === "month" ? "months" : "quarters";
      NRR.charts.heatmap(heat, grid(body.rows, query.grain),
                         { metric: "nrr", xTitle: `Age (${unit})`, yTitle: "Cohort", bands: body.bands });
    } catch (err) {
      if (mine !== serial) return;
      if (err.status !== 501) showError(err);
      NRR.charts.showEmpty(heat, err.status === 501 ? "Cohorts are not available yet" : "Could not load the cohorts",
                           err.message);
    }
  }

  const controls = NRR.controls(document.getElementById("controls"), refresh);
  controls.changed();
})();
