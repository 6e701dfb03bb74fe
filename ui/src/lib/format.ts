// Numbers and dates as the pages show them. Hand-formatted rather than
// through Intl so the output is the same in WebKitGTK, WebView2 and jsdom.

const pad = (n: number) => String(n).padStart(2, "0");

/** A Unix time in milliseconds as local "YYYY-MM-DD HH:mm". */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Bytes in MB below a gigabyte, GB above (decimal units, as disk sizes are sold). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} B`;
}

export function formatSeconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}

export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}
