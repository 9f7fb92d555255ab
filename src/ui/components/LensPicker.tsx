/** The lens of the selected connection, picked by hand: Auto (the detected one), a lens by name, or None. */
import { LENSES } from '../../core/lenses/registry.js';
import type { Lens } from '../../core/lenses/lens.js';
import type { LensChoice } from '../store/lens-store.js';

export function LensPicker({ choice, detected, note, onChoose }: { choice: LensChoice; detected: Lens | null; note: string | null; onChoose(choice: LensChoice): void }) {
  return (
    <>
      <label class="lens-picker" title="How the stream is read: detected from its first entries, or picked by hand (saved in exported captures)">
        lens{' '}
        <select
          data-testid="lens-picker"
          value={choice ?? 'auto'}
          onChange={(e) => {
            const value = e.currentTarget.value;
            onChoose(value === 'auto' ? null : value === 'none' ? 'none' : (LENSES.find((l) => l.name === value)?.name ?? null));
          }}
        >
          <option value="auto">Auto ({detected ? `detected: ${detected.title}` : 'none detected'})</option>
          {LENSES.map((l) => (
            <option key={l.name} value={l.name}>
              {l.title}
            </option>
          ))}
          <option value="none">None</option>
        </select>
      </label>
      {note && (
        <span class="field-error inline lens-note" data-testid="lens-note" title={note} role="status">
          ⚠ {note}
        </span>
      )}
    </>
  );
}
