// Small type guards and helpers every layer needs; kept here once so no layer grows its own copy.

/** A plain object (not null, not an array): the shape JSON objects from the cluster or a file have. */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The message of a caught value, whatever was thrown (an Error, a string, anything else). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
