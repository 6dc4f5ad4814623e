// A container the runtime created but could not start: runc (or crun) failed before the process ran,
// so there is no exit of the program, only the runtime's error (exit code 128, reason StartError, or
// waiting RunContainerError). The error names what was wrong, and that names the manifest field:
//   exec: "/bin/x": stat /bin/x: no such file or directory      the executable does not exist
//   exec: "x": executable file not found in $PATH               (crun: executable file `x` not found)
//   exec: "/etc/passwd": permission denied                      not executable
//   exec format error                                           a binary for another architecture
//   mkdir /etc/passwd: not a directory / chdir to cwd (…)       the working directory
//   error mounting "…" to rootfs at "…"                         a volume mount

import type { ContainerSpec } from '../k8s-types.js';

export interface StartFailure {
  /** What went wrong, in plain words (no runtime text). */
  readonly what: string;
  /** The container field to change, relative to the container (`command`, `workingDir`…), or null. */
  readonly field: 'command' | 'args' | 'image' | 'workingDir' | 'volumeMounts' | null;
  readonly suggestion: string;
}

/** The executable the runtime tried (`exec: "/bin/x": …`, crun's `executable file \`x\``). */
function executableIn(text: string): string | null {
  return /exec: "([^"]*)"/.exec(text)?.[1] ?? /executable file `([^`]*)`/.exec(text)?.[1] ?? null;
}

/** Which field set the executable: the command, the first arg (no command), else the image's entrypoint. */
function executableField(spec: ContainerSpec | null, exe: string | null): 'command' | 'args' | 'image' {
  if (spec?.command && spec.command.length > 0) return 'command';
  if (exe !== null && spec?.args?.[0] === exe) return 'args';
  return 'image';
}

function whereSet(field: 'command' | 'args' | 'image'): string {
  return field === 'image' ? "the image's entrypoint" : field === 'args' ? 'args[0]' : 'command';
}

/** Reads a runtime start error. Null when the text says nothing we recognise. */
export function readStartFailure(text: string, spec: ContainerSpec | null): StartFailure | null {
  const exe = executableIn(text);
  const execField = executableField(spec, exe);
  const named = exe !== null ? `"${exe}"` : 'the executable';
  if (/no such file or directory|not found in \$PATH|executable file .* not found/i.test(text) && exe !== null) {
    return {
      what: `${named} (from ${whereSet(execField)}) does not exist in the image`,
      field: execField,
      suggestion:
        execField === 'image'
          ? `The image's ENTRYPOINT/CMD names ${named}, which is not in the image: set command (and args) to a program the image has, or fix the image.`
          : `Fix ${execField}: use a program that exists in the image (a full path, or a name on its PATH; \`kubectl debug\` or \`docker run --entrypoint sh IMAGE\` shows what is there).`,
    };
  }
  if (/permission denied/i.test(text) && exe !== null) {
    return {
      what: `${named} (from ${whereSet(execField)}) is not executable`,
      field: execField,
      suggestion: `Point ${whereSet(execField)} at an executable file, or run it through its interpreter (e.g. command: ["sh", ${JSON.stringify(exe)}]); chmod +x it in the image.`,
    };
  }
  if (/exec format error/i.test(text)) {
    return {
      what: `${named} is not a program this node can run (exec format error: another CPU architecture, or a script without #!)`,
      field: exe !== null ? execField : 'image',
      suggestion:
        "Use an image built for the node's architecture (a multi-arch image), or start scripts with a #! line.",
    };
  }
  const dir = spec?.workingDir;
  if (dir && (/chdir to cwd|working directory/i.test(text) || mkdirOfWorkingDir(text, dir))) {
    return {
      what: `the working directory "${dir}" cannot be created or entered`,
      field: 'workingDir',
      suggestion:
        'Set workingDir to a directory path in the image (or one the runtime can create: no part of it may be an existing file).',
    };
  }
  if (/error mounting|to rootfs at/i.test(text)) {
    return {
      what: 'a volume could not be mounted into the container',
      field: 'volumeMounts',
      suggestion:
        'Check volumeMounts: a mountPath over an existing file, or a subPath of the wrong type (file vs directory).',
    };
  }
  return null;
}

/** `mkdir /etc/passwd: not a directory` where /etc/passwd is part of the working directory. */
function mkdirOfWorkingDir(text: string, dir: string): boolean {
  const p = /mkdir ([^\s:]+)/.exec(text)?.[1];
  return !!p && (dir === p || dir.startsWith(p.endsWith('/') ? p : `${p}/`));
}
