/** The devtools page: registers the "SSE" panel, nothing else. */
import browser from 'webextension-polyfill';

void browser.devtools.panels.create('SSE', 'icons/icon-32.png', 'panel.html');
