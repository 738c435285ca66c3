import { createHash, randomBytes } from "node:crypto";
import type { Db, DbOrTx } from "@lectern/db";
import { schema } from "@lectern/db";
import { and, asc, eq, gt, or } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { calendarText, escapeText, stamp } from "./icalendar.ts";

const { calendarFeeds, tutoringSessions: S, users } = schema;

/**
 * A private iCal feed per user: the token in its URL is the only key (rotating it revokes the old
 * URL). Only the token's SHA-256 is stored, so the URL is shown once, when it is made.
 */

const newToken = () => randomBytes(32).toString("base64url");
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export const feedUrl = (apiUrl: string, token: string) => `${apiUrl.replace(/\/$/, "")}/calendar/${token}.ics`;

/** Whether the user has a feed, and since when (null: none); its URL cannot be read back. */
export async function getCalendarFeed(db: Db, userId: string) {
  const [feed] = await db
    .select({ createdAt: calendarFeeds.createdAt })
    .from(calendarFeeds)
    .where(eq(calendarFeeds.userId, userId));
  return feed ?? null;
}

/** A new secret URL, returned this once; any old one answers 404 from now on. */
export async function rotateCalendarFeed(db: Db, userId: string, apiUrl: string) {
  const token = newToken();
  const tokenHash = hashToken(token);
  const [feed] = await db
    .insert(calendarFeeds)
    .values({ userId, tokenHash })
    .onConflictDoUpdate({ target: calendarFeeds.userId, set: { tokenHash, createdAt: new Date() } })
    .returning({ createdAt: calendarFeeds.createdAt });
  if (!feed) throw new Error("calendar feed upsert returned nothing");
  return { url: feedUrl(apiUrl, token), createdAt: feed.createdAt };
}

/** Deletes the user's feed (in the caller's transaction, e.g. when the account is disabled). */
export async function revokeCalendarFeed(tx: DbOrTx, userId: string) {
  await tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId));
}

const teacherUser = alias(users, "teacher_user");
const learnerUser = alias(users, "learner_user");

/** The feed's text for a token, or null for an unknown token: the user's upcoming booked sessions. */
export async function renderCalendarFeed(db: Db, token: string, now = new Date()): Promise<string | null> {
  const [feed] = await db
    .select({ userId: calendarFeeds.userId })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(and(eq(calendarFeeds.tokenHash, hashToken(token)), eq(users.banned, false)));
  if (!feed) return null;
  const rows = await db
    .select({ session: S, teacherName: teacherUser.name, learnerName: learnerUser.name })
    .from(S)
    .innerJoin(teacherUser, eq(teacherUser.id, S.teacherId))
    .innerJoin(learnerUser, eq(learnerUser.id, S.learnerId))
    .where(
      and(or(eq(S.learnerId, feed.userId), eq(S.teacherId, feed.userId)), eq(S.status, "booked"), gt(S.endsAt, now)),
    )
    .orderBy(asc(S.startsAt))
    .limit(500);
  const events: string[] = [];
  for (const { session: s, teacherName, learnerName } of rows) {
    const other = s.teacherId === feed.userId ? learnerName : teacherName;
    const description = [
      `${s.durationMinutes}-minute session with ${other}`,
      s.meetingUrl ? `Join: ${s.meetingUrl}` : null,
    ]
      .filter(Boolean)
      .join("\n");
    events.push(
      "BEGIN:VEVENT",
      `UID:${s.id}@lectern`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART:${stamp(s.startsAt)}`,
      `DTEND:${stamp(s.endsAt)}`,
      `SUMMARY:${escapeText(`Lectern session with ${other}`)}`,
      `DESCRIPTION:${escapeText(description)}`,
      // URL is a URI value (no TEXT escaping); the contract only admits https URLs without line breaks.
      ...(s.meetingUrl ? [`URL:${s.meetingUrl}`, `LOCATION:${escapeText(s.meetingUrl)}`] : []),
      "STATUS:CONFIRMED",
      "END:VEVENT",
    );
  }
  return calendarText(["METHOD:PUBLISH", "X-WR-CALNAME:Lectern sessions"], events);
}
