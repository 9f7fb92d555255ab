/**
 * Host access is asked for per origin when the user connects. Chrome lets a DevTools panel call
 * permissions.request during the click; Firefox gives panels no permissions API, so there the
 * background checks and, if access is missing, opens the extension's grant page in a tab.
 */
import browser from 'webextension-polyfill';
import { originPattern } from '../../core/config.js';

/**
 * Must be called synchronously from the click handler, before any await, or Chrome refuses it
 * for want of a user gesture. Resolves true where the panel cannot ask (the background decides).
 */
export function requestHostAccess(url: string): Promise<boolean> {
  const permissions = (browser as { permissions?: typeof browser.permissions }).permissions;
  if (!permissions?.request) return Promise.resolve(true);
  return permissions.request({ origins: [originPattern(url)] }).catch(() => true);
}
