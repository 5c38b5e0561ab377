// The what-if page: controls -> POST api/assess (debounced) -> chart and table, then
// POST api/figures -> the brief's charts for the same what-if. By default ("auto") the page
// answers with 500 futures first and, once the controls are left alone, asks again with the
// 10,000 to quote and redraws. A what-if pinned as A is compared with the controls' (B) side
// by side.
// Every URL is relative, so the page works under a reverse proxy's prefix (--root-path).
"use strict";

const state = {
  scenario: null, // the scenario's detail (GET api/scenarios/{name})
  overrides: {}, // assumption -> fixed value
  stress: {}, // stress id -> year
  hidden: new Set(), // options not shown
  samples: "auto", // "auto" (QUICK now, then FULL), or a number of futures
  seed: 2026,
};
const QUICK = 500; // the quick answer: about 100 ms on two cores
const FULL = 10000; // the command line's default: the figures to quote
const IDLE_MS = 1000; // controls left alone this long after the quick answer: ask for FULL
const SIZES = [500, 2000, 10000]; // the sizes the Futures select offers
let pending = null; // the AbortController of the request in flight
let timer = null;
let figuresPending = null; // the AbortController of the figures' request in flight
let figuresTimer = null;
// The what-if pinned as A: its query string (as the address writes a what-if) and its
// answer from api/assess; null when not comparing.
let pinned = null;



function fmt(value, digits) {
  if (value === null || value === undefined) return "–";
  const text = Number(value).toFixed(digits);
  return text === "-" + (0).toFixed(digits) ? (0).toFixed(digits) : text;
}

function stepOf(a) {
  const span = a.high - a.low;
  if (span <= 0) return 1;
  const raw = span / 100;
  return Number(raw.toPrecision(1));
}

// --- the address: every what-if is a URL ----------------------------------------------

// A what-if from a query string (the address's, or A's inside it as a=).
function readQuery(search = location.search) {
  const query = new URLSearchParams(search);
  const wanted = {
    pinned: query.get("a"), // A's query string, when comparing
    scenario: query.get("scenario"),
    overrides: {},
    stress: {},
    hidden: new Set((query.get("hide") || "").split(",").filter(Boolean)),
    // No samples in the address: auto (quick, then the full ensemble).
    samples: query.has("samples") ? Number(query.get("samples")) : "auto",
    seed: query.has("seed") ? Number(query.get("seed")) : 2026,
  };
  for (const [key, value] of query) {
    if (key.startsWith("set.") && value !== "" && Number.isFinite(Number(value))) {
      wanted.overrides[key.slice(4)] = Number(value);
    } else if (key.startsWith("stress.") && /^\d{4}$/.test(value)) {
      wanted.stress[key.slice(7)] = Number(value);
    }
  }
  return wanted;
}

// The controls' what-if as a query string (without A); with `samples`, at that size.
function currentQuery(samples = state.samples) {
  const query = new URLSearchParams();
  query.set("scenario", state.scenario.name);
  for (const [name, value] of Object.entries(state.overrides)) query.set("set." + name, String(value));
  for (const [id, year] of Object.entries(state.stress)) query.set("stress." + id, String(year));
  if (state.hidden.size) query.set("hide", [...state.hidden].join(","));
  if (samples !== "auto") query.set("samples", String(samples));
  if (state.seed !== 2026) query.set("seed", String(state.seed));
  return query.toString();
}

// A query string's what-if as the body of api/assess and api/figures.
function bodyOf(search) {
  const wanted = readQuery(search);
  return {
    scenario: wanted.scenario || state.scenario.name,
    overrides: wanted.overrides,
    stress: wanted.stress,
    samples: wanted.samples === "auto" ? QUICK : wanted.samples,
    seed: wanted.seed,
  };
}

function writeQuery() {
  const query = new URLSearchParams(currentQuery());
  // A travels whole as one parameter (URL-encoded): the address holds both what-ifs.
  if (pinned) query.set("a", pinned.query);
  const url = location.pathname + "?" + query.toString();
  history.replaceState(null, "", url);
  $("permalink").href = url;
}

