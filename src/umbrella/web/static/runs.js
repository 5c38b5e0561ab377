// The stored-runs page: the store's runs, one run's headline, robustness, trade-offs, pathways,
// value of information and brief, and the comparison of two runs. Every URL is relative, so the page works under a reverse proxy's
// prefix (--root-path), as the what-if page does.
"use strict";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const state = {
  runs: [], // GET api/runs, newest first
  open: null, // the run shown
  compared: [], // the ids ticked to compare, in the order ticked
  diff: null, // the comparison of the two ticked
  briefToken: 0, // the brief asked for last: an older one's answers are dropped
  voiToken: 0, // the value of information asked for last: likewise
};


function fmt(value, digits) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const text = Number(value).toFixed(digits);
  return text === "-" + (0).toFixed(digits) ? (0).toFixed(digits) : text;
}

const signed = (value, digits) => (value > 0 ? "+" : "") + fmt(value, digits);

// The unit of a summary outcome, from its name (docs/outcomes: probabilities, shares, money).
function unitOf(outcome) {
  if (outcome.startsWith("npv_eur_bn")) return ["EUR bn", 0];
  if (outcome.startsWith("ukraine_support_eur_bn")) return ["EUR bn a year", 1];
  if (outcome.startsWith("proliferation")) return ["index 0–1", 2];
  if (outcome.startsWith("holds")) return ["probability", 3];
  return ["share", 3];
}

function cell(tag, text, attrs = {}) {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  return element;
}

// A column heading: its title and, small below it, its unit.
function heading(title, unit) {
  const th = cell("th", title, { scope: "col" });
  if (unit) th.append(document.createElement("br"), cell("small", unit));
  return th;
}

function started(iso) {
  if (!iso) return "–";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  return when.toISOString().slice(0, 16).replace("T", " ");
}

// --- the list -----------------------------------------------------------------------------

async function loadRuns() {
  state.runs = await api("api/runs");
  const rows = state.runs.map((run) => {
    const tr = document.createElement("tr");
    tr.dataset.run = run.run_id;
    const first = cell("th", "", { scope: "row" });
    const open = cell("button", run.run_id, { type: "button", class: "run-open" });
    open.dataset.run = run.run_id;
    open.setAttribute("aria-pressed", "false");
    open.setAttribute("aria-label", "Open run " + run.run_id);
    open.addEventListener("click", () => openRun(run.run_id));
    first.append(open);
    const futures =
      Number(run.futures_done).toLocaleString("en") + " of " + Number(run.n_samples).toLocaleString("en");
    const tick = document.createElement("td");
    const box = cell("input", "", { type: "checkbox", id: "compare-" + run.run_id });
    box.dataset.compare = run.run_id;
    box.disabled = run.status !== "complete";
    box.addEventListener("change", () => tickCompare(run.run_id, box.checked));
    const label = cell("label", "Compare run " + run.run_id, { for: box.id, class: "visually-hidden" });
    tick.append(box, label);
    tr.append(
      first,
      tick,
      cell("td", run.scenario_name),
      cell("td", run.status, { class: "status " + run.status }),
      cell("td", futures),
      cell("td", String(run.seed)),
      cell("td", started(run.started_at)),
    );
    return tr;
  });
  $("runs").tBodies[0].replaceChildren(...rows);
  $("list-status").textContent = state.runs.length
    ? state.runs.length.toLocaleString("en") + (state.runs.length === 1 ? " run" : " runs") + " in the store."
    : "No runs in the store yet: start one with umbrella run --store, or POST api/runs.";
}

// --- one run ------------------------------------------------------------------------------

const HEADLINE = [
  // [field, heading, unit, digits, signed]
  ["holds_europe_first", "Holds in the first year", "probability", 3, false],
  ["holds_europe", "Holds through the horizon", "probability", 3, false],
  ["change_vs_status_quo", "Change vs status quo", "probability", 3, true],
  ["fails_europe", "Fails per crisis, last year", "share", 3, false],
  ["holds_ukraine", "Ukraine: holds through the horizon", "probability", 3, false],
  ["npv_eur_bn", "Net present cost", "EUR bn", 0, false],
  ["proliferation", "Proliferation risk", "index 0–1", 2, false],
];

