/**
 * The dashboard's stylesheet: system fonts, light and dark schemes from `prefers-color-scheme`, chart
 * colours as classes (so SVG needs no style attributes under a strict CSP).
 * @module
 */

/** The stylesheet served at `assets/dashboard.css`. */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --card: #ffffff; --text: #1f2328; --muted: #656d76; --line: #d8dee4; --grid: #eaeef2;
  --accent: #2563eb; --accent-soft: #dbeafe; --hover: #f0f3f7;
  --c1: #2563eb; --c2: #7c3aed; --c3: #d97706; --c4: #059669; --bad: #dc2626;
  --ok-bg: #dcfce7; --ok-fg: #166534; --warn-bg: #fef3c7; --warn-fg: #92400e; --bad-bg: #fee2e2; --bad-fg: #991b1b;
  --shadow: 0 1px 2px rgba(16, 24, 40, .06), 0 1px 3px rgba(16, 24, 40, .08);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, Cantarell, "Noto Sans", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #8b949e; --line: #30363d; --grid: #21262d;
    --accent: #58a6ff; --accent-soft: #1f3a5f; --hover: #1c2330;
    --c1: #58a6ff; --c2: #bc8cff; --c3: #e3b341; --c4: #3fb950; --bad: #f85149;
    --ok-bg: #12361f; --ok-fg: #7ee2a0; --warn-bg: #3d2e00; --warn-fg: #f2cc60; --bad-bg: #4a1519; --bad-fg: #ffa198;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .record-id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
