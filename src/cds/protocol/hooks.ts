/** The CDS Hooks this service answers (Hook Library 1.0.1). */
export const HOOKS = ['patient-view', 'order-select', 'order-sign'] as const;
export type HookName = (typeof HOOKS)[number];
