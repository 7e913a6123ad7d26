/** Inline CSS and JS of report.html, kept apart from the markup so both stay readable. */

export const REPORT_CSS = `
:root { --bg:#f6f7f9; --card:#fff; --ink:#1d2433; --muted:#667085; --line:#e4e7ec;
  --ok:#12805c; --ok-bg:#e7f6ef; --bad:#c4320a; --bad-bg:#fff1ec; --skip:#98a2b3; --accent:#2e6be6; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
code { font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
a { color:var(--accent); text-decoration:none; } a:hover { text-decoration:underline; }
.top { padding:22px 32px 14px; color:#fff; background:linear-gradient(135deg,#0f5f45,#12805c); }
.top.failed { background:linear-gradient(135deg,#8f2a0a,#c4320a); }
.top a { color:#fff; text-decoration:underline; text-decoration-color:rgba(255,255,255,.4); }
.verdict { font-size:24px; font-weight:700; letter-spacing:-.01em; }
.facts { display:flex; flex-wrap:wrap; gap:6px 18px; margin-top:8px; opacity:.95; }
.facts b { font-weight:600; opacity:.75; margin-right:4px; }
nav { display:flex; flex-wrap:wrap; gap:8px; margin-top:14px; }
.toc { background:rgba(255,255,255,.16); padding:3px 10px; border-radius:999px; color:#fff!important; text-decoration:none!important; }
.toc.failed { background:rgba(0,0,0,.25); }
.runid { margin-top:10px; font-size:12px; opacity:.7; }
main { max-width:1500px; margin:0 auto; padding:20px 24px 40px; }
.scenario { background:var(--card); border:1px solid var(--line); border-left:5px solid var(--ok);
  border-radius:10px; padding:16px 20px 18px; margin-bottom:22px; box-shadow:0 1px 2px rgba(16,24,40,.05); }
.scenario.failed { border-left-color:var(--bad); }
.scenario > header { display:flex; align-items:center; gap:12px; }
.scenario h2 { font-size:18px; margin:0; flex:1; }
.dur { color:var(--muted); }
.pill { font-size:11px; font-weight:700; letter-spacing:.06em; padding:3px 8px; border-radius:5px; }
.pill.passed { background:var(--ok-bg); color:var(--ok); } .pill.failed { background:var(--bad-bg); color:var(--bad); }
.desc { margin:6px 0 0; color:var(--ink); }
.start { margin:4px 0 10px; color:var(--muted); font-size:13px; }
.banner.fail { background:var(--bad-bg); color:#7a2106; border:1px solid #f9c8b4; padding:9px 12px; border-radius:7px; margin:8px 0 12px; }
.grid { display:grid; grid-template-columns:minmax(0,1.35fr) minmax(0,1fr); gap:18px; align-items:start; }
@media (max-width:1000px) { .grid { grid-template-columns:1fr; } }
.player { position:sticky; top:12px; }
video { width:100%; border-radius:8px; background:#101828; border:1px solid var(--line); display:block; }
.meta { color:var(--muted); font-size:12px; margin-top:6px; }
.novideo { padding:40px; text-align:center; color:var(--muted); background:var(--bg); border-radius:8px; }
.steps { list-style:none; margin:0; padding:0; border:1px solid var(--line); border-radius:8px; overflow:hidden; }
.step { display:grid; grid-template-columns:22px 38px minmax(0,1fr) auto; gap:8px; padding:9px 12px;
  border-top:1px solid var(--line); cursor:pointer; align-items:start; }
.step:first-child { border-top:0; }
.step:hover, .step:focus { background:#f2f5fb; outline:none; }
.step.playing { background:#e8efff; box-shadow:inset 3px 0 0 var(--accent); }
.step .icon { font-weight:700; text-align:center; }
.step.passed .icon { color:var(--ok); } .step.failed .icon { color:var(--bad); } .step.skipped { color:var(--skip); }
.step.failed { background:var(--bad-bg); }
.idx { color:var(--muted); font-variant-numeric:tabular-nums; }
.action { display:inline-block; min-width:64px; font-weight:600; }
.line code { word-break:break-all; }
.step-name { color:var(--muted); font-size:12.5px; }
.time { color:var(--muted); font-size:12px; text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
.time .at { display:block; color:var(--accent); }
.failure { margin-top:6px; padding:8px 10px; background:#fff; border:1px solid #f9c8b4; border-radius:6px; }
.failure .k { display:inline-block; min-width:64px; font-weight:600; color:var(--bad); }
.path { color:var(--muted); font-size:12px; margin-top:2px; }
.thumb img { display:block; max-width:220px; margin-top:6px; border:1px solid var(--line); border-radius:5px; }
.thumb.wide img { max-width:100%; }
.scenario h3 { font-size:13px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); margin:18px 0 6px; }
.gallery { display:flex; flex-wrap:wrap; gap:12px; margin-top:14px; }
.gallery a { display:flex; flex-direction:column; gap:4px; font-size:12px; color:var(--muted); }
.gallery img { width:200px; border:1px solid var(--line); border-radius:6px; }
.logs { display:grid; grid-template-columns:1fr 1fr; gap:12px; margin-top:14px; }
@media (max-width:1000px) { .logs { grid-template-columns:1fr; } }
.log { border:1px solid var(--line); border-radius:8px; padding:8px 12px; background:#fcfcfd; }
.log summary { cursor:pointer; font-weight:600; }
.log.empty summary { color:var(--muted); font-weight:400; cursor:default; }
.log ul { margin:6px 0 0; padding-left:0; list-style:none; }
.log li { padding:4px 0; border-top:1px dashed var(--line); word-break:break-all; }
.tag { font-size:11px; font-weight:700; background:var(--bad-bg); color:var(--bad); padding:1px 6px; border-radius:4px; }
.at { color:var(--muted); font-size:12px; font-variant-numeric:tabular-nums; }
.loc { color:var(--muted); font-size:12px; }
.trace { color:var(--muted); font-size:12.5px; margin:12px 0 0; }
`;

/** Click a step to play the video from it; while playing, highlight the step on screen. */
export const REPORT_JS = `
document.querySelectorAll('.step').forEach(function (row) {
  function seek() {
    var v = document.getElementById(row.dataset.video);
    if (!v) return;
    v.currentTime = Number(row.dataset.start) / 1000;
    v.play().catch(function () {});
  }
  row.addEventListener('click', function (e) { if (!e.target.closest('a')) seek(); });
  row.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); seek(); } });
});
document.querySelectorAll('video').forEach(function (v) {
  var rows = Array.prototype.slice.call(document.querySelectorAll('.step[data-video="' + v.id + '"]'));
  v.addEventListener('timeupdate', function () {
    // The step being played is the last one that started at or before the current time.
    var t = v.currentTime * 1000 + 1, current = null;
    rows.forEach(function (r) { if (Number(r.dataset.start) <= t && !r.classList.contains('skipped')) current = r; });
    rows.forEach(function (r) { r.classList.toggle('playing', r === current); });
  });
});
`;
