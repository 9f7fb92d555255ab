/**
 * The HTTP version of each origin the inspected page talks to, from DevTools' network log (shaped
 * as Chromium's getHAR() returns it): what lets the doctor leave HTTP/2 and /3 streams out of the
 * six-connections finding. The log is hostile: odd values are left out, never thrown on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpVersionsInHar } from '../../src/core/observe/http-versions.js';

const entry = (url: string, httpVersion: unknown, status: unknown = 200) => ({ request: { url, method: 'GET' }, response: { status, httpVersion } });

test('each origin takes the version of its latest answered request, named as DevTools names it', () => {
  const har = {
    entries: [
      entry('http://127.0.0.1:8080/page', 'http/1.1'),
      entry('https://api.example/stream?token=x', 'h2'),
      entry('https://api.example/other', 'h3'),
      // A stream still waiting for its answer says nothing yet.
      entry('http://127.0.0.1:8080/events', '', 0),
      entry('https://old.example/', 'HTTP/1.1'),
    ],
  };
  assert.deepEqual(Object.fromEntries(httpVersionsInHar(har)), { 'http://127.0.0.1:8080': 'HTTP/1.1', 'https://api.example': 'h3', 'https://old.example': 'HTTP/1.1' });
  assert.equal(httpVersionsInHar({ log: har }).get('https://api.example'), 'h3', 'a whole HAR file reads the same');
});

test('hostile logs: no entries, wrong types, versions that are not versions, bad URLs', () => {
  for (const har of [null, 1, 'x', {}, { entries: 'no' }, { entries: [null, 1, {}, { request: 1, response: 2 }] }]) assert.equal(httpVersionsInHar(har).size, 0);
  const odd = { entries: [entry('http://a.test/', '<b>h2</b>'), entry('http://b.test/', 2), entry('not a url', 'h2'), entry('http://c.test/', 'h2', '200'), entry(`http://d.test/${'x'.repeat(2 * 1024 * 1024)}`, 'h2')] };
  assert.equal(httpVersionsInHar(odd).size, 0);
});
