/** The replay server streams from a cursor per client and waits for a slow client instead of buffering for it. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createParser } from 'eventsource-parser';
import { startReplayServer } from '../../src/servers/replay-server.js';
import { sleep } from '../helpers/raw-server.js';
import { bulkCapture } from '../helpers/captures.js';

const EVENTS = 30_000;

test('a client that does not read makes the replay wait, not buffer; once it reads it gets every event', async () => {
  // 30 MB of events, more than the kernel's socket buffers can absorb.
  const replay = await startReplayServer({ capture: bulkCapture(EVENTS, 1000), speed: 0 });
  const socket = connect(replay.port, '127.0.0.1');
  try {
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    // HTTP/1.0: the body comes unframed (no chunked encoding) and ends when the server closes.
    socket.write('GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    // Settle: the server fills the socket buffers and then has to either wait or queue the rest.
    for (let i = 0; i < 100 && replay.bufferedBytes() === 0; i++) await sleep(20);
    await sleep(500);
    const backlog = replay.bufferedBytes();
    assert.ok(backlog < 1024 * 1024, `the server queued ${backlog} bytes for a client that does not read`);

    let events = 0;
    let lastId = '';
    const parser = createParser({
      onEvent: (e) => {
        events++;
        lastId = e.id ?? lastId;
      },
    });
    let head = true;
    let pending = '';
    socket.setEncoding('utf8');
    const done = new Promise<void>((resolve) => socket.on('end', resolve).on('close', resolve));
    socket.on('data', (chunk: string) => {
      if (head) {
        pending += chunk;
        const at = pending.indexOf('\r\n\r\n');
        if (at < 0) return;
        head = false;
        chunk = pending.slice(at + 4);
      }
      parser.feed(chunk);
    });
    socket.resume();
    await done;
    assert.equal(events, EVENTS);
    assert.equal(lastId, String(EVENTS));
  } finally {
    socket.destroy();
    await replay.close();
  }
});
