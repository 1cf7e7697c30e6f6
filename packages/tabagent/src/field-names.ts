import { DbError } from '@tabagent/common';

/**
 * Renames the field an error from storage names into the caller's terms: storage calls a
 * batch's entries `ops.N` (`ops.3.content`, `ops.0.patch.title`), the facade's callers sent
 * `nodes.N` or a `patch`. The one place that rewrites storage's field paths; every
 * transport sees the facade's names. Other errors pass through unchanged.
 *
 * @example
 * await storage.insertNodes(nodes).catch((err) => { throw renameField(err, /^ops(?=\.|$)/u, 'nodes'); });
 */
export function renameField(err: unknown, from: RegExp, to: string): unknown {
  if (!DbError.is(err) || typeof err.details.field !== 'string') return err;
  const field = err.details.field;
  const match = from.exec(field);
  if (match?.index !== 0) return err;
  const renamed = `${to}${field.slice(match[0].length)}`;
  const message = err.message.startsWith(`${field}:`) ? `${renamed}:${err.message.slice(field.length + 1)}` : err.message;
  return new DbError(err.code, message, { cause: err.cause, details: { ...err.details, field: renamed } });
}
