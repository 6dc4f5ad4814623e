// The webview panels' view types: contributed in package.json (activation events), registered at
// activation (the panel serializers) and used by diagram-panel.ts and rollout-panel.ts, which live in
// a lazy bundle.
export const DIAGRAM_VIEW_TYPE = 'podBirth.diagram';
export const ROLLOUT_VIEW_TYPE = 'podBirth.rollout';
