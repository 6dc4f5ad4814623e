// The diagram panel's view type: contributed in package.json (activation event), registered at
// activation (the panel serializer) and used by diagram-panel.ts, which lives in a lazy bundle.
export const DIAGRAM_VIEW_TYPE = 'podBirth.diagram';