// --- the controls ---------------------------------------------------------------------

function buildSliders() {
  const box = $("sliders");
  box.replaceChildren();
  for (const a of state.scenario.sliders) {
    const id = "set-" + a.name.replace(/[^a-z0-9]+/gi, "-");
    const wrap = document.createElement("div");
    wrap.className = "slider";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.innerHTML = "";
    const strong = document.createElement("span");
    strong.className = "meaning";
    strong.textContent = a.meaning;
    const name = document.createElement("code");
    name.textContent = a.name;
    label.append(strong, " ", name);
    const input = document.createElement("input");
    input.type = "range";
    input.id = id;
    input.min = String(a.low);
    input.max = String(a.high);
    input.step = String(stepOf(a));
    input.dataset.assumption = a.name;
    const fixed = a.name in state.overrides;
    input.value = String(fixed ? state.overrides[a.name] : a.default);
    const out = document.createElement("output");
    out.htmlFor = id;
    out.id = id + "-value";
    input.setAttribute("aria-describedby", out.id);
    const reset = document.createElement("button");
    reset.type = "button";
    reset.textContent = "Sample";
    reset.setAttribute("aria-label", "Sample " + a.name + " over its range again");
    const show = () => {
      const on = a.name in state.overrides;
      out.textContent = on
        ? "fixed at " + state.overrides[a.name] + " " + a.unit
        : "sampled " + a.low + "–" + a.high + " " + a.unit + " (default " + a.default + ")";
      wrap.classList.toggle("fixed", on);
      reset.disabled = !on;
    };
    input.addEventListener("input", () => {
      state.overrides[a.name] = Number(input.value);
      show();
      schedule();
    });
    reset.addEventListener("click", () => {
      delete state.overrides[a.name];
      input.value = String(a.default);
      show();
      schedule();
    });
    show();
    wrap.append(label, input, out, reset);
    box.append(wrap);
  }
}

// A labelled checkbox in its row: the row (to append more to) and the checkbox.
function checkRow(id, text, checked) {
  const wrap = document.createElement("div");
  wrap.className = "check";
  const check = document.createElement("input");
  check.type = "checkbox";
  check.id = id;
  check.checked = checked;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = text;
  wrap.append(check, label);
  return [wrap, check];
}

function buildStresses() {
  const box = $("stresses");
  box.replaceChildren();
  for (const s of state.scenario.stresses) {
    const id = "stress-" + s.id;
    const [wrap, check] = checkRow(id, s.label + ": " + s.description, s.id in state.stress);
    check.dataset.stress = s.id;
    const yearLabel = document.createElement("label");
    yearLabel.htmlFor = id + "-year";
    yearLabel.className = "year";
    yearLabel.textContent = "from";
    const year = document.createElement("input");
    year.type = "number";
    year.id = id + "-year";
    year.min = String(s.years[0]);
    year.max = String(s.years[1]);
    year.value = String(state.stress[s.id] || s.test_year || s.years[0]);
    year.disabled = !check.checked;
    const update = () => {
      year.disabled = !check.checked;
      const y = Number(year.value);
      if (check.checked && y >= s.years[0] && y <= s.years[1]) state.stress[s.id] = y;
      else delete state.stress[s.id];
      schedule();
    };
    check.addEventListener("change", update);
    year.addEventListener("change", update);
    wrap.append(yearLabel, year);
    box.append(wrap);
  }
}

function buildOptions() {
  const box = $("options");
  box.replaceChildren();
  for (const o of state.scenario.options) {
    const [wrap, check] = checkRow("option-" + o.id, o.name, !state.hidden.has(o.id));
    check.dataset.option = o.id;
    check.addEventListener("change", () => {
      if (check.checked) state.hidden.delete(o.id);
      else state.hidden.add(o.id);
      writeQuery();
      if (lastResult) render(lastResult);
    });
    box.append(wrap);
  }
}

