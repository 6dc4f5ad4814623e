// Steps under construction. A draft is keyed by (kind, container, attempt); every fold that has
// evidence for that step adds its time candidates to the same draft, and finalize.ts turns each draft
// into a Step. Folds run in a fixed order (build.ts), so where two folds set a draft's status or
// message, the later fold's word stands.

import type { StepKind, StepStatus } from '../vocabulary.js';
import { best, type Candidate } from './candidates.js';

export interface StepDraft {
  readonly kind: StepKind;
  readonly container: string | null;
  readonly init: boolean;
  readonly attempt: number;
  readonly starts: Candidate[];
  readonly ends: Candidate[];
  status: StepStatus;
  message: string;
  yamlPath: string | null;
  count: number;
}

export class StepDrafts {
  private readonly list: StepDraft[] = [];

  /**
   * The draft of this step, made on first use. The key leaves `init` out: a pod cannot have an init
   * and an app container of one name, and `init` is the value given when the draft is made.
   */
  get(kind: StepKind, container: string | null = null, init = false, attempt = 0): StepDraft {
    let d = this.list.find((x) => x.kind === kind && x.container === container && x.attempt === attempt);
    if (!d) {
      d = {
        kind,
        container,
        init,
        attempt,
        starts: [],
        ends: [],
        status: 'done',
        message: '',
        yamlPath: null,
        count: 1,
      };
      this.list.push(d);
    }
    return d;
  }

  /** The first draft made that matches, if any. */
  find(pred: (d: StepDraft) => boolean): StepDraft | undefined {
    return this.list.find(pred);
  }

  /** The best end of the first draft that matches: the moment a later step starts from. */
  bestEnd(pred: (d: StepDraft) => boolean): Candidate | null {
    return best(this.find(pred)?.ends ?? []);
  }

  /** Every draft, in the order they were made. */
  all(): readonly StepDraft[] {
    return this.list;
  }
}
