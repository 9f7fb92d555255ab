/**
 * The fault lab for the selected connection: pick a simulation, set its number, start it; what is
 * in force shows as chips that stop it. Every start and stop lands in the timeline. A simulation
 * that means nothing in the connection's phase (a drop while it waits to reconnect) cannot be
 * started, and says why.
 */
import { useState } from 'preact/hooks';
import { describeFault, faultRefusal, validateFault, type Fault, type FaultKind } from '../../core/faults.js';
import { PROXY_PRESETS } from '../../core/proxy-presets.js';
import type { ConnectionState } from '../../core/timeline.js';
import { EyeIcon } from './ConnectForm.js';

interface Choice {
  kind: FaultKind;
  label: string;
  /** The number the user sets, in ms; null for faults without one. */
  defaultMs: number | null;
  unit: string;
}

const CHOICES: Choice[] = [
  { kind: 'idle-timeout', label: 'Idle timeout', defaultMs: 5000, unit: 'ms without bytes' },
  { kind: 'connect-timeout', label: 'Connect timeout', defaultMs: 2000, unit: 'ms for headers' },
  { kind: 'proxy-idle-timeout', label: 'Proxy idle timeout', defaultMs: 60000, unit: 'ms without a byte' },
  { kind: 'max-connection-age', label: 'Max connection age', defaultMs: 300000, unit: 'ms after connecting' },
  { kind: 'drop', label: 'Drop now', defaultMs: null, unit: '' },
  { kind: 'stall', label: 'Stall reading', defaultMs: 10000, unit: 'ms' },
  { kind: 'latency', label: 'Latency', defaultMs: 500, unit: 'ms per event' },
  { kind: 'token-expiry', label: 'Token expiry', defaultMs: null, unit: '' },
  { kind: 'offline', label: 'Offline', defaultMs: 10000, unit: 'ms' },
];

function build(kind: FaultKind, ms: number, preset: string | null, header: string, value: string): Fault {
  const p = PROXY_PRESETS.find((x) => x.name === preset);
  switch (kind) {
    case 'proxy-idle-timeout':
      return { kind, ms, firstByteMs: p?.firstByteMs ?? null, preset };
    case 'max-connection-age':
      return { kind, ms, preset };
    case 'drop':
      return { kind };
    case 'token-expiry':
      return { kind, headers: [[header.trim(), value]] };
    case 'idle-timeout':
    case 'connect-timeout':
    case 'stall':
    case 'latency':
    case 'offline':
      return { kind, ms };
  }
}

export interface SimulateBarProps {
  active: Fault[];
  phase: ConnectionState['phase'];
  onStart(fault: Fault): void;
  onStop(kind: FaultKind): void;
}

export function SimulateBar({ active, phase, onStart, onStop }: SimulateBarProps) {
  const disabled = phase === 'closed';
  const [kind, setKind] = useState<FaultKind>('idle-timeout');
  const [ms, setMs] = useState('5000');
  const [preset, setPreset] = useState<string | null>(null);
  const [header, setHeader] = useState('Authorization');
  const [value, setValue] = useState('Bearer expired');
  const [revealed, setRevealed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choice = CHOICES.find((c) => c.kind === kind)!;
  const refusal = faultRefusal(kind, phase);

  function pick(next: FaultKind): void {
    setKind(next);
    const c = CHOICES.find((x) => x.kind === next)!;
    if (c.defaultMs !== null) setMs(String(c.defaultMs));
    setPreset(null);
    setError(null);
  }

  function start(): void {
    const fault = build(kind, Number(ms), preset, header, value);
    const problem = kind === 'token-expiry' && header.trim() === '' ? 'Name the header to change' : validateFault(fault);
    setError(problem);
    if (!problem) onStart(fault);
  }

  const valueProps = {
    class: 'mono',
    'data-testid': 'fault-value',
    value,
    disabled,
    onInput: (e: Event) => setValue((e.currentTarget as HTMLInputElement).value),
    'aria-label': 'Header value from the next reconnect on',
    placeholder: '(empty)',
    autocomplete: 'off',
  };

  return (
    <div class="simulate" data-testid="simulate-bar">
      <span class="section-title inline">Simulate</span>
      <select data-testid="fault-kind" value={kind} disabled={disabled} onChange={(e) => pick(e.currentTarget.value as FaultKind)} aria-label="Simulation">
        {CHOICES.map((c) => (
          <option key={c.kind} value={c.kind}>
            {c.label}
          </option>
        ))}
      </select>
      {(kind === 'proxy-idle-timeout' || kind === 'max-connection-age') && (
        <select
          data-testid="proxy-preset"
          disabled={disabled}
          value={preset ?? ''}
          onChange={(e) => {
            const p = PROXY_PRESETS.find((x) => x.name === e.currentTarget.value);
            setPreset(p?.name ?? null);
            if (p) setMs(String(p.ms));
          }}
          aria-label="Preset"
        >
          <option value="">custom</option>
          {PROXY_PRESETS.filter((p) => p.simulation === kind).map((p) => (
            <option key={p.name} value={p.name} title={p.source}>
              {p.name} {p.setting} ({p.ms / 1000} s)
            </option>
          ))}
        </select>
      )}
      {choice.defaultMs !== null && (
        <label class="check">
          <input class="num" data-testid="fault-ms" value={ms} disabled={disabled} onInput={(e) => (setMs(e.currentTarget.value), setPreset(null))} aria-label="Milliseconds" />
          {choice.unit}
        </label>
      )}
      {kind === 'token-expiry' && (
        <>
          <input class="mono hname" data-testid="fault-header" value={header} disabled={disabled} onInput={(e) => setHeader(e.currentTarget.value)} aria-label="Header name" />
          {/* A secret like the form's: hidden until revealed, masked in every entry and export. */}
          {revealed ? <input type="text" {...valueProps} /> : <input type="password" {...valueProps} />}
          <button type="button" class="icon" title={revealed ? 'Hide value' : 'Reveal value'} data-testid="fault-value-reveal" onClick={() => setRevealed(!revealed)}>
            <EyeIcon crossed={revealed} />
          </button>
        </>
      )}
      {/* The reason on the wrapper too: some browsers show no tooltip on a disabled button. */}
      <span title={refusal ?? undefined}>
        <button class="small" data-testid="fault-start" disabled={refusal !== null} title={refusal ?? undefined} onClick={start}>
          {kind === 'drop' ? 'Drop' : 'Start'}
        </button>
      </span>
      {error && <span class="field-error inline">{error}</span>}
      {active.map((f) => (
        <span class="chip" data-testid="fault-chip" data-kind={f.kind} key={f.kind} title={describeFault(f)}>
          {CHOICES.find((c) => c.kind === f.kind)?.label}
          {'ms' in f ? ` ${f.ms} ms` : ''}
          {'preset' in f && f.preset ? ` (${f.preset})` : ''}
          <button class="icon" data-testid="fault-stop" title="Stop this simulation" onClick={() => onStop(f.kind)}>
            ✕
          </button>
        </span>
      ))}
    </div>
  );
}
