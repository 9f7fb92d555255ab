/** The retention setting's check says what the field is, as the toolbar labels it, and its range. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retentionProblem } from '../../src/core/settings.js';

test('a retention cap out of range is refused with a message that names the setting and its range', () => {
  assert.equal(retentionProblem('100000'), null);
  for (const bad of ['999', '500001', '1.5', 'lots']) assert.equal(retentionProblem(bad), 'Entries kept per connection must be a whole number from 1,000 to 500,000', bad);
});
