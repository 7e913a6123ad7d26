/** The dashboard's stylesheet: the review page's (src/publish/local/style.ts) plus the app shell. */
import { REVIEW_CSS } from '../../publish/index.js';

export const DASHBOARD_CSS = `${REVIEW_CSS}
nav.app { display:flex; align-items:center; gap:18px; padding:10px 32px; background:#24292f; color:#fff; font-size:14px; }
nav.app a { color:#e6edf3; font-weight:600; } nav.app a.here { color:#fff; text-decoration:underline; text-underline-offset:6px; }
nav.app .brand { font-weight:700; letter-spacing:.02em; margin-right:8px; color:#fff; }
nav.app .spacer { flex:1; }
#live-status { font-size:12px; color:#8c959f; } #live-status[data-state="live"] { color:#4ac26b; }
#live-status::before { content:"●"; margin-right:5px; }
.toolbar { display:flex; flex-wrap:wrap; gap:10px; align-items:end; margin:18px 0 6px; }
.toolbar label { display:flex; flex-direction:column; font-size:12px; color:var(--muted); gap:3px; }
select, button, .button { font:inherit; font-size:13px; padding:5px 12px; border-radius:6px; border:1px solid var(--line); background:var(--bg); color:var(--fg); cursor:pointer; }
button:hover, .button:hover { background:#eaeef2; text-decoration:none; }
button.danger { color:var(--bad); border-color:#ffcecb; } button.danger:hover { background:var(--badbg); }
button.primary { color:#fff; background:var(--ok); border-color:#1a7f37; } button.primary:hover { background:#116329; }
.actions { display:flex; flex-wrap:wrap; gap:8px; margin-top:12px; } .actions form { margin:0; }
table.jobs td.title a { font-weight:600; color:var(--fg); } table.jobs td.title .muted { font-size:12.5px; display:block; max-width:640px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
table.grid tr:hover td { background:#f6f8fa; }
pre.live { background:#0d1117; color:#e6edf3; padding:10px 12px; border-radius:6px; overflow:auto; max-height:340px; min-height:60px; white-space:pre-wrap; margin:0; }
pre.live .t { color:#8c959f; } pre.live .to { color:#79c0ff; font-weight:600; }
.services { display:flex; flex-wrap:wrap; gap:4px; }
.empty { padding:40px; text-align:center; color:var(--muted); border:1px dashed var(--line); border-radius:8px; margin-top:20px; }
.error-page { max-width:640px; margin:60px auto; }
table.grid .chip { white-space:nowrap; } table.jobs td { white-space:nowrap; } table.jobs td.title { white-space:normal; width:100%; }
.request { max-height:10.5em; overflow:auto; }
`;
