// Follow the newest arrows while a trace is live (keep the end of the diagram in view), until the user
// scrolls away; scrolling back to the bottom (or the "Follow" button) resumes. Our own scrolls are told apart from the user's by the
// input that precedes a user scroll (wheel, keys, touch, a press on the scrollbar).

const INTENT_MS = 1000;
/** Within this many pixels of the bottom counts as "at the newest". */
const BOTTOM_SLACK = 24;

export class Follow {
  private following = true;
  private intentAt = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<(following: boolean) => void>();

  constructor(private readonly scroller: HTMLElement) {
    const intent = (): void => {
      this.intentAt = performance.now();
    };
    for (const type of ['wheel', 'touchmove', 'keydown', 'pointerdown'] as const)
      scroller.addEventListener(type, intent, { passive: true });
    scroller.addEventListener('scroll', () => {
      if (performance.now() - this.intentAt > INTENT_MS) return;
      this.set(this.atBottom());
    });
  }

  get on(): boolean {
    return this.following;
  }

  set(on: boolean): void {
    if (on === this.following) return;
    this.following = on;
    for (const l of this.listeners) l(on);
  }

  onChange(listener: (following: boolean) => void): void {
    this.listeners.add(listener);
  }

  atBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK;
  }

  /** Keeps the end of the diagram (the newest arrows) in view, as our own scroll. */
  scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** Jumps to the end of the diagram and follows again (the user asked). */
  toEnd(): void {
    this.set(true);
    this.scrollToEnd();
  }
}
