/**
 * What most checks keep: findings by code, each gathering evidence as entries show it again, bounded
 * (DOCTOR_LIMITS), so a stream that repeats one fault for hours keeps one finding with its first
 * pieces of evidence and a count.
 */
import { DOCTOR_LIMITS, type DoctorCheckName, type DoctorEvidence, type DoctorFinding, type DoctorSeverity, type DoctorTable } from './check.js';

export interface FindingText {
  severity: DoctorSeverity;
  title: string;
  why: string;
  fix: string;
  table?: DoctorTable | null;
}

const clip = (note: string): string => (note.length > DOCTOR_LIMITS.noteChars ? `${note.slice(0, DOCTOR_LIMITS.noteChars - 1)}…` : note);

export function evidenceOf(connectionId: string, seq: number | null, note: string, header: string | null = null): DoctorEvidence {
  return { connectionId, seq, header, note: clip(note) };
}

export function createFindingSet(check: DoctorCheckName) {
  const byCode = new Map<string, DoctorFinding>();
  return {
    /** Adds evidence to the finding `code`, creating it with `text` the first time; a later `text` may raise its severity or reword it. */
    report(code: string, text: FindingText, evidence: DoctorEvidence | null): void {
      let finding = byCode.get(code);
      if (finding === undefined) {
        if (byCode.size >= DOCTOR_LIMITS.findingsPerCheck) return;
        finding = { check, code, severity: text.severity, title: text.title, evidence: [], why: text.why, fix: text.fix, table: text.table ?? null };
        byCode.set(code, finding);
      } else {
        Object.assign(finding, { severity: text.severity, title: text.title, why: text.why, fix: text.fix, table: text.table ?? finding.table });
      }
      if (evidence !== null && finding.evidence.length < DOCTOR_LIMITS.evidence) finding.evidence.push(evidence);
    },
    has: (code: string): boolean => byCode.has(code),
    findings: (): DoctorFinding[] => [...byCode.values()].map((f) => ({ ...f, evidence: [...f.evidence] })),
  };
}

/** A header's value as the response named it (case-insensitive), several joined as HTTP joins them; null when absent. */
export function headerValue(headers: readonly (readonly [string, string])[], name: string): { name: string; value: string } | null {
  const lower = name.toLowerCase();
  const found = headers.filter(([n]) => n.toLowerCase() === lower);
  if (found.length === 0) return null;
  return { name: found[0]![0], value: found.map(([, v]) => v).join(', ') };
}
