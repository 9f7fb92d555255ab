/**
 * The panel's line to the background: a runtime Port that is re-opened when it drops (Chrome
 * disconnects it when it stops the service worker; connecting again starts the worker).
 */
import { signal, type Signal } from '@preact/signals';
import browser from 'webextension-polyfill';
import type { ConnectionConfig, FieldError } from '../../core/config.js';
import { PANEL_PORT, isPanelMessage, type BackgroundMessage, type ObservedFrame, type ObservedIntake, type PanelMessage, type RevealedSecrets } from '../../protocol/messages.js';
import type { Settings } from '../../core/settings.js';
import type { TimelineStore } from '../../ui/store/timeline-store.js';

export interface CompleteCaptureState {
  tabId: number;
  on: boolean;
  why: string | null;
}

export interface Bridge {
  send(message: PanelMessage): void;
  /** What the background made of this panel's forwarded drains, latest first. */
  intake: Signal<ObservedIntake | null>;
  /** The background's last word on complete capture, for whichever tab. */
  complete: Signal<CompleteCaptureState | null>;
  /** Runs each time the port is opened again after it dropped (the background may have restarted and forgotten what it was doing). */
  onReopen(listener: () => void): void;
  /** The observed tab's iframes as the background's drains last found them. */
  frames: Signal<{ tabId: number; frames: ObservedFrame[] } | null>;
  connect(config: ConnectionConfig): Promise<{ connectionId: string | null; errors: FieldError[] }>;
  setSettings(settings: Settings): void;
  secrets(connectionId: string): Promise<RevealedSecrets>;
}

export function createBridge(store: TimelineStore): Bridge {
  let port: browser.Runtime.Port | null = null;
  let retryMs = 100;
  const waiting = new Map<string, (r: { connectionId: string | null; errors: FieldError[] }) => void>();
  const waitingSecrets = new Map<string, (r: RevealedSecrets) => void>();
  let nextRequest = 0;
  const intake = signal<ObservedIntake | null>(null);
  const complete = signal<CompleteCaptureState | null>(null);
  const reopenListeners: (() => void)[] = [];
  let opened = false;
  const frames = signal<{ tabId: number; frames: ObservedFrame[] } | null>(null);

  function open(): void {
    port = browser.runtime.connect({ name: PANEL_PORT });
    port.onMessage.addListener((raw: unknown) => {
      const message = raw as BackgroundMessage;
      retryMs = 100;
      store.connected.value = true;
      if (message.type === 'connect-result') {
        waiting.get(message.requestId)?.({ connectionId: message.connectionId, errors: message.errors });
        waiting.delete(message.requestId);
        return;
      }
      if (message.type === 'observed-intake') {
        intake.value = message;
        return;
      }
      if (message.type === 'observed-frames') {
        frames.value = { tabId: message.tabId, frames: message.frames };
        return;
      }
      if (message.type === 'complete-capture-state') {
        complete.value = { tabId: message.tabId, on: message.on, why: message.why };
        return;
      }
      if (message.type === 'secrets') {
        waitingSecrets.get(message.requestId)?.({ url: message.url, headers: message.headers, body: message.body, bodyCut: message.bodyCut === true });
        waitingSecrets.delete(message.requestId);
        return;
      }
      store.apply(message);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      store.connected.value = false;
      // A stopped worker forgot its complete capture (and Chrome may have detached its debugger):
      // not "on" until the background says so again.
      if (complete.value?.on) complete.value = { ...complete.value, on: false, why: null };
      // Answers to requests on this port will never come: settle them so no form waits forever.
      for (const resolve of waiting.values()) resolve({ connectionId: null, errors: [{ field: 'url', message: 'The background restarted before answering; press Connect again.' }] });
      waiting.clear();
      for (const resolve of waitingSecrets.values()) resolve({ url: null, headers: [], body: null, bodyCut: false });
      waitingSecrets.clear();
      setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 2000);
    });
    port.postMessage({ type: 'hello' } satisfies PanelMessage);
    if (opened) for (const listener of reopenListeners) listener();
    opened = true;
  }

  function send(message: PanelMessage): void {
    if (!isPanelMessage(message)) return;
    // While reconnecting, the reopened port sends hello and gets everything; a lost command is
    // better than a second port.
    port?.postMessage(message);
  }

  open();
  return {
    send,
    intake,
    complete,
    onReopen(listener) {
      reopenListeners.push(listener);
    },
    frames,
    connect(config) {
      const requestId = `r${nextRequest++}`;
      if (!port) return Promise.resolve({ connectionId: null, errors: [{ field: 'url', message: 'Reconnecting to the background; press Connect again in a moment.' }] });
      return new Promise((resolve) => {
        waiting.set(requestId, resolve);
        send({ type: 'connect', requestId, config });
      });
    },
    setSettings(settings) {
      send({ type: 'settings', settings });
    },
    secrets(connectionId) {
      const requestId = `s${nextRequest++}`;
      if (!port) return Promise.resolve({ url: null, headers: [], body: null, bodyCut: false });
      return new Promise((resolve) => {
        waitingSecrets.set(requestId, resolve);
        send({ type: 'get-secrets', requestId, connectionId });
      });
    },
  };
}
