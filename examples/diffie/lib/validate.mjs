/** Input rules for projects, shared by the api and the unit suite. */
import { HttpError } from './http.mjs';

export const MAX_NAME = 200;
export const MAX_DESCRIPTION = 10_000;

/**
 * Validate a create (`partial` false) or update (`partial` true) body; returns the clean fields or
 * throws HttpError 400 naming the field.
 */
export function projectInput(body, { partial = false } = {}) {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'body must be a JSON object');
  const out = {};
  if (body.name !== undefined || !partial) {
    if (typeof body.name !== 'string' || body.name.trim() === '') throw new HttpError(400, 'name is required');
    if (body.name.trim().length > MAX_NAME) throw new HttpError(400, `name is longer than ${MAX_NAME} characters`);
    out.name = body.name.trim();
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string') throw new HttpError(400, 'description must be a string');
    if (body.description.length > MAX_DESCRIPTION)
      throw new HttpError(400, `description is longer than ${MAX_DESCRIPTION} characters`);
    out.description = body.description;
  } else if (!partial) {
    out.description = '';
  }
  if (partial && Object.keys(out).length === 0) throw new HttpError(400, 'nothing to update: give name or description');
  return out;
}

/** A positive integer id from a path segment, or HttpError 404. */
export function projectId(segment) {
  if (!/^[1-9][0-9]{0,17}$/.test(segment)) throw new HttpError(404, 'no such project');
  return segment;
}
