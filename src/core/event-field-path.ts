// An event's `regarding.fieldPath` (`spec.containers{app}`) names the container it is about. Both the
// trace and the diagnosis read it, so it lives here, in neither of them.

/** `spec.containers{app}` → { name: 'app', init: false, ephemeral: false }. */
export function containerFromFieldPath(
  fieldPath: string | undefined,
): { name: string; init: boolean; ephemeral: boolean } | null {
  if (!fieldPath) return null;
  const m = /^spec\.(containers|initContainers|ephemeralContainers)\{([^}]*)\}/.exec(fieldPath);
  if (!m || !m[2]) return null;
  return { name: m[2], init: m[1] === 'initContainers', ephemeral: m[1] === 'ephemeralContainers' };
}