const ROBUSTNESS = [
  // [field, heading, unit, digits]
  ["mean", "Mean", "probability", 3],
  ["p10", "10th percentile", "probability", 3],
  ["p90", "90th percentile", "probability", 3],
  ["mean_regret", "Mean regret", "probability", 3],
  ["max_regret", "Largest regret", "probability", 3],
  ["satisficing", "Holds ≥ 0.8", "share of futures", 3],
  ["rank_minimax_regret", "Rank by largest regret", "1 = best", 0],
];

const RULES = {
  minimax_regret: "the smallest largest regret",
  best_mean: "the best mean",
  best_satisficing: "the most futures with holds ≥ 0.8",
};

async function openRun(runId) {
  const run = state.runs.find((r) => r.run_id === runId);
  if (!run) return;
  state.open = runId;
  for (const button of document.querySelectorAll("button.run-open")) {
    button.setAttribute("aria-pressed", String(button.dataset.run === runId));
  }
  const query = new URLSearchParams(location.search);
  query.set("run", runId);
  history.replaceState(null, "", location.pathname + "?" + query.toString());
  const section = $("run");
  section.hidden = false;
  $("run-title").textContent = "Run " + runId;
  $("run-facts").textContent =
    run.scenario_name + ", " + Number(run.n_samples).toLocaleString("en") + " futures, seed " + run.seed +
    ", sampler " + run.sampler + ", started " + started(run.started_at) + " UTC, umbrella " + run.package_version + ".";
  $("headline").tHead.replaceChildren();
  $("headline").tBodies[0].replaceChildren();
  $("robustness").tHead.replaceChildren();
  $("robustness").tBodies[0].replaceChildren();
  $("most-robust").textContent = "";
  resetTradeoffs();
  resetPathways();
  resetBrief();
  resetVoi();
  $("brief-build").disabled = run.status !== "complete";
  $("voi-build").disabled = run.status !== "complete";
  section.focus();
  if (run.status !== "complete") {
    $("run-status").textContent = "This run is " + run.status + ": only a complete run has results.";
    return;
  }
  $("run-status").textContent = "Loading the run's results…";
  document.body.classList.add("busy");
  try {
    const [results, robust] = await Promise.all([
      api("api/runs/" + runId + "/results"),
      api("api/runs/" + runId + "/robustness?outcome=holds_europe"),
    ]);
    if (state.open !== runId) return;
    renderHeadline(results.rows);
    renderRobustness(robust);
    $("run-status").textContent = "";
  } catch (error) {
    $("run-status").textContent = "Error: " + error.message;
  } finally {
    document.body.classList.remove("busy");
  }
  refreshBrief();
  await Promise.all([loadTradeoffs(runId), loadPathways(runId)]);
}

function renderHeadline(rows) {
  const head = document.createElement("tr");
  head.append(heading("Option"));
  for (const [, title, unit] of HEADLINE) head.append(heading(title, unit));
  $("headline").tHead.replaceChildren(head);
  const body = rows.map((row) => {
    const tr = document.createElement("tr");
    tr.append(cell("th", row.option, { scope: "row" }));
    for (const [field, , , digits, isSigned] of HEADLINE) {
      const show = (v) => (isSigned ? signed(v, digits) : fmt(v, digits));
      const td = cell("td", "", { "data-option": row.option, "data-field": field, "data-value": String(row[field]) });
      td.append(
        cell("span", show(row[field])),
        document.createElement("br"),
        cell("small", show(row[field + "_p10"]) + " to " + show(row[field + "_p90"])),
      );
      tr.append(td);
    }
    return tr;
  });
  $("headline").tBodies[0].replaceChildren(...body);
}

function renderRobustness(robust) {
  const head = document.createElement("tr");
  head.append(heading("Option"));
  for (const [, title, unit] of ROBUSTNESS) head.append(heading(title, unit));
  $("robustness").tHead.replaceChildren(head);
  const body = robust.robustness.map((row) => {
    const tr = document.createElement("tr");
    tr.append(cell("th", row.option, { scope: "row" }));
    for (const [field, , , digits] of ROBUSTNESS) {
      tr.append(cell("td", fmt(row[field], digits), { "data-option": row.option, "data-field": field }));
    }
    return tr;
  });
  $("robustness").tBodies[0].replaceChildren(...body);
  const best = Object.entries(robust.most_robust).map(
    ([rule, option]) => option + " by " + (RULES[rule] || rule.replace(/_/g, " ")),
  );
  $("most-robust").textContent = best.length ? "Most robust: " + best.join("; ") + "." : "";
}

