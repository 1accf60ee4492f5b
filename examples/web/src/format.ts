// Small display helpers: times, sizes, initials and avatar colours.

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const longDateFmt = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });

function startOfDay(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A message time: "14:05". */
export function clock(t: number): string {
  return timeFmt.format(t);
}

/** A chat list time: today "14:05", this week "Tue", otherwise "3 Mar". */
export function listTime(t: number): string {
  if (!t) return "";
  const today = startOfDay(Date.now());
  if (t >= today) return timeFmt.format(t);
  if (t >= today - 6 * 86400000) return dayFmt.format(t);
  return dateFmt.format(t);
}

/** A day separator: "Today", "Yesterday" or the full date. */
export function dayLabel(t: number): string {
  const today = startOfDay(Date.now());
  const day = startOfDay(t);
  if (day === today) return "Today";
  if (day === today - 86400000) return "Yesterday";
  return longDateFmt.format(t);
}

export function sameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

export function fileSize(n: number | undefined): string {
  if (!n && n !== 0) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return "?";
  const first = [...parts[0]!][0] ?? "?";
  const second = parts.length > 1 ? ([...parts[parts.length - 1]!][0] ?? "") : "";
  return (first + second).toUpperCase();
}

const palette = ["#ef4444", "#f97316", "#d97706", "#16a34a", "#0d9488", "#0284c7", "#4f46e5", "#9333ea", "#db2777"];

/** A stable colour per id, so a person keeps their avatar colour everywhere. */
export function colorFor(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return palette[h % palette.length]!;
}

/** When a device was last seen: "Online now", "Active 5 min ago", "Active yesterday at 14:05". */
export function seenLabel(online: boolean, t: number, now = Date.now()): string {
  if (online) return "Online now";
  if (!t) return "Not seen recently";
  const ago = Math.max(0, now - t);
  if (ago < 60_000) return "Active just now";
  if (ago < 3_600_000) return `Active ${Math.floor(ago / 60_000)} min ago`;
  const today = startOfDay(now);
  if (t >= today) return `Active today at ${timeFmt.format(t)}`;
  if (t >= today - 86400000) return `Active yesterday at ${timeFmt.format(t)}`;
  return `Active ${dateFmt.format(t)}`;
}

/** A device's platform as people call it (the Provision os_type of REST.md §12 Device). */
export function platformName(platform: number): string {
  return ["Unknown device", "iPhone or iPad", "Android", "Windows", "Mac", "Linux", "Web browser"][platform] ?? `Platform ${platform}`;
}
