/**
 * A minimal Language Server Protocol client over stdio (JSON-RPC with Content-Length framing), to
 * drive the real yaml-language-server the way VS Code, Neovim and Helix do: open a document, wait
 * for the diagnostics it publishes, ask for hovers.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
}

type Message = { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };

export class YamlLanguageServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly published = new Map<string, LspDiagnostic[][]>();
  private readonly waiters: { uri: string; count: number; resolve(d: LspDiagnostic[]): void }[] = [];
  private stderr = '';
  private readonly exited: Promise<void>;

  constructor() {
    const pkg = createRequire(import.meta.url).resolve('yaml-language-server/package.json');
    const bin = join(dirname(pkg), 'bin', 'yaml-language-server');
    this.child = spawn(process.execPath, [bin, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.once('exit', (code) => {
      for (const p of this.pending.values())
        p.reject(new Error(`yaml-language-server exited (${code}): ${this.stderr}`));
    });
  }

  /** initialize + initialized + settings: validation and hover on, no schema store (no network here). */
  async start(): Promise<void> {
    await this.request('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: {} },
        workspace: { configuration: true },
      },
    });
    this.notify('initialized', {});
    this.notify('workspace/didChangeConfiguration', { settings: { yaml: SETTINGS } });
  }

  /** Open `path` with `text` and wait for the diagnostics the server publishes for it. */
  async open(path: string, text: string): Promise<LspDiagnostic[]> {
    const uri = pathToFileURL(path).href;
    const count = this.published.get(uri)?.length ?? 0;
    const next = new Promise<LspDiagnostic[]>((resolve) => this.waiters.push({ uri, count, resolve }));
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return next;
  }

  close(path: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri: pathToFileURL(path).href } });
  }

  /** The hover text at a 0-based position ('' when there is none). */
  async hover(path: string, line: number, character: number): Promise<string> {
    const r = (await this.request('textDocument/hover', {
      textDocument: { uri: pathToFileURL(path).href },
      position: { line, character },
    })) as { contents?: string | { value: string } | { value: string }[] } | null;
    const c = r?.contents;
    if (!c) return '';
    if (typeof c === 'string') return c;
    return Array.isArray(c) ? c.map((x) => x.value).join('\n') : c.value;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      await this.request('shutdown', null).catch(() => undefined);
      this.notify('exit', null);
      await this.exited;
    }
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    const done = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ jsonrpc: '2.0', id, method, params });
    return done;
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: object): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.handle(JSON.parse(body) as Message);
    }
  }

  private handle(m: Message): void {
    if (m.method === undefined && m.id !== undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(m.error.message));
      else p?.resolve(m.result);
      return;
    }
    if (m.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = m.params as { uri: string; diagnostics: LspDiagnostic[] };
      const list = this.published.get(uri) ?? [];
      list.push(diagnostics);
      this.published.set(uri, list);
      for (const w of this.waiters.filter((x) => x.uri === uri && list.length > x.count)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(diagnostics);
      }
      return;
    }
    if (m.id !== undefined) {
      // Requests from the server: settings for each asked section, null for everything else.
      const items = (m.params as { items?: { section?: string }[] } | undefined)?.items;
      const result =
        m.method === 'workspace/configuration'
          ? (items ?? []).map((i) => (i.section === 'yaml' ? SETTINGS : null))
          : null;
      this.send({ jsonrpc: '2.0', id: m.id, result });
    }
  }
}

const SETTINGS = {
  validate: true,
  hover: true,
  completion: true,
  format: { enable: false },
  schemaStore: { enable: false },
  schemas: {},
};
