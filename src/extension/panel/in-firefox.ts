/**
 * Whether the panel runs in Firefox. Its DevTools panel pages get a reduced API (no
 * `runtime.getBrowserInfo`, no `webRequest`: checked in Firefox ESR 153's toolbox), so the panel
 * page's own scheme says which browser it is in.
 */
export const inFirefox = (): boolean => globalThis.location?.protocol === 'moz-extension:';
