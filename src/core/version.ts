declare const __SSE_DEVTOOLS_VERSION__: string;

/** Injected by the build from package.json, so captures say which tool wrote them. */
export const TOOL_VERSION: string = typeof __SSE_DEVTOOLS_VERSION__ === 'string' ? __SSE_DEVTOOLS_VERSION__ : '0.0.0-dev';