h2 { font-size: 20px; margin: 0; font-weight: 600; }
h3 { font-size: 14px; margin: 0 0 10px; font-weight: 600; }
.muted { color: var(--muted); }
.topbar { display: flex; align-items: center; gap: 24px; padding: 0 24px; height: 52px; background: var(--card); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
.brand { display: flex; align-items: center; gap: 8px; font-weight: 700; font-size: 16px; color: var(--text); }
.brand:hover { text-decoration: none; }
.topbar nav { display: flex; gap: 4px; flex: 1; }
.topbar nav a { color: var(--muted); padding: 6px 12px; border-radius: 6px; font-weight: 500; }
.topbar nav a:hover { background: var(--hover); text-decoration: none; color: var(--text); }
.topbar nav a[aria-current] { color: var(--text); background: var(--hover); box-shadow: inset 0 -2px 0 var(--accent); }
button, .button { font: inherit; color: var(--text); background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 5px 12px; cursor: pointer; display: inline-block; }
button:hover, .button:hover { background: var(--hover); text-decoration: none; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.primary:hover { filter: brightness(1.08); background: var(--accent); }
button.link { border: none; background: none; color: var(--muted); }
main { max-width: 1320px; margin: 0 auto; padding: 20px 24px 48px; display: flex; flex-direction: column; gap: 16px; }
.loading, .empty { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px; box-shadow: var(--shadow); margin: 0; }
.alert { border-color: var(--bad); background: var(--bad-bg); color: var(--bad-fg); }
p.alert { padding: 8px 12px; border-radius: 6px; border: 1px solid var(--bad); }
.page-head { display: flex; align-items: center; justify-content: space-between; gap: 16px; flex-wrap: wrap; }
.page-head .actions { display: flex; gap: 8px; align-items: center; }
.segmented { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: var(--card); }
.segmented a { padding: 5px 12px; color: var(--muted); border-left: 1px solid var(--line); font-variant-numeric: tabular-nums; }
.segmented a:first-child { border-left: none; }
.segmented a:hover { background: var(--hover); text-decoration: none; }
.segmented a[aria-current] { background: var(--accent); color: #fff; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; }
.kpi-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.kpi-value { font-size: 26px; font-weight: 650; margin: 4px 0 2px; font-variant-numeric: tabular-nums; }
.kpi-detail { color: var(--muted); font-size: 12.5px; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 12px; }
.tops { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; }
figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; flex-wrap: wrap; }
.legend { list-style: none; display: flex; gap: 12px; margin: 0; padding: 0; font-size: 12.5px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 5px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 3px; background: currentColor; }
.legend .c1, .readout .c1 { --tone: var(--c1); } .legend .c2, .readout .c2 { --tone: var(--c2); }
.legend .c3, .readout .c3 { --tone: var(--c3); } .legend .c4, .readout .c4 { --tone: var(--c4); }
.legend .bad, .readout .bad { --tone: var(--bad); }
.legend .swatch, .readout .swatch { background: var(--tone); }
.plot { position: relative; }
svg.chart { width: 100%; height: auto; display: block; overflow: visible; font-size: 11px; }
.axis text { fill: var(--muted); font-variant-numeric: tabular-nums; }
.axis line { stroke: var(--grid); stroke-width: 1; }
.axis .baseline, .axis .mark { stroke: var(--line); }
.series .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.series .area { opacity: .14; }
.series.bars { stroke: none; }
.series .dot { stroke: none; }
.series.c1 { stroke: var(--c1); fill: var(--c1); } .series.c2 { stroke: var(--c2); fill: var(--c2); }
.series.c3 { stroke: var(--c3); fill: var(--c3); } .series.c4 { stroke: var(--c4); fill: var(--c4); }
.series.bad { stroke: var(--bad); fill: var(--bad); }
.series .line { fill: none; }
.hover .guide { stroke: var(--muted); stroke-dasharray: 3 3; }
.hover-dot { stroke: var(--card); stroke-width: 2; }
.hover-dot.c1 { fill: var(--c1); } .hover-dot.c2 { fill: var(--c2); } .hover-dot.c3 { fill: var(--c3); } .hover-dot.c4 { fill: var(--c4); } .hover-dot.bad { fill: var(--bad); }
.overlay { fill: transparent; cursor: crosshair; }
.readout { position: absolute; top: 4px; transform: translateX(12px); background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; font-size: 12.5px; box-shadow: 0 4px 12px rgba(0,0,0,.15); pointer-events: none; display: flex; flex-direction: column; gap: 2px; min-width: 150px; font-variant-numeric: tabular-nums; }
.readout.flip { transform: translateX(calc(-100% - 12px)); }
.readout-row { display: flex; align-items: center; gap: 6px; }
.readout-row b { margin-left: auto; padding-left: 12px; }
.as-table { margin-top: 8px; font-size: 12.5px; }
.as-table summary { color: var(--muted); cursor: pointer; }
.as-table table { margin-top: 8px; }
.bars { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
.bar-row { display: grid; grid-template-columns: minmax(80px, 42%) 1fr auto; gap: 12px; align-items: center; padding: 5px 6px; border-radius: 6px; color: var(--text); }
a.bar-row:hover { background: var(--hover); text-decoration: none; }
.bar-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bar-svg { width: 100%; height: 12px; display: block; }
.bar-svg .bar-track { fill: var(--grid); }
.bar-svg .bar { fill: var(--c2); }
a.bar-row:hover .bar { fill: var(--accent); }
.bar-value { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--grid); vertical-align: top; }
thead th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; border-bottom: 1px solid var(--line); white-space: nowrap; }
tbody tr:hover { background: var(--hover); }
td.num, th.num { text-align: right; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.model { max-width: 280px; overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; padding: 0; }
.table-wrap > table th:first-child, .table-wrap > table td:first-child { padding-left: 16px; }
.table-wrap > .empty { padding: 16px; margin: 0; }
tr.row-error td:first-child { box-shadow: inset 3px 0 0 var(--bad); }
tr.new { animation: arrive 1.6s ease-out; }
@keyframes arrive { from { background: var(--accent-soft); } to { background: transparent; } }
@media (prefers-reduced-motion: reduce) { tr.new, .pill[data-state="live"]::before { animation: none; } }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; background: var(--hover); color: var(--muted); white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok-fg); }
.badge.warn { background: var(--warn-bg); color: var(--warn-fg); }
.badge.bad { background: var(--bad-bg); color: var(--bad-fg); }
a.badge { margin-right: 4px; }
.facts .badge { white-space: normal; overflow-wrap: anywhere; }
.pill { font-size: 12.5px; padding: 3px 10px; border-radius: 999px; background: var(--hover); color: var(--muted); }
.pill[data-state="live"] { background: var(--ok-bg); color: var(--ok-fg); }
.pill[data-state="live"]::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: currentColor; margin-right: 6px; animation: pulse 1.5s infinite; }
.pill[data-state="stopped"] { background: var(--bad-bg); color: var(--bad-fg); }
@keyframes pulse { 50% { opacity: .3; } }
.filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px 12px; align-items: end; }
.field { display: flex; flex-direction: column; gap: 4px; }
.field label { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: capitalize; }
.field.buttons { flex-direction: row; gap: 8px; }
input, select { font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 5px 8px; min-width: 0; }
input:focus, select:focus, button:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.pager { display: flex; gap: 8px; justify-content: flex-end; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px 24px; margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.facts dd { margin: 2px 0 0; overflow-wrap: anywhere; }
.timeline rect { rx: 3; }
.attempt.ok rect { fill: var(--c4); } .attempt.bad rect { fill: var(--bad); }
svg.timeline { margin-bottom: 8px; }
.bodies { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
.messages { list-style: none; margin: 0 0 10px; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.message { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
.message .role { font-size: 11.5px; font-weight: 700; text-transform: uppercase; color: var(--muted); letter-spacing: .04em; margin-bottom: 2px; }
.message .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.message.role-user { border-left: 3px solid var(--c1); }
.message.role-assistant, .message.role-model { border-left: 3px solid var(--c4); }
.message.role-system { border-left: 3px solid var(--c3); }
pre.raw { margin: 8px 0 0; padding: 10px; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; max-height: 420px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.key-prompt { max-width: 440px; margin: 64px auto; display: flex; flex-direction: column; gap: 10px; }
.key-prompt p { margin: 0; color: var(--muted); }
.key-prompt p.alert { color: var(--bad-fg); }
.key-prompt label { font-weight: 600; font-size: 12.5px; }
.key-prompt .row { display: flex; gap: 8px; }
.key-prompt input { flex: 1; }
@media (max-width: 640px) {
  .topbar { gap: 12px; padding: 0 12px; }
  main { padding: 12px; }
  .charts, .tops, .bodies { grid-template-columns: 1fr; }
}
`;