async function loadScenario(name, wanted) {
  state.scenario = await api("api/scenarios/" + encodeURIComponent(name));
  const known = new Set(state.scenario.sliders.map((a) => a.name));
  const ranges = Object.fromEntries(state.scenario.sliders.map((a) => [a.name, a]));
  state.overrides = {};
  for (const [key, value] of Object.entries((wanted && wanted.overrides) || {})) {
    if (known.has(key) && value >= ranges[key].low && value <= ranges[key].high) state.overrides[key] = value;
  }
  const stresses = new Set(state.scenario.stresses.map((s) => s.id));
  state.stress = {};
  for (const [key, value] of Object.entries((wanted && wanted.stress) || {})) {
    if (stresses.has(key)) state.stress[key] = value;
  }
  state.hidden = new Set(wanted ? [...wanted.hidden] : []);
  $("scenario-title").textContent = state.scenario.title + " (evidence as of " + state.scenario.as_of + ")";
  buildSliders();
  buildStresses();
  buildOptions();
}

// --- asking and showing ---------------------------------------------------------------

// A control moved: whatever is in flight or waiting (the larger ensemble too) is for an
// older what-if; ask again, quick first, a quarter of a second after the last move.
function schedule() {
  writeQuery();
  clearTimeout(timer);
  if (pending && pending.full) {
    pending.abort();
    pending = null;
  }
  timer = setTimeout(assess, 250);
}

let lastResult = null;
let lastBody = null; // the what-if of lastResult, as asked

// The controls' what-if as the body of api/assess and api/figures, with `samples` futures.
function stateBody(samples) {
  return {
    scenario: state.scenario.name,
    overrides: Object.assign({}, state.overrides),
    stress: Object.assign({}, state.stress),
    samples,
    seed: state.seed,
  };
}

const count = (n) => n.toLocaleString("en");

// What the status line says of an answer shown.
function shownText(result) {
  const took = result.elapsed_ms ? " in " + Math.round(result.elapsed_ms) + " ms" : " (cached)";
  if (state.samples !== "auto") return count(result.samples) + " futures, seed " + result.seed + took + ".";
  if (result.samples === FULL) {
    return count(FULL) + " futures, the figures to quote, seed " + result.seed + took + ".";
  }
  return count(result.samples) + " futures (quick), seed " + result.seed + took +
    "; the " + count(FULL) + " to quote are on their way…";
}

