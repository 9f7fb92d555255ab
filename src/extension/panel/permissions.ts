/**
 * Host access is asked for per origin when the user connects. Chrome lets a DevTools panel call
 * permissions.request during the click; Firefox gives panels no permissions API, so there the
 * background checks and, if access is missing, opens the extension's grant page in a tab.
 */
import browser from 'webextension-polyfill';
import { originPattern } from '../../core/config.js';

export interface HostAccess {
  /** Settles when the browser answers: true once access is granted (or where the panel cannot ask, and the background decides). */
  granted: Promise<boolean>;
  /**
   * True when the extension holds the access already, so no prompt will come. When false the
   * browser may show a prompt, or none at all (a window in the background, a headless browser):
   * the user must be told what the panel waits for, and be able to stop waiting.
   */
  held: Promise<boolean>;
}

/**
 * Must be called synchronously from the click handler, before any await, or Chrome refuses it
 * for want of a user gesture.
 */
export function requestHostAccess(url: string): HostAccess {
  const permissions = (browser as { permissions?: typeof browser.permissions }).permissions;
  if (!permissions?.request) return { granted: Promise.resolve(true), held: Promise.resolve(true) };
  const origins = [originPattern(url)];
  return {
    granted: permissions.request({ origins }).catch(() => true),
    held: permissions.contains({ origins }).catch(() => true),
  };
}
