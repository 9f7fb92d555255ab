/**
 * The grant page: where Firefox users allow host access, because Firefox gives DevTools panels no
 * permissions API. The background opens it with ?origin=<match pattern>.
 */
import browser from 'webextension-polyfill';

const PATTERN = /^https?:\/\/[^/*\s]+\/\*$/;
const origin = new URLSearchParams(location.search).get('origin') ?? '';
const text = document.getElementById('origin')!;
const button = document.getElementById('allow') as HTMLButtonElement;
const result = document.getElementById('result')!;

if (!PATTERN.test(origin)) {
  text.textContent = '(no valid origin was given)';
  button.disabled = true;
} else {
  text.textContent = origin.replace(/\/\*$/, '');
  button.addEventListener('click', () => {
    // Called straight from the click: the browser requires a user gesture.
    void browser.permissions.request({ origins: [origin] }).then((granted) => {
      result.textContent = granted ? 'Access granted. Go back to DevTools and press Connect again; you can close this tab.' : 'Access was not granted, so SSE DevTools cannot connect to this site.';
      result.className = granted ? 'ok' : 'error';
    });
  });
}