// Asks api/assess for the controls' what-if: the quick answer (or the size chosen), or with
// `full`, the larger ensemble of auto, which leaves the quick numbers shown meanwhile.
async function assess(full = false) {
  full = full === true;
  if (pending) pending.abort();
  // The figures of an older what-if are no longer wanted.
  if (!full && figuresPending) figuresPending.abort();
  if (!full) clearTimeout(figuresTimer);
  clearTimeout(timer);
  const controller = new AbortController();
  controller.full = full;
  pending = controller;
  const samples = full ? FULL : state.samples === "auto" ? QUICK : state.samples;
  const body = stateBody(samples);
  if (!full) {
    $("status").textContent = "Computing over " + count(samples) + " futures…";
    document.body.classList.add("busy");
  }
  try {
    const result = await api("api/assess", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (pending !== controller) return;
    lastResult = result;
    lastBody = body;
    render(result);
    $("results").dataset.samples = String(result.samples);
    $("status").textContent = shownText(result);
    // After the numbers, never before them: the live chart and table stay quick.
    loadFigures(body);
    // Auto: the controls left alone for a second after the quick answer, the full ensemble.
    if (!full && state.samples === "auto") timer = setTimeout(assess, IDLE_MS, true);
  } catch (error) {
    if (error.name === "AbortError") return;
    if (error.status === 503 && pending === controller) {
      $("status").textContent = full
        ? shownText(lastResult) + " (The server is busy; trying again.)"
        : "The server is busy; trying again…";
      timer = setTimeout(assess, 1000 * (error.retryAfter || 2), full);
      return;
    }
    if (pending === controller) $("status").textContent = "Error: " + error.message;
  } finally {
    if (pending === controller) {
      pending = null;
      document.body.classList.remove("busy");
    }
  }
}

const COLUMNS = [
  // [field, heading, unit, digits, signed, no spread (a share of futures has none)]
  ["holds_europe_first", (r) => "Holds " + r.first_year, "probability", 3, false],
  ["holds_europe", (r) => "Holds " + r.first_year + "–" + r.last_year, "probability", 3, false],
  ["change_vs_status_quo", () => "Change vs status quo", "probability", 3, true],
  ["on_time", () => "Delivered on time", "share of futures", 2, false, true],
  ["change_on_time_vs_status_quo", () => "Change if on time", "probability", 3, true],
  ["fails_europe", (r) => "Fails per crisis " + r.last_year, "share", 3, false],
  ["holds_ukraine", (r) => "Ukraine: holds to " + r.last_year, "probability", 3, false],
  ["npv_eur_bn", () => "Net present cost", "EUR bn", 0, false],
  ["proliferation", () => "Proliferation risk", "index 0–1", 2, false],
];

function shownRows(result) {
  return result.options.filter((row) => !state.hidden.has(row.option));
}

function render(result) {
  const rows = shownRows(result);
  fillTable($("headline"), result, rows);
  const comparing = Boolean(pinned);
  $("side-a").hidden = !comparing;
  $("side-b-title").hidden = !comparing;
  $("side-b-what").hidden = !comparing;
  $("tables").classList.toggle("comparing", comparing);
  $("clear").hidden = !comparing;
  $("compare-note").hidden = !comparing;
  $("headline-caption").textContent = comparing
    ? "B: headline figures, mean over the futures, 10th–90th percentile below"
    : "Headline figures: mean over the futures, 10th–90th percentile below";
  if (comparing) {
    fillTable($("headline-a"), pinned.result, shownRows(pinned.result));
    $("side-a-what").textContent = describe(pinned.query);
    $("side-b-what").textContent = describe(currentQuery(result.samples));
  }
  const dl = $("definitions");
  dl.replaceChildren();
  for (const [term, text] of Object.entries(result.definitions)) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = text;
    dl.append(dt, dd);
  }
  drawCharts(result, rows);
}

// A what-if in words: what it fixes and switches on, against the scenario as assumed.
function describe(search) {
  const wanted = readQuery(search);
  const parts = [];
  for (const [name, value] of Object.entries(wanted.overrides)) parts.push(name + " = " + value);
  for (const [id, year] of Object.entries(wanted.stress)) parts.push(id + " from " + year);
  const size =
    (wanted.samples === "auto" ? count(QUICK) : count(wanted.samples)) + " futures, seed " + wanted.seed;
  return (parts.length ? parts.join("; ") : "every assumption sampled, no stress") + " (" + size + ").";
}

function fillTable(table, result, rows) {
  const head = document.createElement("tr");
  const first = document.createElement("th");
  first.scope = "col";
  first.textContent = "Option";
  head.append(first);
  for (const [field, heading, unit] of COLUMNS) {
    const th = document.createElement("th");
    th.scope = "col";
    th.innerHTML = "";
    const title = document.createElement("span");
    title.textContent = heading(result);
    const small = document.createElement("small");
    small.textContent = unit;
    th.append(title, document.createElement("br"), small);
    const definition = result.definitions[field];
    if (definition) th.title = definition;
    head.append(th);
  }
  table.tHead.replaceChildren(head);
  const body = [];
  for (const row of rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = row.name || row.option;
    tr.append(th);
    for (const [field, , , digits, signed, single] of COLUMNS) {
      if (!(field in row)) {
        tr.append(document.createElement("td"));
        continue;
      }
      const td = document.createElement("td");
      td.dataset.option = row.option;
      td.dataset.field = field;
      td.dataset.value = String(row[field]);
      const sign = (v) => (signed && v > 0 ? "+" : "");
      const main = document.createElement("span");
      main.textContent = sign(row[field]) + fmt(row[field], digits);
      if (single) {
        td.append(main);
        tr.append(td);
        continue;
      }
      const spread = document.createElement("small");
      spread.textContent =
        sign(row[field + "_p10"]) + fmt(row[field + "_p10"], digits) + " to " +
        sign(row[field + "_p90"]) + fmt(row[field + "_p90"], digits);
      td.append(main, document.createElement("br"), spread);
      tr.append(td);
    }
    body.push(tr);
  }
  table.tBodies[0].replaceChildren(...body);
}

