import { DbError } from '@tabagent/common';

/**
 * Rewrites the field of an error from a lower layer into the request's terms, e.g.
 * the facade's `patch.title` into the body field `title`, so a client is told the
 * path in what it sent. Other errors pass through.
 *
 * @example await db.updateNode(id, body).catch(rebaseField(/^patch/u))
 */
export function rebaseField(prefix: RegExp, replacement = ''): (err: unknown) => never {
  return (err) => {
    if (err instanceof DbError && typeof err.details.field === 'string') {
      const match = prefix.exec(err.details.field);
      if (match?.index === 0) {
        const rest = err.details.field.slice(match[0].length).replace(/^\./u, '');
        const field = [replacement, rest].filter((part) => part !== '').join('.') || 'body';
        const message = err.message.startsWith(`${err.details.field}:`) ? `${field}:${err.message.slice(err.details.field.length + 1)}` : err.message;
        throw new DbError(err.code, message, { cause: err.cause, details: { ...err.details, field } });
      }
    }
    throw err;
  };
}
