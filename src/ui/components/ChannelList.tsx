/** Every event type seen on the connection, with counts and current rate; click filters, Ctrl/⌘-click adds. */
import { safeText } from '../../core/describe.js';
import type { ChannelStat } from '../store/timeline-store.js';
import { SafeText } from './SafeText.js';

export interface ChannelListProps {
  channels: [string, ChannelStat][];
  selected: ReadonlySet<string>;
  total: number;
  rate(stat: ChannelStat): number;
  onToggle(name: string, additive: boolean): void;
  onAll(): void;
}

/** A hostile stream can invent a type per event; the list shows the busiest and counts the rest. */
const MAX_SHOWN = 200;

export function ChannelList(p: ChannelListProps) {
  const shown = p.channels.length > MAX_SHOWN ? [...p.channels].sort((a, b) => b[1].count - a[1].count).slice(0, MAX_SHOWN).sort((a, b) => a[0].localeCompare(b[0])) : p.channels;
  return (
    <ul class="channel-list" aria-label="Channels">
      <li class={`channel-item ${p.selected.size === 0 ? 'selected' : ''}`} data-testid="channel-all" onClick={p.onAll}>
        <span class="name">All</span>
        <span class="count">{p.total.toLocaleString('en-US')}</span>
      </li>
      {shown.map(([name, stat]) => (
        <li
          key={name}
          class={`channel-item ${p.selected.has(name) ? 'selected' : ''}`}
          data-testid="channel-item"
          data-channel={name}
          title={`${safeText(name)}: ${stat.count} events. Click to show only this channel; Ctrl/⌘-click to add or remove it.`}
          onClick={(e) => p.onToggle(name, e.ctrlKey || e.metaKey)}
        >
          <span class="name mono">
            <SafeText text={name} />
          </span>
          <span class="count">{stat.count.toLocaleString('en-US')}</span>
          <span class="rate">{p.rate(stat).toFixed(1)}/s</span>
        </li>
      ))}
      {p.channels.length > shown.length && (
        <li class="channel-item more" data-testid="channels-more">
          {`${(p.channels.length - shown.length).toLocaleString('en-US')} more channels: use the filter to find one`}
        </li>
      )}
    </ul>
  );
}
