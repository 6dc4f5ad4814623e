import { describe, expect, it } from 'vitest';
import { renameInlineStyles } from '../../../webview/diagram/inline-styles.js';

describe('renameInlineStyles', () => {
  it('renames style attributes on every start tag, the root included', () => {
    const svg =
      '<svg id="d" style="max-width: 905px;" viewBox="0 0 1 1"><g><line x1="0" style="fill: none;"></line><text class="messageText" style="font-family: &quot;Segoe UI&quot;, sans-serif; font-size: 13px;">PullImage</text></g></svg>';
    expect(renameInlineStyles(svg)).toBe(
      '<svg id="d" data-pb-style="max-width: 905px;" viewBox="0 0 1 1"><g><line x1="0" data-pb-style="fill: none;"></line><text class="messageText" data-pb-style="font-family: &quot;Segoe UI&quot;, sans-serif; font-size: 13px;">PullImage</text></g></svg>',
    );
  });

  it('leaves text content alone, even text that looks like an attribute', () => {
    // The serializer escapes < in text but not quotes: an event message may read like markup.
    const svg = '<text x="1">Back-off style="x" &lt;b style="y"&gt;</text>';
    expect(renameInlineStyles(svg)).toBe(svg);
  });

  it('reads quoted values with > inside, and touches neither other attributes nor closing tags', () => {
    const svg = '<text aria-label="a > b style=&quot;c&quot;" data-style="keep" style="fill: red;">x</text></svg>';
    expect(renameInlineStyles(svg)).toBe(
      '<text aria-label="a > b style=&quot;c&quot;" data-style="keep" data-pb-style="fill: red;">x</text></svg>',
    );
  });

  it('renames every one in a large diagram, and leaves an unterminated tag at the end as it is', () => {
    const tail = `<text a="${'x'.repeat(200_000)}`;
    const out = renameInlineStyles(`<svg>${'<line style="fill: none;"></line>'.repeat(20_000)}${tail}`);
    expect(out.split('data-pb-style="fill: none;"').length - 1).toBe(20_000);
    expect(out.endsWith(tail)).toBe(true);
  });
});
