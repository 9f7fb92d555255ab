/** The panel: the toolbar and connect form around the shared Workspace, wired to the background. */
import { useSignal, type Signal } from '@preact/signals';
import { useState } from 'preact/hooks';
import type { CaptureFile, CaptureSource } from '../../core/capture/format.js';
import { checkUrl, type ConnectionConfig, type FieldError } from '../../core/config.js';
import { retentionProblem } from '../../core/settings.js';
import type { Bridge } from './bridge.js';
import { requestHostAccess } from './permissions.js';
import type { ConnView, TimelineStore } from '../../ui/store/timeline-store.js';
import type { ViewStore } from '../../ui/store/view-store.js';
import { ConnectForm } from '../../ui/components/ConnectForm.js';
import { ExportDialog } from '../../ui/components/ExportDialog.js';
import { FileOpener } from '../../ui/components/FileOpener.js';
import { selectedView, Workspace, type LiveActions } from '../../ui/components/Workspace.js';

/**
 * The toolbar's buttons that depend on the connections. They read the store's revision here, not in
 * App, so a frame of new entries re-renders them and the Workspace but never the connect form.
 */
function SelectionActions({ store, view, showCode, onExport, onOpen }: { store: TimelineStore; view: ViewStore; showCode: Signal<boolean>; onExport(views: ConnView[]): void; onOpen(capture: CaptureFile, name: string): void }) {
  const { list, selected } = selectedView(store, view);
  return (
    <>
      <button data-testid="export-selected" disabled={!selected} onClick={() => selected && onExport([selected])} title="Save the selected connection as a capture file">
        Export selected
      </button>
      <button data-testid="export-all" disabled={list.length === 0} onClick={() => onExport(list)} title="Save every connection as one capture file">
        Export all
      </button>
      <FileOpener onOpen={onOpen} />
      <button class={showCode.value ? 'on' : ''} data-testid="copy-as-code-button" disabled={!selected} onClick={() => (showCode.value = !showCode.value)} title="The selected connection as curl, browser, Android or iOS code">
        Copy as code
      </button>
    </>
  );
}

export function App({ store, view, bridge }: { store: TimelineStore; view: ViewStore; bridge: Bridge }) {
  const showForm = useSignal(true);
  const showCode = useSignal(false);
  const exporting = useSignal<ConnView[] | null>(null);
  const [capDraft, setCapDraft] = useState<string | null>(null);

  const live: LiveActions = {
    disconnect: (id) => bridge.send({ type: 'disconnect', connectionId: id }),
    reconnect: (id) => bridge.send({ type: 'reconnect', connectionId: id }),
    remove: (id) => bridge.send({ type: 'remove', connectionId: id }),
    fault: (id, fault) => bridge.send({ type: 'fault', connectionId: id, fault }),
    stopFault: (id, kind) => bridge.send({ type: 'stop-fault', connectionId: id, kind }),
    secrets: (id) => bridge.secrets(id),
  };

  async function unmasked(v: ConnView): Promise<CaptureSource | null> {
    if (v.imported !== null) return null;
    const secrets = await bridge.secrets(v.info.id);
    if (secrets.url === null) return null;
    return { id: v.info.id, config: { ...v.info.config, url: secrets.url, headers: secrets.headers, body: secrets.body }, entries: v.entries };
  }

  async function connect(config: ConnectionConfig): Promise<FieldError[]> {
    // Asked first, synchronously in the click, or the browser refuses for want of a user gesture.
    const access = checkUrl(config.url) === null ? requestHostAccess(config.url) : Promise.resolve(true);
    if (!(await access)) return [{ field: 'url', message: `Access to ${new URL(config.url).origin} was not granted, so SSE DevTools cannot connect to it.` }];
    const result = await bridge.connect(config);
    if (result.connectionId) select(result.connectionId);
    return result.errors;
  }

  function select(id: string): void {
    view.selectedConnection.value = id;
    view.selectedSeq.value = null;
    view.showAll();
  }

  const settings = store.settings.value;
  const capError = capDraft === null ? null : retentionProblem(capDraft);
  const saveCap = () => {
    if (!capError && capDraft !== null) bridge.setSettings({ maxEntriesPerConnection: Number(capDraft) });
    setCapDraft(null);
  };

  return (
    <div class="app">
      <header class="toolbar">
        <button class={showForm.value ? 'on' : ''} data-testid="toggle-form" onClick={() => (showForm.value = !showForm.value)} title="Show or hide the connection form">
          + New connection
        </button>
        <span class="sep" />
        <SelectionActions store={store} view={view} showCode={showCode} onExport={(views) => (exporting.value = views)} onOpen={(capture, name) => store.addCapture(capture, name).slice(0, 1).forEach(select)} />
        <span class="spacer" />
        {settings && (
          <label class="cap" title="Entries kept per connection; past it the oldest are dropped and the timeline says how many">
            keep
            <input
              class={`num ${capError ? 'invalid' : ''}`}
              data-testid="cap-input"
              value={capDraft ?? String(settings.maxEntriesPerConnection)}
              onInput={(e) => setCapDraft(e.currentTarget.value)}
              onKeyDown={(e) => e.key === 'Enter' && saveCap()}
              onBlur={saveCap}
            />
            entries/connection
            {capError && <span class="field-error inline">{capError}</span>}
          </label>
        )}
        <span class={`status ${store.connected.value ? 'ok' : 'down'}`} data-testid="background-status" title={store.connected.value ? 'Connected to the background' : 'Reconnecting to the background…'}>
          {store.connected.value ? '●' : '○ reconnecting'}
        </span>
      </header>
      <Workspace
        store={store}
        view={view}
        live={live}
        showCode={showCode.value}
        onCloseCode={() => (showCode.value = false)}
        sidebarTop={showForm.value ? <ConnectForm onConnect={connect} /> : null}
        empty="Connect to a stream, or open a capture, to see its timeline."
      />
      {exporting.value && <ExportDialog views={exporting.value} unmasked={unmasked} onClose={() => (exporting.value = null)} />}
    </div>
  );
}
