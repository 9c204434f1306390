const SEGMENTER = new Intl.Segmenter();

/** A cell's text cut or padded to `width` terminal columns (ellipsis when cut). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const chars = Array.from(SEGMENTER.segment(text.replace(/\s+/g, ' ')), (s) => s.segment);
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
  const pad = ' '.repeat(width - chars.length);
  return align === 'left' ? chars.join('') + pad : pad + chars.join('');
}

/** Seconds as `42s`, `3m05s`, `2h04m`, `3d02h`. */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** Wall time of an attempt: ended − started, or now − started while it runs; '' before. */
export function elapsed(startedAt: string | null, endedAt: string | null, now: Date): string {
  if (startedAt === null) return '';
  const end = endedAt === null ? now.getTime() : Date.parse(endedAt);
  return shortDuration((end - Date.parse(startedAt)) / 1000);
}

/** ISO time as local `HH:MM:SS` (today) or `MM-DD HH:MM`. */
export function clock(iso: string, now: Date): string {
  const t = new Date(iso);
  const sameDay = t.toDateString() === now.toDateString();
  const hh = String(t.getHours()).padStart(2, '0');
  const mm = String(t.getMinutes()).padStart(2, '0');
  const ss = String(t.getSeconds()).padStart(2, '0');
  return sameDay
    ? `${hh}:${mm}:${ss}`
    : `${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')} ${hh}:${mm}`;
}
