// Which number key 1–4 an event carries. `code` is used first: with Alt
// held, some layouts (and AltGr) change `key` but not the physical key.

export function digitOf(event: KeyboardEvent): number | null {
  const fromCode = /^(?:Digit|Numpad)([1-9])$/.exec(event.code ?? "");
  const raw = fromCode ? fromCode[1] : /^[1-9]$/.test(event.key) ? event.key : null;
  if (raw === null) return null;
  const n = Number(raw);
  return n >= 1 && n <= 4 ? n : null;
}
