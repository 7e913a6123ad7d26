// Diffie's front end: lists and creates projects through the api, and re-renders when the realtime
// service pushes a change (another tab, the worker finishing a summary, a curl). No build step.
const config = window.DIFFIE_CONFIG;
const $ = (id) => document.getElementById(id);

$('instance').textContent = `instance ${config.instance}`;

async function api(path, init) {
  const res = await fetch(new URL(path, config.apiUrl), {
    ...init,
    headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) },
  });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body?.error ?? `HTTP ${res.status}`);
  return body;
}

function summaryText(summary) {
  if (!summary) return 'summary: computing…';
  const top = summary.topWords.map((w) => `${w.word} ×${w.count}`).join(', ');
  return `${summary.wordCount} words, ${summary.uniqueWords} unique${top ? ` — top: ${top}` : ''}`;
}

function render(projects) {
  const list = $('projects');
  list.replaceChildren(
    ...projects.map((p) => {
      const li = document.createElement('li');
      li.dataset.projectId = p.id;
      const name = Object.assign(document.createElement('div'), { className: 'name', textContent: p.name });
      const desc = Object.assign(document.createElement('div'), {
        className: 'description',
        textContent: p.description,
      });
      const summary = Object.assign(document.createElement('div'), {
        className: 'summary',
        textContent: summaryText(p.summary),
      });
      li.append(name, desc, summary);
      return li;
    }),
  );
  $('count').textContent = `(${projects.length})`;
  $('empty').hidden = projects.length > 0;
}

async function refresh() {
  try {
    const { projects } = await api('/api/projects');
    $('load-error').hidden = true;
    render(projects);
  } catch (error) {
    $('load-error').textContent = `Could not load projects: ${error.message}`;
    $('load-error').hidden = false;
  }
}

$('new-project').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = Object.fromEntries(new FormData(form));
  try {
    await api('/api/projects', { method: 'POST', body: JSON.stringify(data) });
    form.reset();
    $('form-error').hidden = true;
    await refresh();
  } catch (error) {
    $('form-error').textContent = error.message;
    $('form-error').hidden = false;
  }
});

function setLive(state) {
  $('live').dataset.state = state;
  $('live').textContent = state;
}

function connect(delay = 250) {
  const url = new URL(config.realtimeUrl);
  url.searchParams.set('token', config.realtimeToken);
  const ws = new WebSocket(url);
  ws.addEventListener('open', () => setLive('live'));
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'change') void refresh();
  });
  ws.addEventListener('close', () => {
    setLive('offline');
    setTimeout(() => connect(Math.min(delay * 2, 5000)), delay);
  });
}

connect();
void refresh();
