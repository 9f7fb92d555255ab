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
// Whether this tab is observed decides whether the observe bar sits above everything: known before the
// first paint, it does not appear a moment later and move every button down under the pointer (a click
// meant for a tab landed on the bar). A slow answer does not hold the panel back for long.
const FIRST_PAINT_WAIT_MS = 1000;
await Promise.race([observer.settled, new Promise((resolve) => setTimeout(resolve, FIRST_PAINT_WAIT_MS))]);
// Preact 11's render keeps existing children; the static "loading" text must go.
root.replaceChildren();
render(<App store={store} view={view} layout={createLayoutStore(pageStorage())} bridge={bridge} observer={observer} complete={complete} httpVersions={versions} />, root);
