/**
 * The grant page: where Firefox users allow host access, because Firefox gives DevTools panels no
 * permissions API. The background opens it with ?origin=<match pattern>.
 */
import browser from 'webextension-polyfill';

const PATTERN = /^https?:\/\/[^/*\s]+\/\*$/;
const params = new URLSearchParams(location.search);
const origin = params.get('origin') ?? '';
/** Firefox's complete capture: access to the page's origin, so its responses can be filtered. */
const complete = params.get('complete') === '1';
/** Observing the inspected tab's iframes: the hook has to run in this site's frames. */
const frames = params.get('frames') === '1';
const text = document.getElementById('origin')!;
const button = document.getElementById('allow') as HTMLButtonElement;
const result = document.getElementById('result')!;

if (!PATTERN.test(origin)) {
  text.textContent = '(no valid origin was given)';
  button.disabled = true;
} else {
  text.textContent = origin.replace(/\/\*$/, '');
  if (complete) {
    document.getElementById('why')!.textContent =
      'Complete capture filters the responses of this site in the inspected tab (webRequest.filterResponseData): every byte is passed on to the page unchanged and copied to SSE DevTools. While it is on, the page\'s reader.cancel() does not close its stream (abort() and EventSource.close() still do).';
  }
  if (frames) {
    document.getElementById('why')!.textContent =
      'Observing the inspected tab\'s iframes runs SSE DevTools\' page hook in the frames of this site (only in the tab you observe, while you observe it), to see the streams they open.';
  }
  button.addEventListener('click', () => {
    // Called straight from the click: the browser requires a user gesture.
    void browser.permissions.request({ origins: [origin] }).then((granted) => {
      const again = complete ? 'switch Complete capture on again' : frames ? 'press Reload and observe' : 'press Connect again';
      result.textContent = granted ? `Access granted. Go back to DevTools and ${again}; you can close this tab.` : `Access was not granted, so SSE DevTools cannot ${complete ? 'capture this site\'s streams' : frames ? 'observe this site\'s frames' : 'connect to this site'}.`;
      result.className = granted ? 'ok' : 'error';
    });
  });
}
