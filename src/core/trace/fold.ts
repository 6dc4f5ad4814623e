// A fold reads one kind of evidence from the pod view and adds what it shows to the step drafts:
// time candidates, and the status, message, count and manifest path of the steps it is about. Folds
// never read the TraceState and never build Steps; build.ts runs them in a fixed order.

import type { StepDrafts } from './drafts.js';
import type { ContainerView, PodView } from './pod-view.js';

/** A fold about the pod as a whole (creation, scheduling, sandbox, conditions…). */
export type PodFold = (view: PodView, drafts: StepDrafts) => void;

/** A fold about one container; build.ts runs the container folds for each container in birth order. */
export type ContainerFold = (view: PodView, c: ContainerView, drafts: StepDrafts) => void;
