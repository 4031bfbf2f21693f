/* nrr charts: every Plotly figure the pages draw, in one place, so they look alike.
   Percent charts carry the 100% benchmark (dashed) and, for NRR, the interpretation bands. */
"use strict";

NRR.charts = (function () {
  const { BAND_COLORS, pct, money, compactMoney, currencySymbol, addMonths } = NRR;
  const FONT_FAMILY = getComputedStyle(document.body).fontFamily;
  const CONFIG = { displayModeBar: false, responsive: true, displaylogo: false };
  const GRID = "#e9edf2";
  const SERIES = ["#2456d6", "#d9730d", "#2a9d8f", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d",
                  "#b7950b", "#34495e", "#e67e22", "#1abc9c", "#9b59b6"];
  /* How each NRR band is shaded. Where the bands begin and end is the API's to say: payloads
     carry `bands` ([{name, low, high}], null unbounded), so no threshold is written here. */
  const BAND_FILLS = {
    exceptional: "rgba(19,122,74,0.09)", healthy: "rgba(59,158,98,0.07)",
    concerning: "rgba(212,138,18,0.09)", critical: "rgba(204,61,51,0.07)",
  };
  const UNBOUNDED = 1e6;
  /* Percent heatmaps: the colour scale spans HEAT_RANGE and turns at the band edges. */
  const HEAT_RANGE = [60, 140];
  const HEAT_LOW = "#cc3d33";
  const HEAT_HIGH = "#137a4a";
  const HEAT_EDGES = ["#f3c98b", "#f7f7f2", "#a9dbbb"];  // colours at the band edges, lowest first

  /* The value axis of an amount: the currency's symbol, and the unit (MRR or ARR) as its title. */
  function amountAxis(opts) {
    return { tickprefix: currencySymbol(opts.currency), tickformat: "~s", gridcolor: GRID,
             title: { text: `${NRR.unitLabel(opts.unit)} (${opts.currency || NRR.meta.base_currency})` } };
  }

  function layout(extra) {
    return Object.assign({
      font: { family: FONT_FAMILY, size: 12, color: "#1c2430" },
      margin: { l: 60, r: 18, t: 12, b: 56 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      hoverlabel: { font: { family: FONT_FAMILY } },
      showlegend: false,
    }, extra);
  }

  function draw(node, traces, lay) {
    node.classList.remove("is-loading");
    node.querySelectorAll(":scope > .empty").forEach((child) => child.remove());
    return Plotly.react(node, traces, lay, CONFIG);
  }

  function showEmpty(node, title, text) {
    if (window.Plotly) Plotly.purge(node);
    node.classList.remove("is-loading");
    node.replaceChildren(NRR.empty(title, text));
  }

  /* x values and axis settings for a list of report rows of one grain. */
  function periodAxis(rows, grain) {
    if (grain === "month" || grain === "ttm") {
      const x = rows.map((r) => (grain === "month" ? r.period_start : addMonths(r.period_end, -1)));
      const months = [...new Set(x)].sort();
      // One tick a month (dtick M1: Plotly would pick weekly ticks for a few months); on long
      // ranges only every 2nd/3rd... tick is labelled so the labels stay horizontal.
      const axis = { type: "date", dtick: "M1", tickformat: "%b %Y", gridcolor: GRID,
                     automargin: true, ticklabelstep: Math.max(1, Math.ceil(months.length / 8)) };
      if (months.length) axis.range = [shiftDays(months[0], -15), shiftDays(months[months.length - 1], 15)];
      return { x, axis };
    }
    return { x: rows.map((r) => r.label), axis: { type: "category", gridcolor: GRID, automargin: true } };
  }

  function shiftDays(iso, days) {
    const d = new Date(`${iso}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function finite(values) {
    return values.filter((v) => v !== null && v !== undefined && Number.isFinite(v));
  }

  function percentRange(values) {
    const vals = finite(values).concat([100]);
    const lo = Math.min(...vals);
    const hi = Math.max(...vals);
    const pad = Math.max(2, (hi - lo) * 0.18);
    return [lo - pad, hi + pad];
  }

  /* The dashed 100% line, plus the NRR bands (shaded, labelled) when `bands` (a payload's
     band edges) is given. */
  function benchmark(range, bands, vertical) {
    const shapes = [];
    const annotations = [];
    if (vertical) {  // the 100% line across a horizontal bar chart stands upright
      shapes.push({ type: "line", name: "100% benchmark", yref: "paper", y0: 0, y1: 1, xref: "x",
                    x0: 100, x1: 100, line: { color: "#1c2430", width: 1.5, dash: "dash" } });
      return { shapes, annotations };
    }
    for (const band of bands || []) {
      const y0 = band.low === null ? -UNBOUNDED : band.low;
      const y1 = band.high === null ? UNBOUNDED : band.high;
      shapes.push({ type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0, y1,
                    fillcolor: BAND_FILLS[band.name], line: { width: 0 }, layer: "below" });
      const lo = Math.max(y0, range[0]);
      const hi = Math.min(y1, range[1]);
      if (hi - lo > (range[1] - range[0]) * 0.07) {
        annotations.push({ xref: "paper", x: 1, xanchor: "right", yref: "y", y: (lo + hi) / 2,
                           text: band.name, showarrow: false,
                           font: { size: 10, color: BAND_COLORS[band.name] }, opacity: 0.9 });
      }
    }
    shapes.push({ type: "line", name: "100% benchmark", xref: "paper", x0: 0, x1: 1, yref: "y",
                  y0: 100, y1: 100, line: { color: "#1c2430", width: 1.5, dash: "dash" },
                  layer: "above" });
    return { shapes, annotations };
  }

  /* The forecast after one history series: a dashed line from the last actual value over
     the 95% and 80% prediction interval bands (rows: /api/forecast rows of one metric). */
  function forecastTraces(history, forecast, opts) {
    const last = history[history.length - 1];
    const rows = forecast.rows;
    const x = periodAxis([last, ...rows], opts.grain).x;
    const edge = (key) => [last.value, ...rows.map((r) => r[key])];
    const fmt = (v) => NRR.metricValue(opts.metric, v, opts.currency);
    const band = (level, fill) => [
      { type: "scatter", mode: "lines", name: `${level}% interval`, x, y: edge(`upper_${level}`),
        line: { width: 0, color: fill }, hoverinfo: "skip", showlegend: false },
      { type: "scatter", mode: "lines", name: `${level}% interval`, x, y: edge(`lower_${level}`),
        line: { width: 0, color: fill }, fill: "tonexty", fillcolor: fill, hoverinfo: "skip",
        showlegend: false },
    ];
    const text = [`${last.label}: ${fmt(last.value)} (actual)`, ...rows.map((r) =>
      `${r.label} forecast: ${fmt(r.forecast)}<br>80%: ${fmt(r.lower_80)} – ${fmt(r.upper_80)}` +
      `<br>95%: ${fmt(r.lower_95)} – ${fmt(r.upper_95)}`)];
    const line = {
      type: "scatter", mode: "lines+markers", name: "Forecast", x, y: edge("forecast"), text,
      line: { color: "#2456d6", width: 2, dash: "dash" },
      marker: { size: 6, color: "#ffffff", line: { color: "#2456d6", width: 1.5 } },
      hovertemplate: "%{text}<extra></extra>", showlegend: false,
    };
    return {
      bands: [...band(95, "rgba(36,86,214,0.10)"), ...band(80, "rgba(36,86,214,0.20)")],
      line, values: [...edge("lower_95"), ...edge("upper_95")],
    };
  }

  /* Lines over periods. series: [{name, rows}] with rows carrying the value in `value`.
     opts.forecast ({rows}, one series only) continues the line with forecastTraces. */
  function lines(node, series, opts) {
    const percent = NRR.PERCENT.has(opts.metric);
    let traces = series.map((s, i) => {
      const axis = periodAxis(s.rows, opts.grain);
      const color = series.length === 1 ? "#2456d6" : SERIES[i % SERIES.length];
      return {
        type: "scatter", mode: "lines+markers", name: s.name, x: axis.x,
        y: s.rows.map((r) => r.value), text: s.rows.map((r) => r.label),
        line: { color, width: 2.5 }, marker: { size: 6, color }, connectgaps: false,
        hovertemplate: `%{text}${series.length > 1 ? " · " + s.name : ""}<br>` +
          (percent ? "%{y:.1f}%" : `${currencySymbol(opts.currency)}%{y:,.0f} ${NRR.unitLabel(opts.unit)}`) +
          "<extra></extra>",
      };
    });
    const ahead = opts.forecast && series.length === 1 && series[0].rows.length
      ? forecastTraces(series[0].rows, opts.forecast, opts) : null;
    const allRows = series.flatMap((s) => s.rows);
    const axisRows = series.length ? [...series[0].rows, ...(ahead ? opts.forecast.rows : [])] : [];
    const xaxis = periodAxis(axisRows, opts.grain).axis;
    if (ahead && xaxis.type === "category") {  // the band traces come first: fix the order
      Object.assign(xaxis, { categoryorder: "array", categoryarray: axisRows.map((r) => r.label) });
    }
    const lay = layout({ xaxis, showlegend: series.length > 1,
                         legend: { orientation: "h", y: -0.22 } });
    const values = allRows.map((r) => r.value).concat(ahead ? ahead.values : []);
    if (percent) {
      const range = percentRange(values);
      Object.assign(lay, benchmark(range, opts.metric === "nrr" ? opts.bands : null));
      lay.yaxis = { range, ticksuffix: "%", gridcolor: GRID, zeroline: false };
    } else {
      lay.yaxis = { ...amountAxis(opts), rangemode: "tozero" };
    }
    if (ahead) traces = [...ahead.bands, ...traces, ahead.line];
    return draw(node, traces, lay);
  }

  /* Churn and contraction rates (% of starting MRR) with their trailing averages (dotted),
     and a marker on every period the early warning flags. rows: /api/signals rows. */
  function rates(node, rows, opts) {
    const axis = periodAxis(rows, opts.grain);
    const series = [["churn", BAND_COLORS.critical], ["contraction", BAND_COLORS.concerning]];
    const traces = [];
    for (const [name, color] of series) {
      traces.push({
        type: "scatter", mode: "lines+markers", name: `${name} rate`, x: axis.x,
        y: rows.map((r) => r[`${name}_rate`]), text: rows.map((r) => r.label),
        line: { color, width: 2.5 }, marker: { size: 5, color },
        hovertemplate: `%{text} · ${name}: %{y:.2f}% of starting MRR<extra></extra>`,
      });
      traces.push({
        type: "scatter", mode: "lines", name: `${name} average`, x: axis.x,
        y: rows.map((r) => r[`${name}_baseline`]), line: { color, width: 1.5, dash: "dot" },
        hovertemplate: `${name}: previous ${opts.window}-period average %{y:.2f}%<extra></extra>`,
      });
    }
    const flagged = rows.map((r, i) => [r, axis.x[i]]).filter(([r]) => r.early_warning);
    traces.push({
      type: "scatter", mode: "markers", name: "early warning", x: flagged.map(([, x]) => x),
      y: flagged.map(([r]) => Math.max(r.churn_rate ?? 0, r.contraction_rate ?? 0)),
      text: flagged.map(([r]) => `${r.label}: ${r.warning} rising`),
      marker: { symbol: "triangle-up", size: 13, color: "#1c2430" },
      hovertemplate: "⚠ %{text}<extra></extra>",
    });
    const lay = layout({ xaxis: axis.axis, showlegend: true, legend: { orientation: "h", y: -0.22 },
                         yaxis: { ticksuffix: "%", gridcolor: GRID, rangemode: "tozero" } });
    return draw(node, traces, lay);
  }

  /* The MRR (or ARR) bridge: start, new, reactivation, expansion, contraction, churn, end. */
  function waterfall(node, bridge, currency, unit) {
    const steps = [
      ["Start", bridge.start, "absolute"], ["New", bridge.new, "relative"],
      ["Reactivation", bridge.reactivation, "relative"], ["Expansion", bridge.expansion, "relative"],
      ["Contraction", -bridge.contraction, "relative"], ["Churn", -bridge.churn, "relative"],
      ["End", bridge.end, "total"],
    ];
    let level = 0;
    const levels = steps.map(([, value, measure]) => {
      level = measure === "relative" ? level + value : value;
      return level;
    });
    const lo = Math.min(...levels);
    const hi = Math.max(...levels);
    const floor = Math.max(0, lo - (hi - lo) * 1.2);
    const trace = {
      type: "waterfall", x: steps.map((s) => s[0]), y: steps.map((s) => s[1]),
      measure: steps.map((s) => s[2]),
      text: steps.map(([, v, m]) => (m === "relative" ? NRR.signed(compactMoney(Math.abs(v), currency), v)
                                                      : compactMoney(v, currency))),
      customdata: steps.map(([, v]) => money(v, currency)),
      textposition: "outside", cliponaxis: false,
      hovertemplate: `%{x}: %{customdata} ${NRR.unitLabel(unit)}<extra></extra>`,
      increasing: { marker: { color: BAND_COLORS.healthy } },
      decreasing: { marker: { color: BAND_COLORS.critical } },
      totals: { marker: { color: "#2456d6" } },
      connector: { line: { color: "#b8c0cc", width: 1 } },
    };
    const lay = layout({
      xaxis: { type: "category", automargin: true },
      yaxis: { ...amountAxis({ currency, unit }), range: [floor, hi + (hi - floor) * 0.12] },
      margin: { l: 60, r: 12, t: 18, b: 40 },
    });
    return draw(node, [trace], lay);
  }

  const drawnBars = new Map();
  const lieDown = (node, count) => (node.clientWidth || 600) / Math.max(count, 1) < 55;
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const [node, [items, opts]] of drawnBars) {
        if (!node.isConnected) drawnBars.delete(node);
        else if (lieDown(node, items.length) !== (node.dataset.orientation === "h")) groupBars(node, items, opts);
      }
    }, 120);
  });

  /* One bar per group, sorted; percent bars grow up or down from the 100% line.
     Bars stand upright when each gets 55 px or more, else they lie down (names readable).
     items: [{name, key, value, band}]; opts: {metric, currency, onClick}. */
  function groupBars(node, items, opts) {
    const percent = NRR.PERCENT.has(opts.metric);
    const shown = items.filter((it) => it.value !== null && it.value !== undefined);
    const horizontal = lieDown(node, shown.length);
    node.dataset.orientation = horizontal ? "h" : "v";
    drawnBars.set(node, [items, opts]);
    const names = shown.map((it) => it.name);
    const values = shown.map((it) => (percent ? it.value - 100 : it.value));
    const trace = {
      type: "bar", orientation: horizontal ? "h" : "v", customdata: shown.map((it) => it.key),
      x: horizontal ? values : names, y: horizontal ? names : values,
      marker: { color: shown.map((it) => (opts.metric === "nrr" && it.band ? BAND_COLORS[it.band] : "#2456d6")) },
      text: shown.map((it) => NRR.metricValue(opts.metric, it.value, opts.currency)),
      textposition: "outside", textfont: { size: 11 }, constraintext: "none", cliponaxis: false,
      hovertemplate: `%{${horizontal ? "y" : "x"}}: %{text}${percent ? "" : " " + NRR.unitLabel(opts.unit)}<extra></extra>`,
    };
    if (percent) trace.base = shown.map(() => 100);
    const range = percent ? percentRange(shown.map((it) => it.value)) : null;
    const valueAxis = percent
      ? { range, ticksuffix: "%", gridcolor: GRID, zeroline: false }
      : { ...amountAxis(opts), rangemode: "tozero" };
    const nameAxis = { type: "category", automargin: true };
    const lay = layout({ bargap: 0.35, margin: { l: 60, r: 40, t: 24, b: 60 } });
    node.style.height = "";
    if (horizontal) {
      node.style.height = `${Math.max(300, shown.length * 26 + 50)}px`;
      lay.margin.b = 36;
      Object.assign(lay, { xaxis: valueAxis, yaxis: { ...nameAxis, autorange: "reversed" } });
    } else {
      Object.assign(lay, { yaxis: valueAxis,
                           xaxis: { ...nameAxis, tickangle: shown.length > 8 ? -35 : 0 } });
    }
    if (percent) Object.assign(lay, benchmark(range, null, horizontal));
    const result = draw(node, [trace], lay);
    if (opts.onClick) {
      if (node.removeAllListeners) node.removeAllListeners("plotly_click");
      node.on("plotly_click", (ev) => {
        const point = ev && ev.points && ev.points[0];
        if (point) opts.onClick(point.customdata, horizontal ? point.y : point.x);
      });
      node.style.cursor = "pointer";
    }
    return result;
  }

  /* Bars over periods, one trace per series (grouped bars). */
  function periodBars(node, series, opts) {
    const percent = NRR.PERCENT.has(opts.metric);
    const traces = series.map((s, i) => {
      const axis = periodAxis(s.rows, opts.grain);
      const values = s.rows.map((r) => r.value);
      return {
        type: "bar", name: s.name, x: axis.x,
        y: percent ? values.map((v) => (v === null ? null : v - 100)) : values,
        base: percent ? values.map(() => 100) : undefined,
        marker: { color: series.length === 1 ? "#2456d6" : SERIES[i % SERIES.length] },
        text: s.rows.map((r) => NRR.metricValue(opts.metric, r.value, opts.currency)),
        textposition: series.length === 1 ? "outside" : "none", cliponaxis: false,
        hovertemplate: `%{text}${percent ? "" : " " + NRR.unitLabel(opts.unit)}<extra>${s.name}</extra>`,
      };
    });
    const xaxis = periodAxis(series.length ? series[0].rows : [], opts.grain).axis;
    const lay = layout({ xaxis, barmode: "group", showlegend: series.length > 1,
                         legend: { orientation: "h", y: -0.22 } });
    if (percent) {
      const range = percentRange(series.flatMap((s) => s.rows.map((r) => r.value)));
      Object.assign(lay, benchmark(range, null));
      lay.yaxis = { range, ticksuffix: "%", gridcolor: GRID, zeroline: false };
    } else {
      lay.yaxis = amountAxis(opts);
    }
    return draw(node, traces, lay);
  }

  /* The percent heatmap's colour scale: red to green over HEAT_RANGE, turning at the edges
     of the NRR bands the API sent (`bands`). */
  function heatScale(bands) {
    const [zmin, zmax] = HEAT_RANGE;
    const edges = [...new Set((bands || []).flatMap((b) => [b.low, b.high]))]
      .filter((v) => v !== null).sort((a, b) => a - b);
    const turns = edges.map((edge, i) => [(edge - zmin) / (zmax - zmin), HEAT_EDGES[i]]);
    return { zmin, zmax, colorscale: [[0, HEAT_LOW], ...turns, [1, HEAT_HIGH]] };
  }

  /* Rows x columns of values; percent cells coloured by NRR band (opts.bands). */
  function heatmap(node, grid, opts) {
    const percent = NRR.PERCENT.has(opts.metric);
    const trace = {
      type: "heatmap", x: grid.x, y: grid.y, z: grid.z, xgap: 2, ygap: 2,
      text: grid.z.map((row) => row.map((v) => (v === null ? "" : NRR.metricValue(opts.metric, v, opts.currency)))),
      texttemplate: "%{text}", hoverongaps: false,
      hovertemplate: `${opts.yTitle || ""} %{y} · ${opts.xTitle || ""} %{x}: %{text}` +
        `${percent ? "" : " " + NRR.unitLabel(opts.unit)}<extra></extra>`,
      colorbar: { ticksuffix: percent ? "%" : "", thickness: 12, outlinewidth: 0,
                  title: { text: percent ? "" : NRR.unitLabel(opts.unit) } },
    };
    if (percent) {
      Object.assign(trace, heatScale(opts.bands));
    } else {
      trace.colorscale = [[0, "#f2f5fb"], [1, "#2456d6"]];
    }
    node.style.height = `${Math.max(300, grid.y.length * 26 + 90)}px`;
    const lay = layout({
      xaxis: { type: "category", title: { text: opts.xTitle || "" }, side: "top", automargin: true,
               showgrid: false },
      yaxis: { type: "category", autorange: "reversed", automargin: true, showgrid: false },
      margin: { l: 90, r: 10, t: 50, b: 20 },
    });
    return draw(node, [trace], lay);
  }

  return { lines, rates, waterfall, groupBars, periodBars, heatmap, showEmpty, periodAxis, pct };
})();