// --- the trade-offs -----------------------------------------------------------------------

// The objectives' labels, as umbrella explore --pareto prints them (the API gives their units).
const OBJECTIVES = {
  deterrence: "Deterrence holds in Europe",
  cost: "Cost",
  proliferation: "Proliferation risk",
  ukraine: "Deterrence for Ukraine",
  time: "Time to first effect",
};

// A mean as the command line prints it: a probability, share or index to 0.001, else to 0.1.
function mean(value) {
  if (value === null || value === undefined) return "–";
  return Math.abs(value) <= 1 ? fmt(value, 3) : Number(value).toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

const percent = (value) => (value === null || value === undefined ? "–" : Math.round(100 * value) + "%");

function resetTradeoffs() {
  $("tradeoffs").tHead.replaceChildren();
  $("tradeoffs").tBodies[0].replaceChildren();
  $("tradeoffs-status").textContent = "";
  $("tradeoffs-alt").textContent = "";
  $("tradeoffs-chart-wrap").hidden = true;
  if (window.Plotly) window.Plotly.purge($("tradeoffs-chart"));
}

async function loadTradeoffs(runId) {
  $("tradeoffs-status").textContent = "Loading the trade-offs…";
  try {
    const traded = await api("api/runs/" + runId + "/tradeoffs");
    if (state.open !== runId) return;
    renderTradeoffs(traded);
    $("tradeoffs-status").textContent =
      "Over " + Number(traded.n_futures).toLocaleString("en") + " futures.";
    await drawTradeoffs(traded);
  } catch (error) {
    if (state.open === runId) $("tradeoffs-status").textContent = "Error: " + error.message;
  }
}

function renderTradeoffs(traded) {
  const names = Object.keys(traded.objectives);
  const head = document.createElement("tr");
  head.append(
    heading("Option"),
    heading("Efficient in futures", "share of futures"),
    heading("Efficient on the means", "yes, or dominated by"),
  );
  for (const name of names) {
    const objective = traded.objectives[name];
    const th = heading(OBJECTIVES[name] || name.replace(/_/g, " "), "mean, " + objective.unit + "; " + objective.direction);
    th.title = objective.definition;
    head.append(th);
  }
  $("tradeoffs").tHead.replaceChildren(head);
  const body = traded.options.map((row) => {
    const tr = document.createElement("tr");
    tr.append(cell("th", row.option, { scope: "row" }));
    tr.append(
      cell("td", percent(row.share_efficient), {
        "data-option": row.option,
        "data-field": "share_efficient",
        "data-value": String(row.share_efficient),
      }),
    );
    const efficient = cell("td", row.efficient_on_mean ? "yes" : "no", {
      "data-option": row.option,
      "data-field": "efficient_on_mean",
    });
    if (!row.efficient_on_mean && row.dominated_on_mean_by) {
      efficient.append(document.createElement("br"), cell("small", row.dominated_on_mean_by.split(";").join(", ")));
    }
    tr.append(efficient);
    for (const name of names) {
      const field = name + "_mean";
      tr.append(cell("td", mean(row[field]), { "data-option": row.option, "data-field": field, "data-value": String(row[field]) }));
    }
    return tr;
  });
  $("tradeoffs").tBodies[0].replaceChildren(...body);
}

async function drawTradeoffs(traded) {
  $("tradeoffs-alt").textContent = traded.alt;
  if (!window.Plotly) return;
  $("tradeoffs-chart-wrap").hidden = false;
  const plot = $("tradeoffs-chart");
  const figure = asLines(traded.figure);
  plot.style.height = figure.layout.height ? figure.layout.height + "px" : "";
  const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
  await window.Plotly.react(plot, figure.data, figure.layout, config);
}

// Three significant figures, whole numbers from 100 (as the figure's text says them).
function short(value) {
  if (Math.abs(value) >= 100) return Number(value).toLocaleString("en", { maximumFractionDigits: 0 });
  return String(Number(Number(value).toPrecision(3)));
}

// The API's parallel-coordinates figure (a plotly parcoords trace) drawn with SVG lines
// instead: parcoords draws through WebGL code that plotly compiles at run time, which this
// page's Content-Security-Policy (no eval) refuses. One line per option, one vertical axis
// per dimension scaled from its smallest value (bottom) to its largest (top), the option
// names on the first axis, and each line in the figure's own colour.
function asLines(figure) {
  const trace = figure.data[0];
  const dims = trace.dimensions;
  const n = dims[0].values.length;
  const line = trace.line || {};
  const low = line.cmin ?? 0;
  const span = (line.cmax ?? 1) - low || 1;
  const scale = line.colorscale || [[0, "#0072B2"]];
  const colour = (i) => {
    const at = ((Array.isArray(line.color) ? line.color[i] : i) - low) / span;
    let best = scale[0];
    for (const stop of scale) if (Math.abs(stop[0] - at) < Math.abs(best[0] - at)) best = stop;
    return best[1];
  };
  const names = dims[0].values.map((v) => {
    const at = (dims[0].tickvals || []).indexOf(v);
    return at >= 0 ? dims[0].ticktext[at] : String(v);
  });
  const bounds = dims.map((dim) => dim.range || [Math.min(...dim.values), Math.max(...dim.values)]);
  const place = (j, v) => {
    const [lo, hi] = bounds[j];
    return hi > lo ? (v - lo) / (hi - lo) : 0.5;
  };
  const plain = (label) => label.replace(/<br>/g, ", ");
  const data = names.map((name, i) => ({
    type: "scatter",
    mode: "lines+markers",
    name,
    showlegend: false,
    x: dims.map((_, j) => j),
    y: dims.map((dim, j) => place(j, dim.values[i])),
    text: dims.map((dim, j) => (j === 0 ? name : plain(dim.label) + ": " + short(dim.values[i]))),
    hovertemplate: "%{text}<extra>" + name + "</extra>",
    line: { color: colour(i), width: 2 },
    marker: { color: colour(i), size: 6 },
  }));
  const annotations = [];
  const shapes = [];
  dims.forEach((dim, j) => {
    shapes.push({ type: "line", x0: j, x1: j, y0: 0, y1: 1, line: { color: "#5a6470", width: 1 } });
    annotations.push({ x: j, y: 1.1, text: dim.label, showarrow: false, yanchor: "bottom" });
    if (j === 0) return;
    const [lo, hi] = bounds[j];
    annotations.push({ x: j, y: 1, text: short(hi), showarrow: false, yanchor: "bottom", font: { color: "#5a6470" } });
    if (hi > lo) annotations.push({ x: j, y: 0, text: short(lo), showarrow: false, yanchor: "top", font: { color: "#5a6470" } });
  });
  names.forEach((name, i) => {
    annotations.push({ x: 0, y: place(0, dims[0].values[i]), text: name, showarrow: false, xanchor: "right", xshift: -6 });
  });
  const axis = { visible: false, fixedrange: true };
  const layout = Object.assign({}, figure.layout, {
    xaxis: Object.assign({ range: [-0.05, dims.length - 0.9] }, axis),
    yaxis: Object.assign({ range: [-0.1, 1.1] }, axis),
    annotations,
    shapes,
    plot_bgcolor: "rgba(0,0,0,0)",
    paper_bgcolor: "rgba(0,0,0,0)",
    hovermode: "closest",
  });
  return { data, layout };
}

// --- the pathways -------------------------------------------------------------------------

function resetPathways() {
  $("pathways-section").hidden = true;
  for (const id of ["pathways", "pathway-steps"]) {
    $(id).tHead.replaceChildren();
    $(id).tBodies[0].replaceChildren();
  }
  $("pathways-status").textContent = "";
  $("pathways-note").textContent = "";
}

// The section stays hidden for a run whose scenario has no pathway.
async function loadPathways(runId) {
  try {
    const staged = await api("api/runs/" + runId + "/pathways");
    if (state.open !== runId || !staged.steps.length) return;
    renderPathways(staged);
    $("pathways-status").textContent =
      "Over " + Number(staged.n_futures).toLocaleString("en") + " futures.";
    $("pathways-section").hidden = false;
  } catch (error) {
    if (state.open !== runId) return;
    $("pathways-status").textContent = "Error: " + error.message;
    $("pathways-section").hidden = false;
  }
}

// A cell of a pathway's or a step's figure, its exact value in data-value for readers.
function pathwayCell(text, pathway, field, value, step) {
  const attrs = { "data-pathway": pathway, "data-field": field, "data-value": String(value) };
  if (step !== undefined) attrs["data-step"] = String(step);
  return cell("td", text, attrs);
}

function renderPathways(staged) {
  const unit = (name) => (staged.columns[name] || {}).unit || "";
  const titled = (th, name) => {
    th.title = (staged.columns[name] || {}).definition || "";
    return th;
  };
  // The pathways: their figures are the same on every step, so shown once.
  const head = document.createElement("tr");
  head.append(
    heading("Pathway"),
    titled(heading("Holds, mean", unit("holds_mean")), "holds_mean"),
    titled(heading("Holds, 10th percentile", unit("holds_p10")), "holds_p10"),
    titled(heading("Mean regret", unit("mean_regret")), "mean_regret"),
    titled(heading("Largest regret", unit("max_regret")), "max_regret"),
    titled(heading("Beats every single option", "on mean regret"), "beats_singles"),
  );
  $("pathways").tHead.replaceChildren(head);
  const seen = new Set();
  const rows = [];
  for (const step of staged.steps) {
    if (seen.has(step.pathway)) continue;
    seen.add(step.pathway);
    const tr = document.createElement("tr");
    const name = cell("th", step.pathway, { scope: "row" });
    name.append(document.createElement("br"), cell("small", step.name));
    tr.append(name);
    for (const field of ["holds_mean", "holds_p10", "mean_regret", "max_regret"]) {
      tr.append(pathwayCell(fmt(step[field], 3), step.pathway, field, step[field]));
    }
    tr.append(pathwayCell(step.beats_singles ? "yes" : "no", step.pathway, "beats_singles", step.beats_singles));
    rows.push(tr);
  }
  $("pathways").tBodies[0].replaceChildren(...rows);

  const stepsHead = document.createElement("tr");
  stepsHead.append(
    heading("Pathway"),
    titled(heading("Step", "from 1"), "step"),
    titled(heading("Option", "scale, delay"), "option"),
    titled(heading("Signpost", "read by"), "assumption"),
    titled(heading("Starts in", unit("fired")), "fired"),
    titled(heading("Starts", unit("start")), "start"),
    titled(heading("First acts", unit("first_year")), "first_year"),
  );
  // Names and conditions read from the left (runs.css aligns cells right, for numbers); set
  // through the CSSOM, which the page's Content-Security-Policy allows.
  for (const at of [2, 3]) stepsHead.cells[at].style.textAlign = "left";
  $("pathway-steps").tHead.replaceChildren(stepsHead);
  const steps = staged.steps.map((step) => {
    const tr = document.createElement("tr");
    tr.append(cell("th", step.pathway, { scope: "row" }));
    tr.append(pathwayCell(String(step.step), step.pathway, "step", step.step, step.step));
    const option = pathwayCell(step.option, step.pathway, "option", step.option, step.step);
    option.append(
      document.createElement("br"),
      cell("small", "scale " + step.scale + ", delay " + step.delay + (step.delay === 1 ? " year" : " years")),
    );
    tr.append(option);
    const signpost = step.assumption
      ? step.assumption + (step.bound === "below" ? " below " : " above ") + step.threshold +
        (step.unit ? " " + step.unit : "")
      : "none: from its option's start";
    const when = pathwayCell(signpost, step.pathway, "signpost", step.assumption, step.step);
    if (step.read_by !== null) when.append(document.createElement("br"), cell("small", "by " + step.read_by));
    tr.append(when);
    option.style.textAlign = "left";
    when.style.textAlign = "left";
    tr.append(pathwayCell(percent(step.fired), step.pathway, "fired", step.fired, step.step));
    tr.append(pathwayCell(String(step.start), step.pathway, "start", step.start, step.step));
    tr.append(pathwayCell(String(step.first_year), step.pathway, "first_year", step.first_year, step.step));
    return tr;
  });
  $("pathway-steps").tBodies[0].replaceChildren(...steps);
  const best = staged.best_single
    ? " The single option with the least mean regret: " + staged.best_single + " (" + fmt(staged.best_single_regret, 3) + ")."
    : "";
  $("pathways-note").textContent =
    "Starts in: the share of the run's futures in which the step starts (where its signpost fired). " +
    "First acts: the step's start plus its option's years to first effect, at the assumptions' defaults." + best;
}

// --- the brief ----------------------------------------------------------------------------

function briefSettings() {
  return { lang: $("brief-lang").value, sobol_base: Number($("brief-base").value) };
}

function resetBrief() {
  state.briefToken += 1;
  $("brief-progress").hidden = true;
  $("brief-files").hidden = true;
  $("brief-status").textContent = "";
}

function showBrief(status) {
  const progress = $("brief-progress");
  if (status.status === "complete") {
    progress.hidden = true;
    for (const kind of ["html", "md", "zip"]) $("brief-" + kind).href = status.files[kind];
    $("brief-files").hidden = false;
    $("brief-status").textContent = "The brief is ready.";
    $("brief-build").disabled = false;
  } else if (status.status === "running") {
    progress.hidden = false;
    progress.value = status.fraction;
    $("brief-files").hidden = true;
    $("brief-status").textContent =
      "Building the brief: " + (status.phase || "starting") + " (step " + status.done + " of " + status.total + ")…";
    $("brief-build").disabled = true;
  } else if (status.status === "failed") {
    progress.hidden = true;
    $("brief-status").textContent = "The brief failed: " + status.message;
    $("brief-build").disabled = false;
  } else {
    progress.hidden = true;
    $("brief-files").hidden = true;
    $("brief-status").textContent = "Not built yet with these settings.";
    $("brief-build").disabled = false;
  }
}

// Follows a brief until it is built or has failed; drops the answers once another is asked.
async function followBrief(status, mine) {
  while (status.status === "running") {
    showBrief(status);
    await sleep(1000);
    if (mine !== state.briefToken) return;
    status = await api(status.progress_url);
    if (mine !== state.briefToken) return;
  }
  showBrief(status);
}

async function refreshBrief() {
  resetBrief();
  const mine = state.briefToken;
  const runId = state.open;
  const { lang, sobol_base: base } = briefSettings();
  try {
    const status = await api("api/runs/" + runId + "/brief/progress?lang=" + lang + "&sobol_base=" + base);
    if (mine === state.briefToken) await followBrief(status, mine);
  } catch (error) {
    if (mine === state.briefToken) $("brief-status").textContent = "Error: " + error.message;
  }
}

async function buildBrief(event) {
  event.preventDefault();
  resetBrief();
  const mine = state.briefToken;
  $("brief-build").disabled = true;
  $("brief-status").textContent = "Starting the brief…";
  for (;;) {
    try {
      const status = await api("api/runs/" + state.open + "/brief", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(briefSettings()),
      });
      if (mine === state.briefToken) await followBrief(status, mine);
      return;
    } catch (error) {
      if (mine !== state.briefToken) return;
      if (error.status === 503) {
        const wait = error.retryAfter || 5;
        $("brief-status").textContent = "The server is busy with another run; trying again in " + wait + " s…";
        await sleep(1000 * wait);
        if (mine !== state.briefToken) return;
        continue;
      }
      $("brief-status").textContent = "Error: " + error.message;
      $("brief-build").disabled = false;
      return;
    }
  }
}

