/**
 * Export: choose what goes into the file and see, before saving, every value that will be
 * redacted. Redaction is on by default; turning it off asks the background for the real values.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { describeTokenLike, prepareExport, tokenLikeUrlParts, type ExportOptions } from '../../core/capture/export.js';
import { TOKEN_KIND_LABELS, TOKEN_KINDS, type TokenKind } from '../../core/capture/token-scan.js';
import type { CaptureSource } from '../../core/capture/format.js';
import { serializeForWriting } from '../../core/capture/write.js';
import { TOOL_VERSION } from '../../core/version.js';
import { captureFileName, download } from '../download.js';
import type { ConnView } from '../store/timeline-store.js';

export interface ExportDialogProps {
  views: ConnView[];
  /** The real values behind the masks of a live connection; null where none exist. */
  unmasked(view: ConnView): Promise<CaptureSource | null>;
  onClose(): void;
}

/** A connection as exported, with the config the panel holds (secrets masked), its origin if observed and its hand-picked lens. */
function sourceOf(v: ConnView): CaptureSource {
  return { id: v.info.id, config: v.info.config, entries: v.entries, ...(v.info.observed ? { observed: v.info.observed } : {}), ...(v.lensChoice !== null ? { lens: v.lensChoice } : {}) };
}

export function ExportDialog({ views, unmasked, onClose }: ExportDialogProps) {
  const channels = useMemo(() => [...new Set(views.flatMap((v) => [...v.channels.keys()]))].sort(), [views]);
  const [redactSecrets, setRedactSecrets] = useState(true);
  const [redactIds, setRedactIds] = useState(false);
  const [redactTokenLike, setRedactTokenLike] = useState(false);
  // On by default: a token in event data is as secret as one in a header, only nobody marked it.
  const [tokenKinds, setTokenKinds] = useState<ReadonlySet<TokenKind>>(new Set(TOKEN_KINDS));
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(channels));
  const [sources, setSources] = useState<CaptureSource[]>(views.map(sourceOf));
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set(views.map((v) => v.info.id)));
  const [refused, setRefused] = useState<string[] | null>(null);

  useEffect(() => {
    const masked = views.map(sourceOf);
    if (redactSecrets) {
      setSources(masked);
      return;
    }
    void Promise.all(views.map(async (v, i) => (await unmasked(v)) ?? masked[i]!)).then(setSources);
  }, [redactSecrets, views]);

  const options: ExportOptions = {
    redactSecrets,
    redactLastEventIds: redactIds,
    channels: chosen.size === channels.length ? null : [...chosen],
    from: null,
    to: null,
    redactTokenLikeUrlParts: redactTokenLike,
    redactTokenKinds: [...tokenKinds],
  };
  const exported = useMemo(() => sources.filter((src) => picked.has(src.id)), [sources, picked]);
  const { capture, tokens } = useMemo(() => prepareExport(exported, TOOL_VERSION, options), [exported, redactSecrets, redactIds, chosen, redactTokenLike, tokenKinds]);
  const foundKinds = TOKEN_KINDS.filter((k) => tokens.findings.some((f) => f.kind === k));
  // Found in what is exported, so they show whether or not they are redacted.
  const tokenLike = useMemo(() => tokenLikeUrlParts(exported), [exported]);
  const entries = capture.connections.reduce((n, c) => n + c.entries.length, 0);

  return (
    <div class="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-label="Export capture" data-testid="export-dialog">
        <div class="section-title dialog-title">
          Export {views.length === 1 ? views[0]!.info.label : `${views.length} connections`}
        </div>
        {views.length > 1 && (
          <div class="export-connections">
            {views.map((v) => (
              <label class="check" key={v.info.id}>
                <input
                  type="checkbox"
                  data-testid="export-connection"
                  checked={picked.has(v.info.id)}
                  onChange={(e) => {
                    const next = new Set(picked);
                    if (e.currentTarget.checked) next.add(v.info.id);
                    else next.delete(v.info.id);
                    setPicked(next);
                  }}
                />{' '}
                <span class="mono">{v.info.label}</span>
              </label>
            ))}
          </div>
        )}
        <label class="check">
          <input type="checkbox" data-testid="export-redact-secrets" checked={redactSecrets} onChange={(e) => setRedactSecrets(e.currentTarget.checked)} /> redact secrets (Authorization, Cookie,
          marked headers, tokens in URLs)
        </label>
        {!redactSecrets && <div class="field-error">The file will contain the secret values of the connection settings. Share it only with people allowed to see them.</div>}
        <label class="check">
          <input type="checkbox" data-testid="export-redact-ids" checked={redactIds} onChange={(e) => setRedactIds(e.currentTarget.checked)} /> redact event ids and Last-Event-IDs
        </label>
        {channels.length > 1 && (
          <div class="row wrap">
            <span class="fname">channels</span>
            {channels.map((c) => (
              <label class="check" key={c}>
                <input
                  type="checkbox"
                  data-testid="export-channel"
                  data-channel={c}
                  checked={chosen.has(c)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.currentTarget.checked) next.add(c);
                    else next.delete(c);
                    setChosen(next);
                  }}
                />{' '}
                <span class="mono">{c}</span>
              </label>
            ))}
          </div>
        )}
        {(foundKinds.length > 0 || tokens.limitedTexts > 0) && (
          <>
            <div class="section-title">Values that look like tokens</div>
            <ul class="preview token-kinds" data-testid="export-tokens">
              {foundKinds.map((kind) => (
                <li key={kind}>
                  <label class="check">
                    <input
                      type="checkbox"
                      data-testid="export-token-kind"
                      data-kind={kind}
                      checked={tokenKinds.has(kind)}
                      onChange={(e) => {
                        const next = new Set(tokenKinds);
                        if (e.currentTarget.checked) next.add(kind);
                        else next.delete(kind);
                        setTokenKinds(next);
                      }}
                    />
                    <span>
                      redact {TOKEN_KIND_LABELS[kind]}:{' '}
                      <span class="mono">
                        {tokens.findings
                          .filter((f) => f.kind === kind)
                          .map((f) => `in ${f.where} ×${f.count.toLocaleString('en-US')}`)
                          .join(', ')}
                      </span>
                    </span>
                  </label>
                </li>
              ))}
              {tokens.limitedTexts > 0 && (
                <li class="field-error">
                  {tokens.limitedTexts.toLocaleString('en-US')} text{tokens.limitedTexts === 1 ? ' was' : 's were'} longer than 1 MiB: only the first 1 MiB of each was searched.
                </li>
              )}
            </ul>
          </>
        )}
        {tokenLike.length > 0 && (
          <>
            <div class="section-title">URL parts that look like tokens ({tokenLike.length})</div>
            <ul class="preview mono" data-testid="export-token-like">
              {tokenLike.map((t, i) => (
                <li key={i}>{`connections[${t.connection}]: ${describeTokenLike(t)}${redactTokenLike ? '' : t.shape === 'JWT' && tokenKinds.has('jwt') ? ', redacted as a JWT (above)' : ', kept'}`}</li>
              ))}
            </ul>
            <label class="check">
              <input type="checkbox" data-testid="export-redact-token-like" checked={redactTokenLike} onChange={(e) => setRedactTokenLike(e.currentTarget.checked)} /> redact these too (nothing marked
              them secret, so they are kept unless you tick this)
            </label>
          </>
        )}
        <div class="section-title">What will be removed ({capture.redactions.length})</div>
        <ul class="preview mono" data-testid="export-preview">
          {capture.redactions.length === 0 ? <li>nothing: the file holds every value as captured</li> : capture.redactions.map((r, i) => <li key={i}>{`${r.where}: ${r.what}`}</li>)}
        </ul>
        {refused && (
          <div class="import-error" role="alert" data-testid="export-error">
            <ul>
              {refused.map((m, i) => (
                <li key={i}>{m}</li>
              ))}
            </ul>
          </div>
        )}
        <div class="row actions">
          <span class="hint">
            {capture.connections.length} connection{capture.connections.length === 1 ? '' : 's'}, {entries.toLocaleString('en-US')} entries
          </span>
          <span class="spacer" />
          <button onClick={onClose} data-testid="export-cancel">
            Cancel
          </button>
          <button
            class="primary"
            data-testid="export-save"
            disabled={capture.connections.length === 0}
            onClick={() => {
              // Written only if it can be opened again: the importer's own checks and size limit.
              const written = serializeForWriting(capture);
              if (!written.ok) return setRefused(written.errors);
              download(written.text, captureFileName());
              onClose();
            }}
          >
            Save capture
          </button>
        </div>
      </div>
    </div>
  );
}
