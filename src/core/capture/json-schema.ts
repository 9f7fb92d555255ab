import * as z from 'zod';
import { captureSchema } from './schema.js';

/** The JSON Schema (draft 2020-12) of capture files, generated from the validator itself. */
export function captureJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://sse-devtools.dev/schema/capture-v1.json',
    title: 'SSE DevTools capture file, version 1',
    description: 'See docs/capture-format.md. Limits on sizes are part of the schema.',
    ...z.toJSONSchema(captureSchema, { target: 'draft-2020-12', io: 'input' }),
  };
}

export const JSON_SCHEMA_PATH = 'docs/capture-format.schema.json';