// With a token, a plain link cannot send it: the file is fetched with it and saved instead.
async function download(event) {
  if (!token) return;
  event.preventDefault();
  const link = event.currentTarget;
  const response = await fetch(link.href, { headers: { Authorization: "Bearer " + token } });
  if (!response.ok) {
    $("brief-status").textContent = "Error: " + response.status + " " + response.statusText;
    return;
  }
  const saved = document.createElement("a");
  saved.href = URL.createObjectURL(await response.blob());
  const extension = link.id.replace("brief-", "");
  saved.download = "brief-" + state.open + "." + extension;
  document.body.append(saved);
  saved.click();
  saved.remove();
  setTimeout(() => URL.revokeObjectURL(saved.href), 60_000);
}

// --- the value of information -------------------------------------------------------------

function resetVoi() {
  state.voiToken += 1;
  $("voi-progress").hidden = true;
  $("voi-wrap").hidden = true;
  $("voi").tHead.replaceChildren();
  $("voi").tBodies[0].replaceChildren();
  $("voi-status").textContent = "";
  $("voi-note").textContent = "";
  $("voi-build").disabled = false;
}

function showVoiProgress(progress) {
  const bar = $("voi-progress");
  bar.hidden = false;
  bar.value = progress.fraction;
  $("voi-status").textContent = progress.total
    ? "Computing the value of information: group " + progress.done + " of " + progress.total + "…"
    : "Computing the value of information…";
}

