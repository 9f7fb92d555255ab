/**
 * Open a capture or a HAR file: a button with a file picker, and drag-and-drop anywhere on the
 * page. A refused file is explained precisely, as text; nothing else on the page changes.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CaptureFile } from '../../core/capture/format.js';
import { openCaptureFile } from '../open-file.js';

/** The picker's input, so an empty state elsewhere on the page can open it too. */
export const OPEN_CAPTURE_INPUT_ID = 'open-capture-input';

export function FileOpener({ onOpen, label = 'Open capture…' }: { onOpen(capture: CaptureFile, name: string): void; label?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<{ name: string; errors: string[] } | null>(null);
  const [dragging, setDragging] = useState(false);

  async function open(file: File): Promise<void> {
    const result = await openCaptureFile(file);
    if (result.ok) {
      setError(null);
      onOpen(result.capture, file.name);
    } else setError({ name: file.name, errors: result.errors });
  }

  useEffect(() => {
    const over = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      const file = e.dataTransfer?.files[0];
      if (file) void open(file);
    };
    document.addEventListener('dragover', over);
    document.addEventListener('dragleave', leave);
    document.addEventListener('drop', drop);
    return () => {
      document.removeEventListener('dragover', over);
      document.removeEventListener('dragleave', leave);
      document.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <>
      <button data-testid="open-capture" onClick={() => input.current?.click()} title="Open a capture file or a HAR file saved from a Network panel (or drop one here)">
        {label}
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,.har,application/json"
        id={OPEN_CAPTURE_INPUT_ID}
        data-testid="open-capture-input"
        style={{ display: 'none' }}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) void open(file);
        }}
      />
      {dragging && <div class="drop-overlay">Drop a capture or HAR file to open it</div>}
      {error && (
        <div class="import-error" role="alert" data-testid="import-error">
          <strong>Could not open {error.name}:</strong>
          <ul>
            {error.errors.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
          <button class="small" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}
