/**
 * The Health view (issue 14): the stream doctor's findings for the selected connection, each with
 * its evidence linked to the timeline rows that show it, why it matters, what usually fixes it, and
 * its table when it has one. Findings quote the stream (headers, ids, data): text nodes only, hidden
 * and control characters made visible.
 */
import type { DoctorFinding, DoctorSeverity, DoctorTable } from '../../core/doctor/check.js';
import type { Health } from '../../core/doctor/doctor.js';
import type { LinkTarget } from './LensView.js';

// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const visible = (s: string): string => s.replace(INVISIBLE, '\ufffd');

const ICONS: Readonly<Record<DoctorSeverity, string>> = { error: '✖', warning: '⚠', info: 'ℹ' };

export interface HealthViewProps {
  health: Health;
  /** The row whose detail shows the response headers (a header piece of evidence selects it); null when there is none. */
  headerRow: number | null;
  onLink(target: LinkTarget): void;
}

function Table({ table }: { table: DoctorTable }) {
  return (
    <div class="health-table-wrap">
      <table class="health-table" data-testid="health-table">
        <thead>
          <tr>
            {table.columns.map((c, i) => (
              <th key={i}>{visible(c)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{visible(c)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Finding({ f, headerRow, onLink }: { f: DoctorFinding; headerRow: number | null; onLink: HealthViewProps['onLink'] }) {
  return (
    <li class={`health-finding ${f.severity}`} data-testid="health-finding" data-code={f.code} data-severity={f.severity}>
      <div class="health-head">
        <span class="finding-icon" aria-hidden="true">
          {ICONS[f.severity]}
        </span>
        <span class="sr-only">{f.severity}: </span>
        <span class="health-finding-title">{visible(f.title)}</span>
      </div>
      {f.evidence.length > 0 && (
        <ul class="health-evidence">
          {f.evidence.map((e, i) => {
            const seq = e.seq ?? (e.header !== null ? headerRow : null);
            const label = e.seq !== null ? `row ${e.seq}` : e.header !== null ? visible(e.header) : null;
            return (
              <li key={i}>
                {seq !== null && label !== null ? (
                  <button
                    class="link mono"
                    data-testid="health-evidence"
                    data-seq={seq}
                    title={e.seq !== null ? 'Select this row in the timeline' : 'Select the response in the timeline: its detail shows this header'}
                    onClick={() => onLink({ connectionId: e.connectionId, seqs: [seq] })}
                  >
                    {label}
                  </button>
                ) : (
                  label !== null && <span class="mono">{label}</span>
                )}{' '}
                <span class="health-note">{visible(e.note)}</span>
              </li>
            );
          })}
        </ul>
      )}
      <div class="health-why">
        <b>Why it matters</b> {visible(f.why)}
      </div>
      <div class="health-fix">
        <b>What usually fixes it</b> {visible(f.fix)}
      </div>
      {f.table && <Table table={f.table} />}
    </li>
  );
}

export function HealthView({ health, headerRow, onLink }: HealthViewProps) {
  if (health.findings.length === 0) return <div class="health-body muted">No findings: nothing in this stream looks wrong so far.</div>;
  return (
    <ul class="health-body health-findings" data-testid="health-findings">
      {health.findings.map((f, i) => (
        <Finding key={`${f.code} ${i}`} f={f} headerRow={headerRow} onLink={onLink} />
      ))}
    </ul>
  );
}
