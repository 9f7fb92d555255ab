/**
 * Copy as code for the selected connection: curl and the three client libraries, generated from
 * its settings. The token stays masked until the user reveals it; the real values come from the
 * background, which is the only place they live.
 */
import { useState } from 'preact/hooks';
import type { ConnectionConfig } from '../../core/config.js';
import { SNIPPET_LABELS, SNIPPET_LANGUAGES, snippet, type SnippetLanguage } from '../../core/snippets.js';
import type { RevealedSecrets } from '../../protocol/messages.js';
import { copyText } from '../clipboard.js';

export interface CopyAsCodeProps {
  config: ConnectionConfig;
  channels: string[];
  /** Null where no real values exist (an imported capture): secrets stay masked. */
  loadSecrets: (() => Promise<RevealedSecrets>) | null;
  onClose(): void;
}

export function CopyAsCode({ config, channels, loadSecrets, onClose }: CopyAsCodeProps) {
  const [language, setLanguage] = useState<SnippetLanguage>('curl');
  const [revealed, setRevealed] = useState<ConnectionConfig | null>(null);
  const [copied, setCopied] = useState(false);

  async function toggleReveal(): Promise<void> {
    if (revealed) {
      setRevealed(null);
      return;
    }
    if (!loadSecrets) return;
    const secrets = await loadSecrets();
    setRevealed({ ...config, url: secrets.url ?? config.url, headers: secrets.headers.length > 0 ? secrets.headers : config.headers, body: secrets.url === null ? config.body : secrets.body });
  }

  const code = snippet(language, revealed ?? config, { reveal: revealed !== null, channels });
  return (
    <div class="copy-code" data-testid="copy-as-code">
      <div class="row">
        <span class="section-title inline">Copy as code</span>
        {SNIPPET_LANGUAGES.map((l) => (
          <button key={l} class={`small ${language === l ? 'on' : ''}`} data-testid={`snippet-${l}`} onClick={() => setLanguage(l)}>
            {SNIPPET_LABELS[l]}
          </button>
        ))}
        <span class="spacer" />
        {loadSecrets && (
          <label class="check">
            <input type="checkbox" data-testid="snippet-reveal" checked={revealed !== null} onChange={() => void toggleReveal()} /> reveal secrets
          </label>
        )}
        <button
          class="small primary"
          data-testid="snippet-copy"
          onClick={() =>
            void copyText(code).then((ok) => {
              setCopied(ok);
              setTimeout(() => setCopied(false), 1200);
            })
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button class="small icon" title="Close" onClick={onClose}>
          ✕
        </button>
      </div>
      <pre class="code mono" data-testid="snippet-code">
        {code}
      </pre>
    </div>
  );
}
