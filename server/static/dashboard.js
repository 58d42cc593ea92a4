// The dashboard: polls the API and redraws every panel.
// Data comes from GET /stats/cost, /stats/quality, /report and /decisions, the
// same routes the Lambda functions serve. Text from the API is set with
// textContent only, never parsed as HTML.
"use strict";

const DEFAULT_REFRESH_SECONDS = 10;
const MIN_REFRESH_SECONDS = 2;
const DECISIONS_SHOWN = 20;
const VERSIONS_SHOWN = 10;
// Complexity buckets of a cell: the score ranges of router.models.BUCKET_EDGES.
const BUCKETS = [
  { key: 0, label: "0–0.2" },
  { key: 1, label: "0.2–0.4" },
  { key: 2, label: "0.4–0.6" },
  { key: 3, label: "0.6–0.8" },
  { key: 4, label: "0.8–1" },
];

function refreshSeconds() {
  const requested = Number(new URLSearchParams(window.location.search).get("refresh"));
  return requested >= MIN_REFRESH_SECONDS ? requested : DEFAULT_REFRESH_SECONDS;
}

function element(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function usd(value) {
  if (value === null || value === undefined) return "–";
  if (value === 0) return "$0";
  if (Math.abs(value) < 0.01) return `$${value.toFixed(6)}`;
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: 4, maximumFractionDigits: 4 })}`;
}

function fraction(value) {
  return value === null || value === undefined ? "–" : value.toFixed(2);
}

function localTime(iso) {
  return new Date(iso).toLocaleString();
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store", headers: { Accept: "application/json" } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const message = body.error ? body.error.message : response.statusText;
    throw new Error(`GET ${path} failed with ${response.status}: ${message}`);
  }
  return response.json();
}

function replace(id, node) {
  document.getElementById(id).replaceChildren(node);
}

function renderSummary(report, quality) {
  const totals = report.totals;
  const samples = quality.by_tier.reduce((sum, row) => sum + row.samples, 0);
  const qualitySum = quality.by_tier.reduce((sum, row) => sum + (row.mean_quality || 0) * row.samples, 0);
  const savingsPercent = totals.savings_percent === null ? "" : ` (${totals.savings_percent.toFixed(1)}%)`;
  const figures = [
    ["Decisions", String(totals.decisions), "decisions"],
    ["Estimated cost", usd(totals.estimated_cost_usd), "estimated"],
    ["All on Tier 3", usd(totals.baseline_cost_usd), "baseline"],
    ["Savings", usd(totals.savings_usd) + savingsPercent, "savings"],
    ["Mean quality", samples ? `${fraction(qualitySum / samples)} (${samples} samples)` : "–", "quality"],
    ["Routing table", report.current_version ? `v${report.current_version}` : "built-in default", "version"],
  ];
  const cards = figures.map(([label, value, key]) =>
    element("div", { class: "figure", "data-figure": key }, [element("span", { class: "label" }, [label]), element("span", { class: "value" }, [value])]),
  );
  document.getElementById("summary").replaceChildren(...cards);
}

function renderCost(cost) {
  const days = [...new Set(cost.by_day.map((row) => row.day))].sort();
  const stacks = days.map((day) => {
    const rows = cost.by_day.filter((row) => row.day === day);
    return {
      label: day,
      parts: rows.map((row) => ({ key: row.tier, value: row.estimated_cost_usd })),
      line: rows.reduce((sum, row) => sum + row.baseline_cost_usd, 0),
    };
  });
  replace("chart-cost", Charts.stackedBarsWithLine("cost", stacks, { format: usd, lineLabel: "all on Tier 3", emptyMessage: "No decisions yet" }));

  let cumulative = 0;
  let cumulativeBaseline = 0;
  const points = stacks.map((stack) => {
    const estimated = stack.parts.reduce((sum, part) => sum + part.value, 0);
    cumulative += stack.line - estimated;
    cumulativeBaseline += stack.line;
    const share = cumulativeBaseline > 0 ? `${((100 * cumulative) / cumulativeBaseline).toFixed(1)}% of all on Tier 3` : "";
    return { label: stack.label, value: cumulative, note: share };
  });
  replace("chart-savings", Charts.lineChart("savings", points, { format: usd, color: "#2a9d8f", emptyMessage: "No decisions yet" }));
}

function renderQuality(quality, report) {
  const bars = quality.by_tier
    .filter((row) => row.mean_quality !== null)
    .map((row) => ({ key: row.tier, label: `Tier ${row.tier}`, value: row.mean_quality, note: `n=${row.samples}` }));
  replace("chart-quality", Charts.barChart("quality", bars, { format: fraction, maxValue: 1, emptyMessage: "No feedback yet" }));

  // One cell can have rows for several tiers served, so their means are weighed by samples.
  const learned = new Map(report.cells.map((cell) => [cell.cell, cell.learned_tier]));
  const merged = new Map();
  for (const row of quality.by_cell) {
    if (row.mean_quality === null) continue;
    const entry = merged.get(row.cell) || { samples: 0, sum: 0, low: 0 };
    entry.samples += row.samples;
    entry.sum += row.mean_quality * row.samples;
    entry.low += row.low_quality;
    merged.set(row.cell, entry);
  }
  const cells = [...merged].map(([key, entry]) => {
    const [domain, bucket] = key.split(":");
    const mean = entry.sum / entry.samples;
    const tier = learned.get(key);
    const rule = tier ? `; learned minimum Tier ${tier}` : "";
    return {
      row: domain,
      column: Number(bucket),
      value: mean,
      text: `${fraction(mean)} · ${entry.samples}${tier ? ` · ≥T${tier}` : ""}`,
      note: `${domain}, bucket ${bucket}: mean quality ${fraction(mean)} over ${entry.samples} sample(s), ${entry.low} low${rule}`,
    };
  });
  const domains = [...new Set(cells.map((cell) => cell.row))].sort();
  replace("chart-heatmap", Charts.heatMap("heatmap", domains, BUCKETS, cells, { emptyMessage: "No feedback yet" }));
}

function describeChange(change) {
  const from = change.old_tier ? `Tier ${change.old_tier}` : "no minimum";
  const to = change.new_tier ? `Tier ${change.new_tier}` : "no minimum";
  const evidence = change.samples ? `, ${change.samples} samples` : "";
  const rate = change.low_quality_rate === null || change.low_quality_rate === undefined ? "" : `, low-quality rate ${fraction(change.low_quality_rate)}`;
  return `${change.cell}: ${change.action} ${from} → ${to}${evidence}${rate}`;
}

function renderVersions(report) {
  if (report.versions.length === 0) {
    replace("versions", element("p", { class: "empty" }, ["No version published yet: the built-in default table is in use."]));
    return;
  }
  const rows = report.versions.slice(0, VERSIONS_SHOWN).map((version) => {
    const changes = version.changes.length
      ? element("ul", {}, version.changes.map((change) => element("li", {}, [describeChange(change)])))
      : "no cell changed";
    const current = version.version === report.current_version ? " (current)" : "";
    return element("tr", { "data-version": String(version.version) }, [
      element("td", {}, [`v${version.version}${current}`]),
      element("td", {}, [localTime(version.created_at)]),
      element("td", {}, [version.created_by]),
      element("td", {}, [version.reason]),
      element("td", {}, [changes]),
    ]);
  });
  replace("versions", table(["Version", "Published", "By", "Why", "What changed"], rows));
}

function renderDecisions(list) {
  if (list.decisions.length === 0) {
    replace("decisions", element("p", { class: "empty" }, ["No decisions yet: POST /route adds one."]));
    return;
  }
  const rows = list.decisions.map((decision) => {
    const flags = [decision.high_stakes ? "high stakes" : "", decision.explored ? "explored" : ""].filter(Boolean).join(", ");
    return element("tr", { "data-decision": decision.decision_id }, [
      element("td", {}, [localTime(decision.created_at)]),
      element("td", { class: `tier tier-${decision.selected_tier}` }, [`Tier ${decision.selected_tier}`]),
      element("td", {}, [decision.selected_model]),
      element("td", {}, [decision.cell]),
      element("td", { class: "number" }, [decision.score.toFixed(2)]),
      element("td", { class: "number" }, [usd(decision.estimated_cost_usd)]),
      element("td", { class: "number" }, [usd(decision.estimated_savings_usd)]),
      element("td", {}, [decision.status]),
      element("td", {}, [flags]),
    ]);
  });
  const headings = ["Time", "Tier", "Model", "Cell", "Complexity", "Est. cost", "Saved vs Tier 3", "Status", "Flags"];
  replace("decisions", table(headings, rows));
}

function table(headings, rows) {
  const head = element("thead", {}, [element("tr", {}, headings.map((heading) => element("th", {}, [heading])))]);
  return element("table", {}, [head, element("tbody", {}, rows)]);
}

function setStatus(text, failed) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("failed", failed);
}

async function refresh() {
  const seconds = refreshSeconds();
  try {
    const [cost, quality, report, decisions] = await Promise.all([
      getJson("/stats/cost"),
      getJson("/stats/quality"),
      getJson("/report"),
      getJson(`/decisions?limit=${DECISIONS_SHOWN}`),
    ]);
    renderSummary(report, quality);
    renderCost(cost);
    renderQuality(quality, report);
    renderVersions(report);
    renderDecisions(decisions);
    document.body.dataset.loaded = "true";
    setStatus(`Updated ${new Date().toLocaleTimeString()}; refreshes every ${seconds} s`, false);
  } catch (error) {
    // Keep the last good panels on screen and try again at the next tick.
    setStatus(`${error.message}; retrying in ${seconds} s`, true);
  }
  window.setTimeout(refresh, seconds * 1000);
}

refresh();
