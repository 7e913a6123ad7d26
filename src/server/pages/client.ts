/**
 * /assets/dashboard.js: the progressive part. A page whose <body> names an event stream
 * (`data-events`) opens it with EventSource (which reconnects by itself, sending Last-Event-ID);
 * progress lines go to the live log, and any other event refetches the page and swaps each
 * `[data-live]` element whose content changed (a playing video is kept: `data-sig` names it).
 */
export const DASHBOARD_JS = `(() => {
  const body = document.body;
  const src = body.dataset.events;
  const status = document.getElementById('live-status');
  if (!src || !window.EventSource) return;
  const setStatus = (state, text) => { if (status) { status.dataset.state = state; status.textContent = text; } };
  const es = new EventSource(src);
  es.onopen = () => setStatus('live', 'live');
  es.onerror = () => setStatus('reconnecting', 'reconnecting…');
  let timer = null;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const r = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
        if (!r.ok) return;
        const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
        for (const el of doc.querySelectorAll('[data-live]')) {
          const old = document.getElementById(el.id);
          if (!old) continue;
          if (old.dataset.sig && old.dataset.sig === el.dataset.sig) continue;
          old.replaceWith(document.importNode(el, true));
        }
        for (const k of ['state']) if (doc.body.dataset[k]) body.dataset[k] = doc.body.dataset[k];
        document.title = doc.title;
      } catch (e) { /* the next event retries */ }
    }, 200);
  };
  const log = document.getElementById('live-log');
  const MAX_LINES = 1000;
  es.addEventListener('job-event', (m) => {
    const e = JSON.parse(m.data).event;
    if (log && (!log.dataset.job || log.dataset.job === e.jobId)) {
      const line = document.createElement('div');
      const t = document.createElement('span');
      t.className = 't';
      t.textContent = e.at.slice(11, 19) + ' ';
      line.append(t);
      if (e.type === 'transition') {
        const to = document.createElement('span');
        to.className = 'to';
        to.textContent = '→ ' + e.to.replace(/_/g, ' ') + ' ';
        line.append(to);
      }
      line.append(document.createTextNode(e.message));
      log.querySelector('.placeholder')?.remove();
      log.append(line);
      while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
      log.scrollTop = log.scrollHeight;
    }
    if (e.type !== 'progress') refresh();
  });
})();
`;
