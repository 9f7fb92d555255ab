/**
 * The MCP specification asks a Streamable HTTP server to check `Origin` (DNS rebinding: a page on
 * another site must not drive a local MCP server through the user's browser). Allowed: no Origin
 * (curl, Node, the CLI), the server's own origin (the demo page), and the extension's own pages.
 */
const EXTENSION_ORIGIN = /^(chrome-extension|moz-extension):\/\/[A-Za-z0-9._-]+$/;

export function originAllowed(origin: string | undefined, own: string): boolean {
  if (origin === undefined) return true;
  if (origin === own || EXTENSION_ORIGIN.test(origin)) return true;
  const port = new URL(own).port;
  return origin === `http://localhost:${port}`;
}