async function computeVoi(event) {
  event.preventDefault();
  const weight = Number($("voi-weight").value);
  if ($("voi-weight").value.trim() === "" || !Number.isFinite(weight) || weight < 0) {
    $("voi-status").textContent = "Give the worth of cost as a number of 0 or more.";
    $("voi-weight").focus();
    return;
  }
  resetVoi();
  const mine = state.voiToken;
  const runId = state.open;
  $("voi-build").disabled = true;
  $("voi-status").textContent = "Starting the value of information…";
  try {
    let answer;
    for (;;) {
      try {
        answer = await api("api/runs/" + runId + "/voi", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ cost_weight: weight }),
        });
        break;
      } catch (error) {
        if (error.status !== 503 || mine !== state.voiToken) throw error;
        const wait = error.retryAfter || 5;
        $("voi-status").textContent = "The server is busy with another run; trying again in " + wait + " s…";
        await sleep(1000 * wait);
        if (mine !== state.voiToken) return;
      }
    }
    // The progress, then (from its address) the table once done.
    for (;;) {
      if (mine !== state.voiToken) return;
      if (answer.kind !== "voi") break;
      if (answer.status === "failed") throw new Error(answer.message || "failed");
      if (answer.status === "running") {
        showVoiProgress(answer);
        await sleep(1000);
        if (mine !== state.voiToken) return;
      }
      answer = await api(answer.progress_url);
    }
    renderVoi(answer);
  } catch (error) {
    if (mine === state.voiToken) $("voi-status").textContent = "Error: " + error.message;
  } finally {
    if (mine === state.voiToken) {
      $("voi-progress").hidden = true;
      $("voi-build").disabled = false;
    }
  }
}

