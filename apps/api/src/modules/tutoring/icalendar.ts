// iCalendar text (RFC 5545), written by hand for the two places that send it: the calendar feed
// (calendar.ts) and the invitation attached to session emails (session-emails.ts).

/** TEXT escaping. */
export function escapeText(text: string) {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r?\n|\r/g, "\\n");
}

/** A character's length in UTF-8. */
const utf8Length = (ch: string) => {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
};

/** Lines longer than 75 octets continue on the next line after a space (never splitting a character). */
function foldLine(line: string) {
  const out: string[] = [];
  let current = "";
  let size = 0;
  for (const ch of line) {
    const bytes = utf8Length(ch);
    const limit = out.length === 0 ? 75 : 74;
    if (size + bytes > limit) {
      out.push(current);
      current = "";
      size = 0;
    }
    current += ch;
    size += bytes;
  }
  out.push(current);
  return out.join("\r\n ");
}

/** A UTC DATE-TIME: 20261207T200000Z. */
export const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** A person as an ORGANIZER or ATTENDEE: the name is a parameter value (quoted; it may hold no quote). */
export const person = (property: "ORGANIZER" | "ATTENDEE", who: { name: string; email: string }, params = "") =>
  `${property};CN="${who.name.replace(/["\r\n]+/g, " ")}"${params}:mailto:${who.email}`;

/** A VCALENDAR around the given lines (its events), folded, with CRLF line ends. */
export function calendarText(head: string[], events: string[]) {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Lectern//Tutoring sessions//EN",
    "CALSCALE:GREGORIAN",
    ...head,
    ...events,
    "END:VCALENDAR",
  ];
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}