function drawCharts(result, rows) {
  if (!window.Plotly) return;
  const names = rows.map((r) => r.name || r.option);
  const mean = rows.map((r) => r.holds_europe);
  const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
  const font = { family: "system-ui, sans-serif", size: 13 };
  // Each figure's height on its box too: a responsive figure resized keeps it.
  $("chart").style.height = 60 + 44 * rows.length + "px";
  $("central").style.height = "360px";
  if (pinned) drawChange(result, rows, config, font);
  else window.Plotly.react(
    "chart",
    [
      {
        type: "bar",
        orientation: "h",
        y: names,
        x: mean,
        marker: { color: "#2f5d8a" },
        error_x: {
          type: "data",
          symmetric: false,
          array: rows.map((r) => r.holds_europe_p90 - r.holds_europe),
          arrayminus: rows.map((r) => r.holds_europe - r.holds_europe_p10),
          color: "#111",
        },
        hovertemplate: "%{y}: %{x:.3f}<extra></extra>",
      },
    ],
    {
      font,
      margin: { l: 10, r: 10, t: 10, b: 40 },
      xaxis: { range: [0, 1], title: { text: "holds " + result.first_year + "–" + result.last_year + " (10th–90th percentile)" } },
      yaxis: { automargin: true, autorange: "reversed" },
      height: 60 + 44 * rows.length,
    },
    config,
  );
  const central = result.central;
  window.Plotly.react(
    "central",
    rows.map((r) => ({
      type: "scatter",
      mode: "lines",
      name: r.name || r.option,
      x: central.years,
      y: central.holds_europe[r.option],
    })),
    {
      font,
      margin: { l: 50, r: 10, t: 10, b: 40 },
      yaxis: { range: [0, 1], title: { text: "holds through the year" } },
      legend: { orientation: "h", y: -0.25 },
      height: 360,
    },
    config,
  );
}

// The main figure when comparing: per option, B's chance that deterrence holds through the
// horizon less A's (the mean over the futures of each, in percentage points).
function drawChange(result, rows, config, font) {
  const before = Object.fromEntries(pinned.result.options.map((r) => [r.option, r.holds_europe]));
  const both = rows.filter((r) => r.option in before);
  const change = both.map((r) => 100 * (r.holds_europe - before[r.option]));
  $("chart").setAttribute(
    "aria-label",
    "Chart: change B minus A in the probability that deterrence holds " + result.first_year + "–" +
      result.last_year + ", per option, in percentage points: " +
      both.map((r, i) => (r.name || r.option) + " " + fmt(change[i], 1)).join("; "),
  );
  window.Plotly.react(
    "chart",
    [
      {
        type: "bar",
        orientation: "h",
        y: both.map((r) => r.name || r.option),
        x: change,
        marker: { color: change.map((v) => (v >= 0 ? "#2f5d8a" : "#b2443a")) },
        hovertemplate: "%{y}: %{x:+.1f} points<extra></extra>",
      },
    ],
    {
      font,
      margin: { l: 10, r: 10, t: 10, b: 40 },
      xaxis: { zeroline: true, title: { text: "B − A, holds " + result.first_year + "–" + result.last_year + " (points)" } },
      yaxis: { automargin: true, autorange: "reversed" },
      height: 60 + 44 * both.length,
    },
    config,
  );
}

const MAIN_LABEL = "Chart: probability that deterrence holds, per option, mean with 10th to 90th percentiles";