function renderVoi(voi) {
  const head = document.createElement("tr");
  head.append(
    heading("Assumptions"),
    heading("Count"),
    heading("EVPPI", "percentage points, 95% interval"),
    heading("Decision changed", "share of futures"),
    heading("Mostly to", "option"),
  );
  head.cells[0].className = "group";
  head.cells[4].className = "group";
  $("voi").tHead.replaceChildren(head);
  let clipped = false;
  const body = voi.groups.map((row, number) => {
    const tr = document.createElement("tr");
    if (number === 0) tr.className = "evpi";
    tr.dataset.group = row.group;
    tr.append(cell("th", row.group, { scope: "row", class: "group" }));
    tr.append(cell("td", String(row.n_assumptions)));
    const value = cell("td", "", { "data-group": row.group, "data-field": "evppi", "data-value": String(row.evppi) });
    value.append(cell("span", fmt(row.evppi, 3) + (row.clipped ? "*" : "")));
    if (row.low !== null && row.high !== null) {
      value.append(document.createElement("br"), cell("small", fmt(row.low, 3) + " to " + fmt(row.high, 3)));
    }
    clipped = clipped || row.clipped;
    tr.append(value);
    tr.append(cell("td", percent(row.changed), { "data-group": row.group, "data-field": "changed" }));
    tr.append(cell("td", row.changed_to || "–", { class: "group" }));
    return tr;
  });
  $("voi").tBodies[0].replaceChildren(...body);
  $("voi-wrap").hidden = false;
  const valued = voi.cost_weight
    ? "100 × holds_europe − " + voi.cost_weight + " × npv_eur_bn"
    : "100 × holds_europe (deterrence only)";
  $("voi-note").textContent =
    "Decision rule: the option with the highest mean over the " + Number(voi.n_futures).toLocaleString("en") +
    " futures of " + valued + "; now " + voi.best_option + ". Interval: the regression's uncertainty." +
    (clipped ? " *: the estimate exceeded EVPI, shown clipped to it." : "") +
    (voi.ungrouped.length ? " In no group: " + voi.ungrouped.join(", ") + "." : "");
  $("voi-status").textContent = "The value of information is ready: EVPI " + fmt(voi.evpi, 3) + " percentage points.";
}

