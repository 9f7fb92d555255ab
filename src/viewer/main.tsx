/**
 * The standalone viewer: one static HTML file that opens a capture (or a HAR) from a file picker or
 * drag-and-drop and shows it with the panel's own components. No network, no extension APIs; it
 * works from file:// for teammates who do not have the extension.
 */
import { render } from 'preact';
import { useSignal } from '@preact/signals';
import { FileOpener, OPEN_CAPTURE_INPUT_ID } from '../ui/components/FileOpener.js';
import { selectedView, Workspace } from '../ui/components/Workspace.js';
import { createTimelineStore, type TimelineStore } from '../ui/store/timeline-store.js';
import { createViewStore, type ViewStore } from '../ui/store/view-store.js';
import { createLayoutStore, pageStorage, type LayoutStore } from '../ui/store/layout-store.js';
import { TOOL_VERSION } from '../core/version.js';

function Viewer({ store, view, layout }: { store: TimelineStore; view: ViewStore; layout: LayoutStore }) {
  const showCode = useSignal(false);
  const { list, selected } = selectedView(store, view);
  return (
    <div class="app">
      <header class="toolbar">
        <strong class="brand">SSE DevTools viewer</strong>
        <span class="sep" />
        <FileOpener
          onOpen={(capture, name) => {
            const [first] = store.addCapture(capture, name);
            if (first) view.selectedConnection.value = first;
          }}
        />
        <button class={showCode.value ? 'on' : ''} data-testid="copy-as-code-button" disabled={!selected} onClick={() => (showCode.value = !showCode.value)}>
          Copy as code
        </button>
        <span class="spacer" />
        <span class="hint">
          {list.length === 0 ? 'Open a capture file or drop one here.' : `${list.length} connection${list.length === 1 ? '' : 's'}`} · v{TOOL_VERSION}
        </span>
      </header>
      <Workspace
        store={store}
        view={view}
        layout={layout}
        live={null}
        showCode={showCode.value}
        onCloseCode={() => (showCode.value = false)}
        empty="Open a capture file (or a HAR file) to see its timeline."
        emptyConnections={
          <div class="viewer-empty" data-testid="viewer-empty">
            <p>No capture open.</p>
            <button class="primary" onClick={() => document.getElementById(OPEN_CAPTURE_INPUT_ID)?.click()}>
              Open capture…
            </button>
            <p>or drop a capture (.json) or a HAR file anywhere on this page. Nothing leaves your machine.</p>
          </div>
        }
      />
    </div>
  );
}

document.documentElement.dataset.theme = new URLSearchParams(location.search).get('theme') === 'dark' || matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
const root = document.getElementById('root')!;
root.replaceChildren();
render(<Viewer store={createTimelineStore()} view={createViewStore()} layout={createLayoutStore(pageStorage())} />, root);
