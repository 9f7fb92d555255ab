/** The panel entry: the same page runs inside DevTools and as a plain extension tab. */
import { render } from 'preact';
import { createBridge } from './bridge.js';
import { App } from './App.js';
import { createObserver } from './observe.js';
import { createCompleteControl } from './complete.js';
import { createHttpVersions } from './http-versions.js';
import { detectTheme, onThemeChange } from './host.js';
import { createTimelineStore } from '../../ui/store/timeline-store.js';
import { createViewStore } from '../../ui/store/view-store.js';
import { createLayoutStore, pageStorage } from '../../ui/store/layout-store.js';

document.documentElement.dataset.theme = detectTheme();
onThemeChange((theme) => (document.documentElement.dataset.theme = theme));
const store = createTimelineStore();
const view = createViewStore();
const bridge = createBridge(store);
const observer = createObserver(bridge);
const complete = createCompleteControl(bridge, observer);
const { versions } = createHttpVersions(store);
const root = document.getElementById('root')!;
// Preact 11's render keeps existing children; the static "loading" text must go.
root.replaceChildren();
render(<App store={store} view={view} layout={createLayoutStore(pageStorage())} bridge={bridge} observer={observer} complete={complete} httpVersions={versions} />, root);