// --- two runs compared --------------------------------------------------------------------

function tickCompare(runId, on) {
  state.compared = state.compared.filter((id) => id !== runId);
  if (on) state.compared.push(runId);
  while (state.compared.length > 2) {
    const dropped = state.compared.shift();
    $("compare-" + dropped).checked = false;
  }
  if (state.compared.length === 2) compare();
  else {
    $("compare").hidden = true;
    state.diff = null;
  }
}

async function compare() {
  const [a, b] = state.compared;
  const section = $("compare");
  section.hidden = false;
  $("compare-title").textContent = "Compare " + a + " (a) with " + b + " (b)";
  $("compare-status").textContent = "Comparing…";
  $("compare-meta").replaceChildren();
  $("diff").tHead.replaceChildren();
  $("diff").tBodies[0].replaceChildren();
  try {
    const diff = await api("api/runs/" + a + "/diff/" + b);
    if (state.compared[0] !== a || state.compared[1] !== b) return;
    state.diff = diff;
    renderMeta(diff);
    const outcomes = [...new Set(diff.outcomes.map((row) => row.outcome))];
    const select = $("compare-outcome");
    const wanted = outcomes.includes(select.value) ? select.value : "holds_europe";
    select.replaceChildren(...outcomes.map((name) => cell("option", name, { value: name })));
    select.value = outcomes.includes(wanted) ? wanted : outcomes[0];
    renderDiff();
    $("compare-status").textContent = "";
  } catch (error) {
    $("compare-status").textContent = "Error: " + error.message;
  }
}