// Pin the what-if shown as A, at the size it was computed at (the address says it).
function pin() {
  if (!lastResult) return;
  pinned = { query: queryOf(lastBody), result: lastResult };
  writeQuery();
  render(lastResult);
  $("status").textContent = "Pinned as A. Move the controls to make B.";
}

function clearComparison() {
  pinned = null;
  $("chart").setAttribute("aria-label", MAIN_LABEL);
  writeQuery();
  if (lastResult) render(lastResult);
  $("pin").focus();
}

// A body of api/assess as a query string (as the address writes a what-if), its size in it.
function queryOf(body) {
  const query = new URLSearchParams();
  query.set("scenario", body.scenario);
  for (const [name, value] of Object.entries(body.overrides)) query.set("set." + name, String(value));
  for (const [id, year] of Object.entries(body.stress)) query.set("stress." + id, String(year));
  if (state.hidden.size) query.set("hide", [...state.hidden].join(","));
  query.set("samples", String(body.samples));
  if (body.seed !== 2026) query.set("seed", String(body.seed));
  return query.toString();
}

// A's answer, for an address that holds A (a=): the same request as when it was pinned.
async function loadPinned(search) {
  const body = bodyOf(search);
  const result = await api("api/assess", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  // An older a= without its size meant 500 futures: say so from now on.
  const query = new URLSearchParams(search);
  if (!query.has("samples")) query.set("samples", String(body.samples));
  pinned = { query: query.toString(), result };
}

// --- the brief's charts for the what-if -------------------------------------------------

async function loadFigures(body) {
  if (figuresPending) figuresPending.abort();
  clearTimeout(figuresTimer);
  const controller = new AbortController();
  figuresPending = controller;
  const wanted = JSON.stringify(body);
  $("figures-status").textContent = "Drawing the brief's charts for this what-if…";
  $("figures").classList.add("busy");
  try {
    const charts = await api("api/figures", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({}, body, { lang: "en" })),
      signal: controller.signal,
    });
    // A newer what-if is on its way, or shown: these charts are stale, and are dropped.
    if (figuresPending !== controller || (pending && !pending.full)) return;
    if (JSON.stringify(lastBody) !== wanted) return;
    drawFigures(charts);
    $("figure-list").dataset.whatIf = wanted;
    $("figures-status").textContent = "";
  } catch (error) {
    if (error.name === "AbortError") return;
    if (error.status === 503 && figuresPending === controller) {
      $("figures-status").textContent = "The server is busy; trying again…";
      figuresTimer = setTimeout(() => loadFigures(body), 1000 * (error.retryAfter || 2));
      return;
    }
    if (figuresPending === controller) $("figures-status").textContent = "Error: " + error.message;
  } finally {
    if (figuresPending === controller) {
      figuresPending = null;
      $("figures").classList.remove("busy");
    }
  }
}

