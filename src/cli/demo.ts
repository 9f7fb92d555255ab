/** `sse-devtools demo`: the scenario server for people to point their clients at. */
import { curlLines } from '../servers/catalog.js';
import { DEFAULT_TOKEN, HELP, startScenarioServer } from '../servers/scenario-server.js';
import { parseOptions, UsageError, type Io, type OptionSpecs } from './command.js';

export const DEMO_HELP = `Usage: sse-devtools demo [--port N] [--token T | --no-auth] [--max-duration MS] [--interval MS]
                         [--heartbeat MS]

Starts the demo SSE server on 127.0.0.1 (default port 8787) until Ctrl-C.
  --port N            port to listen on (0 picks a free one)
  --token T           Bearer token clients must send (default ${DEFAULT_TOKEN})
  --no-auth           accept requests without a token
  --max-duration MS   end every stream after MS, as a load balancer would (default: never)
  --interval MS       time between events (default 1000)
  --heartbeat MS      heartbeat comment interval (default 15000; 0 for none)
  -h, --help          show this help
`;

function int(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} takes a whole number, not "${raw}"`);
  return Number(raw);
}

export const DEMO_OPTIONS = {
  port: { type: 'string' },
  token: { type: 'string' },
  'no-auth': { type: 'boolean' },
  'max-duration': { type: 'string' },
  interval: { type: 'string' },
  heartbeat: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export async function runDemo(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, DEMO_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`demo takes no arguments besides options, not "${positionals[0]}"`);
  if (values.help) {
    io.out(DEMO_HELP);
    return 0;
  }
  const token = values['no-auth'] ? null : (values.token ?? DEFAULT_TOKEN);
  let server;
  try {
    server = await startScenarioServer({
      port: int('port', values.port) ?? 8787,
      token,
      maxDurationMs: int('max-duration', values['max-duration']) ?? 0,
      intervalMs: int('interval', values.interval) ?? 1000,
      heartbeatMs: int('heartbeat', values.heartbeat) ?? 15000,
    });
  } catch (err) {
    io.err(`could not start the demo server: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  io.out(`SSE demo server on ${server.url}  (Ctrl-C to stop)\n`);
  io.out(HELP);
  const auth = token === null ? '' : ` -H 'Authorization: Bearer ${token}'`;
  io.out(`Try:\n  curl -N${auth} ${server.url}/events\n  npx sse-devtools capture ${server.url}/events${auth}\n`);
  io.out(`The imitated LLM and MCP streams (or open ${server.url}/ in a browser for a button each):\n${curlLines(server.url, token).join('\n')}\n`);
  await new Promise<void>((resolve) => {
    io.onSignal('SIGINT', resolve);
    io.onSignal('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