function renderMeta(diff) {
  const box = $("compare-meta");
  const fields = Object.entries(diff.metadata);
  if (!fields.length) {
    box.replaceChildren(cell("p", "Same scenario, data, seed, futures, sampler and version."));
    return;
  }
  const table = document.createElement("table");
  table.append(cell("caption", "What differs between the runs"));
  const head = document.createElement("tr");
  head.append(heading("Field"), heading("a"), heading("b"));
  table.createTHead().append(head);
  const body = table.createTBody();
  const text = (v) => (Array.isArray(v) ? v.join(", ") : v === null ? "–" : String(v));
  for (const [name, values] of fields) {
    const tr = document.createElement("tr");
    tr.append(cell("th", name, { scope: "row" }), cell("td", text(values.a)), cell("td", text(values.b)));
    body.append(tr);
  }
  const wrap = cell("div", "", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "What differs between the runs" });
  wrap.append(table);
  box.replaceChildren(wrap);
}

function renderDiff() {
  if (!state.diff) return;
  const outcome = $("compare-outcome").value;
  const [unit, digits] = unitOf(outcome);
  const head = document.createElement("tr");
  head.append(heading("Option"), heading("Mean in a", unit), heading("Mean in b", unit), heading("b − a", unit));
  $("diff").tHead.replaceChildren(head);
  const rows = state.diff.outcomes
    .filter((row) => row.outcome === outcome)
    .map((row) => {
      const tr = document.createElement("tr");
      tr.append(
        cell("th", row.option, { scope: "row" }),
        cell("td", fmt(row.mean_a, digits), { "data-option": row.option, "data-field": "mean_a" }),
        cell("td", fmt(row.mean_b, digits), { "data-option": row.option, "data-field": "mean_b" }),
        cell("td", signed(row.difference, Math.max(digits, 4)), { "data-option": row.option, "data-field": "difference" }),
      );
      return tr;
    });
  $("diff").tBodies[0].replaceChildren(...rows);
  $("diff-caption").textContent = "Mean of " + outcome + " over each run's futures, per option";
}

// --- start --------------------------------------------------------------------------------

async function start() {
  $("brief-form").addEventListener("submit", buildBrief);
  $("voi-form").addEventListener("submit", computeVoi);
  $("voi-weight").addEventListener("change", () => state.open && resetVoi());
  $("brief-lang").addEventListener("change", () => state.open && refreshBrief());
  $("brief-base").addEventListener("change", () => state.open && refreshBrief());
  $("compare-outcome").addEventListener("change", renderDiff);
  for (const kind of ["html", "md", "zip"]) $("brief-" + kind).addEventListener("click", download);
  await loadRuns();
  const wanted = new URLSearchParams(location.search).get("run");
  if (wanted && state.runs.some((r) => r.run_id === wanted)) await openRun(wanted);
}

start().catch((error) => {
  $("list-status").textContent = "Error: " + error.message;
});
