import { readFileSync, statSync } from 'node:fs';
import { errorText } from '../core/guards.js';

/** Bad input: the CLI prints `pod-birth: FILE: PROBLEM` and exits 2. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

const MAX_BYTES = 512 * 1024 * 1024;

export function readTextFile(file: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new InputError(file, 'is a directory, not a file');
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      file,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot be read (${code ?? String(e)})`,
    );
  }
  if (size > MAX_BYTES)
    throw new InputError(file, `is too large (${Math.round(size / 1048576)} MB; the limit is 512 MB)`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = errorText(e).split('\n')[0];
    throw new InputError(file, `is not valid JSON (${msg})`);
  }
}
