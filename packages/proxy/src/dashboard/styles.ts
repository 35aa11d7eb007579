/** The dashboard's stylesheet (light and dark, laptop and phone widths), served as a file. */
export const STYLES = String.raw`
:root { color-scheme: light dark; --bg: #f7f7f9; --fg: #1d1f24; --muted: #646b76; --card: #ffffff;
  --line: #dfe2e7; --accent: #2f6fdf; --ok: #188a42; --warn: #b36b00; --bad: #c4312b; --code: #f0f1f4; }
@media (prefers-color-scheme: dark) {
  :root:not([data-theme="light"]) { --bg: #121418; --fg: #e4e6ea; --muted: #9aa1ad; --card: #1b1e24;
    --line: #2d323b; --accent: #6b9cff; --ok: #48c774; --warn: #f0a030; --bad: #ff6b61; --code: #22262e; }
}
:root[data-theme="dark"] { --bg: #121418; --fg: #e4e6ea; --muted: #9aa1ad; --card: #1b1e24;
  --line: #2d323b; --accent: #6b9cff; --ok: #48c774; --warn: #f0a030; --bad: #ff6b61; --code: #22262e; color-scheme: dark; }
:root[data-theme="light"] { color-scheme: light; }
* { box-sizing: border-box; }
a { color: var(--accent); }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .6rem 1rem; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { font-size: 1rem; margin: 0; }
nav { display: flex; flex-wrap: wrap; gap: .25rem; }
nav a { color: var(--fg); text-decoration: none; padding: .3rem .6rem; border-radius: 6px; }
nav a[aria-current="page"] { background: var(--accent); color: #fff; }
header .spacer { flex: 1; }
main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; overflow-x: auto; }
h2 { font-size: 1rem; margin: .2rem 0 .6rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: .85rem; }
td.wrap { white-space: normal; }
.muted { color: var(--muted); }
.state { font-weight: 600; }
.state-ready { color: var(--ok); } .state-starting, .state-stopping { color: var(--warn); } .state-failed { color: var(--bad); } .state-stopped { color: var(--muted); }
.status-ok { color: var(--ok); } .status-error { color: var(--bad); }
button, .button { font: inherit; padding: .25rem .65rem; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--accent); }
button.danger { color: var(--bad); }
button[disabled] { opacity: .45; cursor: default; }
input, select, textarea { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .25rem .45rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: .6rem; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
pre.log { background: var(--code); padding: .6rem; border-radius: 6px; max-height: 65vh; overflow: auto; white-space: pre-wrap; word-break: break-word; margin: 0; }
pre.tail { max-height: 12rem; }
textarea.config { width: 100%; min-height: 28rem; font-family: ui-monospace, Menlo, monospace; font-size: 12.5px; }
.problems li { color: var(--bad); }
.ok-note { color: var(--ok); }
.meter { height: .6rem; background: var(--code); border-radius: 4px; overflow: hidden; margin: .3rem 0; }
.meter > span { display: block; height: 100%; background: var(--accent); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
svg.chart { width: 100%; height: auto; }
svg.chart text { fill: var(--muted); font-size: 10px; }
svg.chart .axis { stroke: var(--line); }
.legend span { margin-right: 1rem; }
.live-dot { display: inline-block; width: .55rem; height: .55rem; border-radius: 50%; background: var(--muted); margin-right: .3rem; }
body[data-live="on"] .live-dot { background: var(--ok); }
dl.detail { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.detail dt { color: var(--muted); }
.ansi-black-fg { color: #555; } .ansi-red-fg { color: #d33; } .ansi-green-fg { color: #2a2; } .ansi-yellow-fg { color: #b80; }
.ansi-blue-fg { color: #46d; } .ansi-magenta-fg { color: #b3b; } .ansi-cyan-fg { color: #1aa; } .ansi-white-fg { color: #999; }
.ansi-bright-red-fg { color: #f55; } .ansi-bright-green-fg { color: #4c4; } .ansi-bright-yellow-fg { color: #db3; } .ansi-bright-blue-fg { color: #68f; }
.ansi-bright-magenta-fg { color: #d6d; } .ansi-bright-cyan-fg { color: #3cc; } .ansi-bright-black-fg { color: #888; } .ansi-bright-white-fg { color: #ccc; }
@media (max-width: 640px) {
  main { padding: .5rem; }
  th, td { padding: .3rem .35rem; font-size: 13px; }
  .hide-narrow { display: none; }
  td.actions { white-space: normal; }
  td.actions button { margin: .1rem 0; }
}
`;