// Each chart as the brief's page shows it (Chart.html): its title as a heading, its
// option selector where it has one, its text alternative as a visually hidden description.
function drawFigures(charts) {
  if (!window.Plotly) return;
  const list = $("figure-list");
  const ids = Object.keys(charts);
  for (const old of [...list.children]) if (!ids.includes(old.dataset.chart)) old.remove();
  for (const id of ids) {
    const chart = charts[id];
    let box = list.querySelector('[data-chart="' + id + '"]');
    if (!box) {
      box = document.createElement("div");
      box.className = "figure";
      box.dataset.chart = id;
      const title = document.createElement("h3");
      title.id = "figure-title-" + id;
      const alt = document.createElement("p");
      alt.className = "visually-hidden";
      alt.id = "figure-alt-" + id;
      const plot = document.createElement("div");
      plot.className = "plot";
      plot.id = "figure-" + id;
      plot.setAttribute("aria-describedby", alt.id);
      box.append(title, alt, plot);
      list.append(box);
    }
    box.querySelector("h3").textContent = chart.title;
    box.querySelector(".visually-hidden").textContent = chart.alt;
    const plot = box.querySelector(".plot");
    let control = box.querySelector(".chart-control");
    let chosen = null; // the selector's choice to show, where not the figure's own
    if (chart.selector) {
      if (!control) {
        control = document.createElement("p");
        control.className = "chart-control";
        const label = document.createElement("label");
        label.htmlFor = "select-" + id;
        const select = document.createElement("select");
        select.id = "select-" + id;
        select.autocomplete = "off";
        control.append(label, " ", select);
        box.insertBefore(control, box.querySelector(".visually-hidden"));
        select.addEventListener("change", () => {
          const s = select._selector;
          const update = s.updates[select.selectedIndex];
          window.Plotly.update(plot, update[0], update[1], s.traces);
        });
      }
      control.querySelector("label").textContent = chart.selector.label;
      const select = control.querySelector("select");
      // The reader's choice is kept across redraws, where the new figure still offers it.
      const before = select.selectedIndex >= 0 ? select.options[select.selectedIndex].textContent : null;
      const kept = chart.selector.choices.indexOf(before);
      select._selector = chart.selector;
      select.replaceChildren(
        ...chart.selector.choices.map((choice, i) => {
          const option = document.createElement("option");
          option.value = String(i);
          option.textContent = choice;
          return option;
        }),
      );
      select.selectedIndex = kept >= 0 ? kept : chart.selector.selected;
      if (select.selectedIndex !== chart.selector.selected) chosen = select.selectedIndex;
    } else if (control) {
      control.remove();
    }
    // The figure's own height on its box, as plotly's HTML of the brief writes it: a
    // responsive figure resized to a new width keeps it, rather than reading an empty box.
    const height = chart.figure.layout.height;
    plot.style.height = height ? height + "px" : "";
    // The figure comes with the selector's default choice: the reader's, kept, is then
    // applied as the select's change would.
    const drawn = window.Plotly.react(plot, chart.figure.data, chart.figure.layout, chart.config);
    if (chosen !== null) {
      const s = chart.selector;
      Promise.resolve(drawn).then(() => {
        const select = box.querySelector(".chart-control select");
        if (!select || select._selector !== s || select.selectedIndex !== chosen) return;
        window.Plotly.update(plot, s.updates[chosen][0], s.updates[chosen][1], s.traces);
      });
    }
  }
}

// --- start ----------------------------------------------------------------------------

async function start() {
  const wanted = readQuery();
  state.samples = SIZES.includes(wanted.samples) ? wanted.samples : "auto";
  state.seed = Number.isInteger(wanted.seed) && wanted.seed >= 0 ? wanted.seed : 2026;
  $("samples").value = String(state.samples);
  $("seed").value = String(state.seed);
  const list = await api("api/scenarios");
  const select = $("scenario");
  for (const s of list) {
    const option = document.createElement("option");
    option.value = s.name;
    option.textContent = s.title;
    select.append(option);
  }
  const name = list.some((s) => s.name === wanted.scenario) ? wanted.scenario : list[0].name;
  select.value = name;
  await loadScenario(name, wanted);
  select.addEventListener("change", async () => {
    await loadScenario(select.value, null);
    schedule();
  });
  $("samples").addEventListener("change", () => {
    const chosen = $("samples").value;
    state.samples = chosen === "auto" ? "auto" : Number(chosen);
    schedule();
  });
  $("seed").addEventListener("change", () => {
    const seed = Number($("seed").value);
    if (Number.isInteger(seed) && seed >= 0) {
      state.seed = seed;
      schedule();
    }
  });
  $("reset").addEventListener("click", async () => {
    await loadScenario(state.scenario.name, null);
    schedule();
  });
  $("pin").addEventListener("click", pin);
  $("clear").addEventListener("click", clearComparison);
  if (wanted.pinned) {
    try {
      await loadPinned(wanted.pinned);
    } catch (error) {
      $("status").textContent = "A could not be restored: " + error.message;
    }
  }
  writeQuery();
  await assess();
}

start().catch((error) => {
  $("status").textContent = "Error: " + error.message;
});
