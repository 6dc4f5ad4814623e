// Cluster text (event messages, runtime errors, image and pod names) is untrusted. In a Markdown hover
// it must stay text: no links, no images, no HTML, no emphasis. Control and bidi characters are
// removed and every ASCII punctuation character is backslash-escaped (CommonMark allows that for all
// of them), which also breaks bare-URL autolinks (`https\:\/\/…`).

import { terminalSafe } from '../core/report/text.js';

export function mdText(s: string, max = 300): string {
  return terminalSafe(s, max).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** Diagnostic messages are plain text: one line, no control characters, capped. */
export function plainText(s: string, max: number): string {
  return terminalSafe(s, max);
}
