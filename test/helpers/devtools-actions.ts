/**
 * What a user does in the SSE panel inside the real DevTools (recipe B, devtools.ts), shared by the
 * devtools-*.test.ts files so a change to the panel's form is followed in one place.
 *
 * The panel is asked for through `panel()` on every action: `setTheme` and `reload` replace the
 * panel's frame, and a handle to the old one would act on a detached frame.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementHandle, Frame } from 'puppeteer-core';
import type { DevtoolsSession } from './devtools.js';

export const byTestId = (id: string): string => `[data-testid="${id}"]`;

const SELECTED = '[data-testid="connection-item"][aria-selected="true"]';

/**
 * `visible`: wait for a field to be shown, not only present. Where the panes are tabs (a narrow
 * panel), a field in a pane that is not shown is in the DOM but cannot be clicked or typed into.
 */
export function panelActions(panel: () => Frame, guardMs: number, { visible = false }: { visible?: boolean } = {}) {
  async function field(testId: string, index = 0): Promise<ElementHandle> {
    const first = await panel().waitForSelector(byTestId(testId), { timeout: guardMs, visible });
    const handle = index === 0 ? first : (await panel().$$(byTestId(testId)))[index];
    assert.ok(handle, `no ${visible ? 'visible ' : ''}${testId} #${index} in the panel`);
    return handle;
  }

  /** Replaces a field's text by typing, as a user does: click, select what is there, type over it. */
  async function fill(testId: string, value: string, index = 0): Promise<void> {
    const input = await field(testId, index);
    await input.click();
    await input.evaluate((el) => (el as HTMLInputElement).select());
    if (value === '') await input.press('Backspace');
    else await input.type(value);
    assert.equal(await input.evaluate((el) => (el as HTMLInputElement).value), value, `${testId} holds what was typed`);
  }

  /** Where the layout has tabs, shows the one holding `pane`; side by side, every pane is already shown. */
  async function showPane(pane: 'connections' | 'timeline' | 'detail' | 'health'): Promise<void> {
    const tab = await panel().$(byTestId(`pane-tab-${pane}`));
    if (!tab || !(await tab.isVisible())) return;
    // Where the click really landed, for the failure message: a panel that moved under the pointer shows here.
    await panel().evaluate(() => {
      const w = window as unknown as { clickedOn?: string };
      w.clickedOn = '(no click reached the panel)';
      document.addEventListener('click', (e) => (w.clickedOn = (e.target as Element).closest('[data-testid]')?.getAttribute('data-testid') ?? (e.target as Element).tagName), { capture: true, once: true });
    });
    await tab.click();
    await panel().waitForSelector(`${byTestId(`pane-tab-${pane}`)}[aria-selected="true"]`, { timeout: guardMs }).catch(async (e: unknown) => {
      const state = await panel().evaluate(() => ({ clickedOn: (window as unknown as { clickedOn?: string }).clickedOn, layout: document.querySelector('.main')?.className }));
      throw new Error(`the ${pane} tab was not selected: the click landed on ${state.clickedOn}; layout "${state.layout}"`, { cause: e });
    });
  }

  async function formShown(): Promise<boolean> {
    return (await (await panel().$(byTestId('connect-form')))?.isVisible()) ?? false;
  }

  /** A successful Connect folds the form away: opens it again as a user would ("+ New connection"). */
  async function openForm(): Promise<void> {
    await showPane('connections');
    if (!(await formShown())) await (await field('toggle-form')).click();
    await field('connect-form');
  }

  /** Resolves once the connection to `url` is the selected one: earlier connections stay listed, so a count would not tell. */
  async function pressConnect(url: string): Promise<void> {
    await (await field('connect-button')).click();
    await panel().waitForFunction(
      (selected: string, u: string) => [...document.querySelectorAll(`${selected} .label`)].some((l) => l.getAttribute('title') === u),
      { timeout: guardMs },
      SELECTED,
      url,
    );
  }

  // A connection the server already stopped has no Disconnect button: nothing to wait for.
  async function disconnectSelected(): Promise<void> {
    const button = await panel().$(`${SELECTED} [data-testid="disconnect-button"]`);
    if (!button) return;
    await button.click();
    await panel().waitForSelector(`${SELECTED}[data-phase="closed"]`, { timeout: guardMs });
  }

  return { field, fill, showPane, formShown, openForm, pressConnect, disconnectSelected };
}

/** "Export selected" in the panel (through its dialog when it asks), the capture copied to a file of its own. */
export async function exportSelected(session: DevtoolsSession, guardMs: number): Promise<string> {
  const { field } = panelActions(() => session.panel, guardMs);
  const download = session.expectDownload();
  await (await field('export-selected')).click();
  const dialog = await Promise.race([download.then(() => null), session.panel.waitForSelector(byTestId('export-dialog'), { timeout: guardMs })]);
  if (dialog) await (await field('export-save')).click();
  const saved = await download;
  const path = join(mkdtempSync(join(tmpdir(), 'sse-export-')), 'capture.json');
  copyFileSync(saved.path, path);
  return path;
}
