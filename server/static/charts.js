// Small SVG charts for the dashboard: stacked bars with a line, a line, bars and a heat map.
// Every chart sets data-points on its <svg> to the number of data points drawn,
// so a test (or a person in the inspector) can tell an empty chart from a drawn one.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 560;
const HEIGHT = 240;
const MARGIN = { top: 16, right: 16, bottom: 36, left: 64 };
const TIER_COLORS = { 1: "#2a9d8f", 2: "#457b9d", 3: "#e76f51" };
const BASELINE_COLOR = "#444";

function svgElement(tag, attributes = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

// A <title> child is the tooltip browsers show on hover.
function tooltip(text) {
  return svgElement("title", {}, [text]);
}

function chartRoot(name, points) {
  return svgElement("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "chart",
    role: "img",
    "data-chart": name,
    "data-points": String(points),
  });
}

function emptyChart(name, message) {
  const root = chartRoot(name, 0);
  root.append(svgElement("text", { x: WIDTH / 2, y: HEIGHT / 2, class: "empty", "text-anchor": "middle" }, [message]));
  return root;
}

function niceMax(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const steps = [1, 2, 2.5, 5, 10].map((step) => step * magnitude);
  return steps.find((step) => step >= value);
}

// Draws the y axis with four gridlines and returns the value -> y mapping.
function yAxis(root, maxValue, format) {
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const scale = (value) => MARGIN.top + plotHeight * (1 - value / maxValue);
  for (let i = 0; i <= 4; i += 1) {
    const value = (maxValue * i) / 4;
    const y = scale(value);
    root.append(svgElement("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y, class: "gridline" }));
    root.append(svgElement("text", { x: MARGIN.left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, [format(value)]));
  }
  return scale;
}

// Returns the x centre of each of `count` slots and the slot width.
function xSlots(count) {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const slot = plotWidth / count;
  return { centre: (index) => MARGIN.left + slot * (index + 0.5), slot };
}

function xLabels(root, labels, centre) {
  // Show at most about eight labels so dates never overlap.
  const every = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((label, index) => {
    if (index % every !== 0) return;
    root.append(svgElement("text", { x: centre(index), y: HEIGHT - MARGIN.bottom + 16, class: "axis", "text-anchor": "middle" }, [label]));
  });
}

// stacks: [{label, parts: [{key, value}], line}] drawn as stacked bars with `line` as a dashed line.
function stackedBarsWithLine(name, stacks, { format, lineLabel, emptyMessage }) {
  if (stacks.length === 0) return emptyChart(name, emptyMessage);
  const root = chartRoot(name, stacks.length);
  const highest = Math.max(...stacks.map((stack) => Math.max(stack.line, stack.parts.reduce((sum, part) => sum + part.value, 0))));
  const scale = yAxis(root, niceMax(highest), format);
  const { centre, slot } = xSlots(stacks.length);
  const barWidth = Math.min(48, slot * 0.6);
  stacks.forEach((stack, index) => {
    let top = 0;
    for (const part of stack.parts) {
      const y = scale(top + part.value);
      const height = scale(top) - y;
      top += part.value;
      const bar = svgElement("rect", { x: centre(index) - barWidth / 2, y, width: barWidth, height: Math.max(height, 0), fill: TIER_COLORS[part.key], class: "bar", "data-tier": part.key });
      bar.append(tooltip(`${stack.label}, Tier ${part.key}: ${format(part.value)}`));
      root.append(bar);
    }
  });
  const linePoints = stacks.map((stack, index) => `${centre(index)},${scale(stack.line)}`).join(" ");
  root.append(svgElement("polyline", { points: linePoints, class: "line baseline", stroke: BASELINE_COLOR }));
  stacks.forEach((stack, index) => {
    const dot = svgElement("circle", { cx: centre(index), cy: scale(stack.line), r: 3, fill: BASELINE_COLOR, class: "point" });
    dot.append(tooltip(`${stack.label}, ${lineLabel}: ${format(stack.line)}`));
    root.append(dot);
  });
  xLabels(root, stacks.map((stack) => stack.label), centre);
  return root;
}

// points: [{label, value, note}] drawn as a line with a dot per point.
function lineChart(name, points, { format, color, emptyMessage }) {
  if (points.length === 0) return emptyChart(name, emptyMessage);
  const root = chartRoot(name, points.length);
  const values = points.map((point) => point.value);
  const scale = yAxis(root, niceMax(Math.max(...values)), format);
  const { centre } = xSlots(points.length);
  const coordinates = points.map((point, index) => `${centre(index)},${scale(Math.max(point.value, 0))}`).join(" ");
  root.append(svgElement("polyline", { points: coordinates, class: "line", stroke: color }));
  points.forEach((point, index) => {
    const dot = svgElement("circle", { cx: centre(index), cy: scale(Math.max(point.value, 0)), r: 4, fill: color, class: "point" });
    dot.append(tooltip(`${point.label}: ${format(point.value)}${point.note ? ` (${point.note})` : ""}`));
    root.append(dot);
  });
  xLabels(root, points.map((point) => point.label), centre);
  return root;
}

// bars: [{key, label, value, note}] with values in [0, maxValue].
function barChart(name, bars, { format, maxValue, emptyMessage }) {
  if (bars.length === 0) return emptyChart(name, emptyMessage);
  const root = chartRoot(name, bars.length);
  const scale = yAxis(root, maxValue, format);
  const { centre, slot } = xSlots(bars.length);
  const barWidth = Math.min(72, slot * 0.6);
  bars.forEach((bar, index) => {
    const y = scale(bar.value);
    const rect = svgElement("rect", { x: centre(index) - barWidth / 2, y, width: barWidth, height: scale(0) - y, fill: TIER_COLORS[bar.key] || "#888", class: "bar", "data-tier": bar.key });
    rect.append(tooltip(`${bar.label}: ${format(bar.value)} (${bar.note})`));
    root.append(rect);
    root.append(svgElement("text", { x: centre(index), y: y - 4, class: "value", "text-anchor": "middle" }, [`${format(bar.value)} · ${bar.note}`]));
  });
  xLabels(root, bars.map((bar) => bar.label), centre);
  return root;
}

// Red at 0 through yellow to green at 1.
function qualityColor(quality) {
  const hue = Math.round(Math.min(Math.max(quality, 0), 1) * 120);
  return `hsl(${hue}, 65%, 55%)`;
}

// cells: [{row, column, value, text, note}]. `rows` and `columns` give the order and the labels.
function heatMap(name, rows, columns, cells, { emptyMessage }) {
  if (cells.length === 0) return emptyChart(name, emptyMessage);
  const left = 110;
  const top = 28;
  const cellWidth = (WIDTH - left - MARGIN.right) / columns.length;
  const cellHeight = Math.min(32, (HEIGHT - top - 8) / rows.length);
  const root = chartRoot(name, cells.length);
  root.setAttribute("viewBox", `0 0 ${WIDTH} ${top + cellHeight * rows.length + 8}`);
  columns.forEach((column, index) => {
    root.append(svgElement("text", { x: left + cellWidth * (index + 0.5), y: top - 10, class: "axis", "text-anchor": "middle" }, [column.label]));
  });
  rows.forEach((row, index) => {
    root.append(svgElement("text", { x: left - 8, y: top + cellHeight * (index + 0.5) + 4, class: "axis", "text-anchor": "end" }, [row]));
  });
  const byPosition = new Map(cells.map((cell) => [`${cell.row}|${cell.column}`, cell]));
  rows.forEach((row, rowIndex) => {
    columns.forEach((column, columnIndex) => {
      const cell = byPosition.get(`${row}|${column.key}`);
      const x = left + cellWidth * columnIndex;
      const y = top + cellHeight * rowIndex;
      const fill = cell ? qualityColor(cell.value) : "#eee";
      const rect = svgElement("rect", { x: x + 1, y: y + 1, width: cellWidth - 2, height: cellHeight - 2, fill, class: cell ? "cell" : "cell no-data" });
      rect.append(tooltip(cell ? cell.note : `${row}, ${column.label}: no feedback yet`));
      root.append(rect);
      if (cell) {
        root.append(svgElement("text", { x: x + cellWidth / 2, y: y + cellHeight / 2 + 4, class: "cell-text", "text-anchor": "middle" }, [cell.text]));
      }
    });
  });
  return root;
}

window.Charts = { stackedBarsWithLine, lineChart, barChart, heatMap, TIER_COLORS };
