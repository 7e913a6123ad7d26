/**
 * Structured output: the agent writes its answer inside `<tag>…</tag>`; factory takes the LAST such
 * block from the agent's text, parses it as JSON and validates it against a JSON Schema with ajv,
 * giving the caller a typed value. With TypeBox the type follows from the schema:
 *
 *   const r = await run({ …, output: Output.object({ tag: 'result', schema: Type.Object({ score: Type.Number() }) }) });
 *   r.output.score // number
 *
 * A missing tag, bad JSON or a schema violation is a `structured-output-invalid` failure that carries
 * the session id, so the caller can resume the session and ask the agent to emit it again.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export type OutputDefinition<T> =
  | { kind: 'object'; tag: string; schema: object; readonly _type?: T }
  | { kind: 'string'; tag: string; readonly _type?: T };

function checkTag(tag: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(tag)) {
    throw new FactoryFailure('usage', `structured output tag "${tag}" must be a plain XML name`, {
      exitCode: ExitCode.invalid,
    });
  }
  return tag;
}

export const Output = {
  /** JSON inside `<tag>`, validated against `schema` (TypeBox or any JSON Schema object). */
  object<S extends TSchema>(o: { tag: string; schema: S }): OutputDefinition<Static<S>> {
    return { kind: 'object', tag: checkTag(o.tag), schema: o.schema };
  },
  /** Same, for a plain JSON Schema whose type the caller states. */
  json<T>(o: { tag: string; schema: object }): OutputDefinition<T> {
    return { kind: 'object', tag: checkTag(o.tag), schema: o.schema };
  },
  /** The trimmed text inside `<tag>`, no parsing. */
  string(o: { tag: string }): OutputDefinition<string> {
    return { kind: 'string', tag: checkTag(o.tag) };
  },
};

export interface OutputContext {
  sessionId: string | undefined;
  worktreePath: string;
  branch: string;
}

function fail(message: string, tag: string, ctx: OutputContext, extra: Record<string, unknown>): FactoryFailure {
  return new FactoryFailure('structured-output-invalid', message, {
    exitCode: ExitCode.failed,
    hint: ctx.sessionId
      ? `resume the session to ask for it again: factory agent run --resume ${ctx.sessionId} --prompt "Re-emit your answer inside <${tag}> tags"`
      : `the agent must print its answer inside <${tag}>…</${tag}>`,
    details: { tag, sessionId: ctx.sessionId ?? null, worktreePath: ctx.worktreePath, branch: ctx.branch, ...extra },
  });
}

/** Contents of the last `<tag>…</tag>` in `text`, or undefined. */
export function lastTagContent(text: string, tag: string): string | undefined {
  const close = `</${tag}>`;
  const end = text.lastIndexOf(close);
  if (end < 0) return undefined;
  const open = text.lastIndexOf(`<${tag}>`, end);
  if (open < 0) return undefined;
  return text.slice(open + tag.length + 2, end);
}

export function extractOutput<T>(def: OutputDefinition<T>, text: string, ctx: OutputContext): T {
  const raw = lastTagContent(text, def.tag);
  if (raw === undefined) throw fail(`the agent's output has no <${def.tag}>…</${def.tag}> block`, def.tag, ctx, {});
  if (def.kind === 'string') return raw.trim() as T;
  // Agents like to wrap JSON in a markdown fence even inside the tag.
  const body = raw.trim().replace(/^```(?:json)?\s*\n([\s\S]*)\n```$/, '$1');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    throw fail(`<${def.tag}> does not hold valid JSON: ${(e as Error).message}`, def.tag, ctx, {
      rawMatched: raw.slice(0, 4000),
    });
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(def.schema);
  if (!validate(value)) {
    const errors = (validate.errors ?? []).map(
      (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    );
    throw fail(`<${def.tag}> does not match the schema: ${errors.join('; ')}`, def.tag, ctx, {
      rawMatched: raw.slice(0, 4000),
      errors,
    });
  }
  return value as T;
}
