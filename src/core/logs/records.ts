// What the line parsers hand to the stateful parser before a time and the raw text are attached.

import type { CriRecord, KubeletRecord } from '../model.js';

/** containerd 1.7+/2.x `Pulled image "<ref>" with image id …, size "…" in <dur>`; 1.6 has it at debug only. */
export interface PullDetail {
  readonly ref: string;
  readonly imageId: string;
  readonly repoTag?: string;
  readonly repoDigest?: string;
  readonly sizeBytes?: number;
  /** The pull duration containerd measured itself, in milliseconds. */
  readonly durationMs?: number;
}

/** A PullImage end record that carries the matching `Pulled image` detail (not in CriRecord itself). */
export type CriRecordWithPull = CriRecord & { readonly pull?: PullDetail };

export type CriDraft = Omit<CriRecord, 'type' | 'runtime' | 'time' | 'raw'>;
export type KubeletDraft = Omit<KubeletRecord, 'type' | 'time' | 'raw'>;

/** CRI-O's `Got pod network &{Name:… Namespace:… ID:<sandbox> UID:<pod uid> …}`: the only place it names the pod UID. */
export interface SandboxHint {
  readonly sandboxId: string;
  readonly uid: string;
}

export type RuntimeItem =
  | { readonly kind: 'cri'; readonly draft: CriDraft }
  | { readonly kind: 'pulled'; readonly detail: PullDetail }
  | { readonly kind: 'sandbox-hint'; readonly hint: SandboxHint };
