/** The review page's stylesheet, inlined so the page is one self-contained file. */
export const REVIEW_CSS = `
:root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#f6f8fa; --ok:#1a7f37; --okbg:#dafbe1;
  --bad:#cf222e; --badbg:#ffebe9; --warn:#9a6700; --warnbg:#fff8c5; --info:#0969da; --infobg:#ddf4ff; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif; color:var(--fg); background:#fff; }
code, pre, .mono { font-family: ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12.5px; }
a { color:var(--info); text-decoration:none; } a:hover { text-decoration:underline; }
header.top { padding:20px 32px 14px; border-bottom:1px solid var(--line); background:var(--bg); }
header.top h1 { margin:6px 0 8px; font-size:22px; line-height:1.3; }
.facts { display:flex; flex-wrap:wrap; gap:6px 18px; color:var(--muted); font-size:13px; }
.facts b { color:var(--fg); font-weight:600; margin-right:4px; }
.chip { display:inline-block; padding:2px 10px; border-radius:999px; font-size:12px; font-weight:600; letter-spacing:.02em; border:1px solid transparent; }
.chip.ok { color:var(--ok); background:var(--okbg); border-color:#aceebb; }
.chip.bad { color:var(--bad); background:var(--badbg); border-color:#ffcecb; }
.chip.warn { color:var(--warn); background:var(--warnbg); border-color:#f5e0a0; }
.chip.info { color:var(--info); background:var(--infobg); border-color:#b6e3ff; }
.chip.muted { color:var(--muted); background:#eaeef2; }
nav.toc { display:flex; flex-wrap:wrap; gap:4px 14px; margin-top:10px; font-size:13px; }
main { max-width:1180px; margin:0 auto; padding:8px 32px 48px; }
section { margin-top:26px; }
section > h2 { font-size:16px; margin:0 0 10px; padding-bottom:6px; border-bottom:1px solid var(--line); display:flex; align-items:center; gap:10px; }
.card { border:1px solid var(--line); border-radius:8px; padding:12px 16px; background:#fff; }
.request { white-space:pre-wrap; background:var(--bg); border-left:3px solid var(--info); padding:10px 14px; border-radius:4px; }
.muted { color:var(--muted); }
ul.checklist { list-style:none; padding:0; margin:0; }
ul.checklist li { display:grid; grid-template-columns:26px 1fr; gap:2px 8px; padding:8px 0; border-bottom:1px solid #eaeef2; }
ul.checklist .mark { font-size:16px; line-height:1.2; text-align:center; }
.mark.ok { color:var(--ok); } .mark.bad { color:var(--bad); } .mark.none { color:var(--muted); }
.ev { grid-column:2; font-size:12.5px; color:var(--muted); }
.ev a { margin-right:10px; }
.media { display:grid; grid-template-columns: minmax(0,3fr) minmax(0,2fr); gap:18px; align-items:start; }
@media (max-width: 900px) { .media { grid-template-columns: 1fr; } }
video { width:100%; border-radius:6px; background:#000; }
.gallery { display:grid; grid-template-columns:repeat(auto-fill,minmax(160px,1fr)); gap:10px; }
.gallery a { display:block; border:1px solid var(--line); border-radius:6px; overflow:hidden; font-size:12px; color:var(--muted); }
.gallery img { display:block; width:100%; height:110px; object-fit:cover; object-position:top; }
.gallery span { display:block; padding:3px 6px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
table.grid { border-collapse:collapse; width:100%; font-size:13px; }
table.grid th, table.grid td { text-align:left; padding:6px 10px; border-bottom:1px solid #eaeef2; vertical-align:top; }
table.grid th { color:var(--muted); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
.finding { border-left:3px solid var(--line); padding:6px 12px; margin:8px 0; background:var(--bg); border-radius:0 4px 4px 0; }
.finding.critical, .finding.major { border-left-color:var(--bad); } .finding.minor { border-left-color:var(--warn); } .finding.info { border-left-color:var(--info); }
.finding .where { font-size:12.5px; }
pre.tail { background:#0d1117; color:#e6edf3; padding:10px 12px; border-radius:6px; overflow:auto; max-height:320px; white-space:pre-wrap; }
details.file { border:1px solid var(--line); border-radius:6px; margin:8px 0; overflow:hidden; }
details.file > summary { cursor:pointer; padding:6px 10px; background:var(--bg); }
.plus { color:var(--ok); font-weight:600; } .minus { color:var(--bad); font-weight:600; }
table.diff { border-collapse:collapse; width:100%; font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:12px; }
table.diff td { padding:0 8px; white-space:pre-wrap; word-break:break-all; vertical-align:top; }
table.diff td:nth-child(-n+2) { width:1%; color:var(--muted); text-align:right; user-select:none; white-space:nowrap; }
table.diff tr.add td { background:#e6ffec; } table.diff tr.del td { background:#ffebe9; }
table.diff tr.hunk td { background:var(--infobg); color:var(--muted); }
ol.timeline { list-style:none; margin:0; padding:0 0 0 8px; border-left:2px solid var(--line); }
ol.timeline li { position:relative; padding:4px 0 10px 18px; }
ol.timeline li::before { content:""; position:absolute; left:-7px; top:9px; width:12px; height:12px; border-radius:50%; background:#fff; border:2px solid var(--muted); }
ol.timeline li.ok::before { border-color:var(--ok); } ol.timeline li.bad::before { border-color:var(--bad); background:var(--badbg); }
ol.timeline li.current::before { background:var(--info); border-color:var(--info); }
.tl-head { display:flex; flex-wrap:wrap; gap:4px 10px; align-items:baseline; }
.tl-head .state { font-weight:600; } .tl-head .dur { font-variant-numeric:tabular-nums; }
.bar { height:4px; background:var(--infobg); border-radius:2px; margin-top:4px; }
.bar > span { display:block; height:4px; background:var(--info); border-radius:2px; }
.two { display:grid; grid-template-columns:1fr 1fr; gap:18px; } @media (max-width: 900px) { .two { grid-template-columns:1fr; } }
.banner { padding:10px 14px; border-radius:6px; margin-top:12px; }
.banner.bad { background:var(--badbg); border:1px solid #ffcecb; } .banner.warn { background:var(--warnbg); border:1px solid #f5e0a0; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:24px; }
`;
