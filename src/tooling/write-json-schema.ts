/** `npm run schema`: regenerates docs/capture-format.schema.json from the validator. */
import { writeFileSync } from 'node:fs';
import { captureJsonSchema, JSON_SCHEMA_PATH } from '../core/capture/json-schema.js';

writeFileSync(JSON_SCHEMA_PATH, `${JSON.stringify(captureJsonSchema(), null, 2)}\n`);
console.log(`wrote ${JSON_SCHEMA_PATH}`);
