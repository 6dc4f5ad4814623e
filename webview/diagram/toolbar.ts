// The diagram's toolbar: "Follow" (keep the newest arrow in view while live), "Replay" (an ended
// trace, step by step), "Merge lanes" (etcd in the apiserver's lane, runc in the runtime's) and one
// "Export" menu, so the row fits a 500 px panel.
// Plain <button>s styled with VS Code's button variables (diagram.css): the page's first paint does
// not wait for a component library to load (vscode-button brought Lit into the entry). Labels and
// state in attributes and textContent, never markup.

import { el } from '../shared/dom.js';

export type ToolbarAction =
  'export-mermaid' | 'export-markdown' | 'export-json' | 'export-svg' | 'follow' | 'lanes' | 'replay';

export interface Toolbar {
  readonly root: HTMLElement;
  setFollow(following: boolean, live: boolean): void;
  setLanes(merged: boolean, auto: boolean): void;
  /** "Replay" for an ended trace ("Stop" while it replays); hidden while live. */
  setReplay(available: boolean, running: boolean): void;
}

const EXPORTS: readonly (readonly [ToolbarAction, string, string])[] = [
  ['export-mermaid', 'Mermaid source (.mmd)', 'Save the diagram as Mermaid source'],
  ['export-markdown', 'Markdown for GitHub (.md)', 'Save the diagram as a Mermaid block in a Markdown file'],
  ['export-svg', 'SVG image (.svg)', 'Save the diagram as Mermaid draws it (.svg)'],
  ['export-json', 'Trace JSON (.json)', 'Save the trace as JSON (the CLI contract)'],
];

function button(label: string, tip: string, onClick: () => void): HTMLElement {
  const b = el('button', 'pb-button');
  b.type = 'button';
  b.textContent = label;
  b.title = tip;
  b.addEventListener('click', onClick);
  return b;
}

/** The export menu: a button that opens a list of menu items (Escape or a click elsewhere closes it). */
function exportMenu(onAction: (a: ToolbarAction) => void): HTMLElement {
  const wrap = el('div', 'pb-menu-wrap');
  const menu = el('div', 'pb-menu');
  menu.setAttribute('role', 'menu');
  menu.setAttribute('aria-label', 'Export');
  menu.hidden = true;
  const open = (on: boolean): void => {
    if (on) {
      // Fixed, under the button: the header around the toolbar scrolls and would clip it.
      const r = trigger.getBoundingClientRect();
      menu.style.top = `${Math.round(r.bottom + 2)}px`;
      menu.style.right = `${Math.max(4, Math.round(window.innerWidth - r.right))}px`;
    }
    menu.hidden = !on;
    trigger.setAttribute('aria-expanded', String(on));
    if (on) menu.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  };
  const trigger = button('Export…', 'Save the diagram or the trace', () => open(menu.hidden));
  trigger.setAttribute('aria-haspopup', 'menu');
  trigger.setAttribute('aria-expanded', 'false');
  trigger.dataset.action = 'export';
  for (const [action, label, tip] of EXPORTS) {
    const item = el('button', 'pb-menu-item', label);
    item.type = 'button';
    item.setAttribute('role', 'menuitem');
    item.title = tip;
    item.dataset.action = action;
    item.addEventListener('click', () => {
      open(false);
      onAction(action);
    });
    menu.append(item);
  }
  menu.addEventListener('keydown', (e) => {
    const items = Array.from(menu.querySelectorAll<HTMLElement>('[role="menuitem"]'));
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      open(false);
      trigger.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
    }
  });
  document.addEventListener('pointerdown', (e) => {
    if (!menu.hidden && e.target instanceof Node && !wrap.contains(e.target)) open(false);
  });
  wrap.append(trigger, menu);
  return wrap;
}

export function createToolbar(onAction: (a: ToolbarAction) => void): Toolbar {
  const root = el('div', 'pb-toolbar');
  root.setAttribute('role', 'toolbar');
  root.setAttribute('aria-label', 'Diagram actions');
  const follow = button('Follow', 'Keep the newest arrow in view while the trace is live', () => onAction('follow'));
  follow.dataset.action = 'follow';
  const lanes = button('Merge lanes', 'Draw etcd in the apiserver’s lane and runc in the runtime’s', () =>
    onAction('lanes'),
  );
  lanes.dataset.action = 'lanes';
  const replay = button('Replay', 'Replay the birth step by step', () => onAction('replay'));
  replay.dataset.action = 'replay';
  replay.hidden = true;
  root.append(follow, replay, lanes, exportMenu(onAction));
  let followState = '';
  return {
    root,
    setFollow(following, live) {
      // Called on every snapshot: touch the DOM only when something changed.
      const state = `${following}${live}`;
      if (state === followState) return;
      followState = state;
      follow.hidden = !live;
      follow.setAttribute('aria-pressed', String(following));
      follow.textContent = following ? '✓ Follow' : 'Follow';
    },
    setReplay(available, running) {
      replay.hidden = !available;
      replay.textContent = running ? '■ Stop' : '▶ Replay';
      replay.setAttribute('aria-pressed', String(running));
    },
    setLanes(merged, auto) {
      lanes.setAttribute('aria-pressed', String(merged));
      lanes.textContent = merged ? '✓ Merge lanes' : 'Merge lanes';
      lanes.title = `${merged ? 'etcd is drawn in the apiserver’s lane and runc in the runtime’s' : 'Every participant has its own lane'}${auto ? ' (chosen for this panel width)' : ''}; click to switch`;
    },
  };
}
