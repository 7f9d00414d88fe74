// Line charts of analytics series with Chart.js (served by Gatehouse from its WebJar). Each chart is
// a canvas with an accessible name; the same figures are in the table beside it.
import {h} from './dom.js';

const COLORS = ['#0b5cad', '#b5179e', '#2a9d8f', '#e76f51', '#6a4c93', '#588157', '#bc6c25', '#264653'];
const live = new Set();

export function destroyCharts() {
  for (const c of live) c.destroy();
  live.clear();
}

export function lineChart(title, labels, series, unit) {
  const canvas = h('canvas', {role: 'img', 'aria-label': title + ' per API over the last 24 hours'});
  const box = h('div', {class: 'card'}, h('h2', {}, title), h('div', {class: 'chart'}, canvas));
  if (window.Chart) {
    const chart = new window.Chart(canvas, {
      type: 'line',
      data: {labels, datasets: series.map((s, i) => ({label: s.label, data: s.data, borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length], tension: 0.2, pointRadius: 2, spanGaps: true}))},
      options: {animation: false, maintainAspectRatio: false, responsive: true,
        scales: {y: {beginAtZero: true, title: {display: !!unit, text: unit || ''}}},
        plugins: {legend: {position: 'bottom'}}},
    });
    live.add(chart);
  }
  return box;
}
