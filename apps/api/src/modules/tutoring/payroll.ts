import {
  type ListTeachersInput,
  type PayrollRangeInput,
  type SetTeacherRateInput,
  TUTORING_POLICY,
  toMajorUnits,
} from "@lectern/api-contract";
import type { Db } from "@lectern/db";
import { containsPattern, schema } from "@lectern/db";
import { and, asc, count, eq, ilike, or, type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors.ts";
import { pageTotal } from "../../pagination.ts";
import type { AdminActor } from "../admin/users.ts";
import { recordAudit } from "../audit/service.ts";

const { teacherProfiles, tutoringSessions, users } = schema;

/** The ledger transaction kind that pays a teacher for a completed session. */
export const EARNINGS_POST = "earnings.post";
/** The ledger transaction kind that takes that pay back when an admin reverses the session. */
export const EARNINGS_REVERSE = "earnings.reverse";
/** The teacher's wallet (one account per currency) their earnings are credited to. */
export const TEACHER_EARNINGS = "wallet";

// Teacher pay rates

const sessionCount = (status: "completed" | "booked") =>
  sql<number>`(select count(*)::int from ${tutoringSessions} s where s.teacher_id = ${users.id} and s.status = ${status})`;

const teacherColumns = {
  id: users.id,
  name: users.name,
  email: users.email,
  /** null until an admin sets a rate */
  hourlyRateMinor: teacherProfiles.hourlyRateMinor,
  rateCurrency: teacherProfiles.rateCurrency,
  sessionsCompleted: sessionCount("completed"),
  sessionsBooked: sessionCount("booked"),
};

function selectTeachers(db: Db, where: SQL | undefined) {
  return db
    .select(teacherColumns)
    .from(users)
    .leftJoin(teacherProfiles, eq(teacherProfiles.userId, users.id))
    .where(and(eq(users.role, "teacher"), where));
}

export async function listTeachers(db: Db, input: ListTeachersInput) {
  const pattern = input.query ? containsPattern(input.query) : undefined;
  const where = pattern ? or(ilike(users.name, pattern), ilike(users.email, pattern)) : undefined;
  const offset = (input.page - 1) * input.pageSize;
  const items = await selectTeachers(db, where)
    .orderBy(asc(users.name), asc(users.id))
    .limit(input.pageSize)
    .offset(offset);
  const total = await pageTotal(items.length, input.pageSize, offset, async () => {
    const [counted] = await db
      .select({ value: count() })
      .from(users)
      .where(and(eq(users.role, "teacher"), where));
    return counted?.value ?? 0;
  });
  return { items, total, page: input.page, pageSize: input.pageSize };
}

/** Sets a teacher's hourly rate (new bookings snapshot it), creating their profile if needed; audited. */
export async function setTeacherRate(db: Db, actor: AdminActor, input: SetTeacherRateInput) {
  const max = TUTORING_POLICY.maxHourlyRateMinor[input.rateCurrency];
  if (input.hourlyRateMinor > max)
    throw new AppError(
      "RATE_TOO_HIGH",
      `An hourly rate in ${input.rateCurrency} can be at most ${toMajorUnits(max, input.rateCurrency)}`,
    );
  await db.transaction(async (tx) => {
    // The user row lock serializes rate changes for one teacher, so `before` is exact.
    const [teacher] = await tx
      .select({ role: users.role })
      .from(users)
      .where(eq(users.id, input.teacherId))
      .for("update");
    if (teacher?.role !== "teacher") throw new AppError("TEACHER_NOT_FOUND", "No teacher with that id");
    const [current] = await tx
      .select({ hourlyRateMinor: teacherProfiles.hourlyRateMinor, rateCurrency: teacherProfiles.rateCurrency })
      .from(teacherProfiles)
      .where(eq(teacherProfiles.userId, input.teacherId));
    const after = { hourlyRateMinor: input.hourlyRateMinor, rateCurrency: input.rateCurrency };
    if (current && current.hourlyRateMinor === after.hourlyRateMinor && current.rateCurrency === after.rateCurrency)
      return;
    await tx
      .insert(teacherProfiles)
      .values({ userId: input.teacherId, ...after })
      .onConflictDoUpdate({ target: teacherProfiles.userId, set: { ...after, updatedAt: new Date() } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: "teacher.rate.set",
      targetType: "user",
      targetId: input.teacherId,
      before: current ?? null,
      after,
      ipAddress: actor.ip,
    });
  });
  const [row] = await selectTeachers(db, eq(users.id, input.teacherId));
  if (!row) throw new Error("teacher missing after setting the rate");
  return row;
}

// Payroll

export interface PayrollRow {
  teacherId: string;
  name: string;
  email: string;
  currency: string;
  /** completed sessions paid in the range */
  sessions: number;
  minutes: number;
  hours: number;
  /** the distinct hourly rates snapshotted at booking of those sessions */
  bookedRatesMinor: number[];
  currentRateMinor: number | null;
  currentRateCurrency: string | null;
  /** sessions whose pay was taken back in the range (an admin reversed them) */
  reversals: number;
  /** what those reversals took back, in minor units (zero or negative) */
  reversedMinor: number;
  /** the sum of the teacher's earnings postings and reversals in the range, in minor units */
  owedMinor: number;
}

/**
 * What each teacher earned in [from, to) per currency, from the ledger: the wallet
 * entries of `earnings.post` and `earnings.reverse` transactions created in the range, with the
 * sessions they reference for hours and rates. Sessions and hours count the sessions paid in the
 * range; a reversal shows as its own count and negative amount, and lowers what is owed.
 */
export async function payrollReport(db: Db, range: PayrollRangeInput) {
  const result = await db.execute<{
    teacher_id: string;
    name: string;
    email: string;
    currency: string;
    sessions: number;
    minutes: number;
    booked_rates: string[] | null;
    current_rate: string | null;
    current_currency: string | null;
    reversals: number;
    reversed: string;
    owed: string;
  }>(sql`
    with postings as (
      select a.owner_id as teacher_id, e.currency, t.kind, t.reference_type, t.reference_id, sum(e.amount) as amount
      from ${schema.ledgerTransactions} t
      join ${schema.ledgerEntries} e on e.transaction_id = t.id
      join ${schema.ledgerAccounts} a on a.id = e.account_id and a.kind = ${TEACHER_EARNINGS}
      where t.kind in (${EARNINGS_POST}, ${EARNINGS_REVERSE})
        and t.created_at >= ${range.from.toISOString()}::timestamptz
        and t.created_at < ${range.to.toISOString()}::timestamptz
      group by a.owner_id, e.currency, t.id, t.kind, t.reference_type, t.reference_id
    ), per_session as (
      select p.teacher_id, p.currency, s.id as session_id, s.hourly_rate_minor,
        -- the minutes paid: the length, at most what the learner's credits paid for
        least(s.duration_minutes, coalesce(s.paid_minutes, s.duration_minutes)) as duration_minutes,
        bool_or(p.kind = ${EARNINGS_POST}) as paid,
        bool_or(p.kind = ${EARNINGS_REVERSE}) as reversed,
        coalesce(sum(p.amount) filter (where p.kind = ${EARNINGS_REVERSE}), 0) as reversed_amount,
        sum(p.amount) as amount
      from postings p
      -- compared as uuids, so each posting finds its session by primary key
      left join ${tutoringSessions} s
        on s.id = (case when p.reference_type = 'tutoring_session' then p.reference_id::uuid end)
      group by p.teacher_id, p.currency, s.id, s.duration_minutes, s.hourly_rate_minor
    )
    select ps.teacher_id, u.name, u.email, ps.currency,
      count(ps.session_id) filter (where ps.paid)::int as sessions,
      coalesce(sum(ps.duration_minutes) filter (where ps.paid), 0)::int as minutes,
      array_remove(array_agg(distinct ps.hourly_rate_minor::text) filter (where ps.paid), null) as booked_rates,
      tp.hourly_rate_minor::text as current_rate, tp.rate_currency as current_currency,
      count(*) filter (where ps.reversed)::int as reversals,
      sum(ps.reversed_amount)::text as reversed,
      sum(ps.amount)::text as owed
    from per_session ps
    join ${users} u on u.id = ps.teacher_id
    left join ${teacherProfiles} tp on tp.user_id = ps.teacher_id
    group by ps.teacher_id, u.name, u.email, ps.currency, tp.hourly_rate_minor, tp.rate_currency
    order by u.name, ps.teacher_id, ps.currency`);
  const rows: PayrollRow[] = result.rows.map((r) => ({
    teacherId: r.teacher_id,
    name: r.name,
    email: r.email,
    currency: r.currency,
    sessions: r.sessions,
    minutes: r.minutes,
    hours: toHours(r.minutes),
    bookedRatesMinor: (r.booked_rates ?? []).map(Number).sort((a, b) => a - b),
    currentRateMinor: r.current_rate === null ? null : Number(r.current_rate),
    currentRateCurrency: r.current_currency,
    reversals: r.reversals,
    reversedMinor: Number(r.reversed),
    owedMinor: Number(r.owed),
  }));
  const totals = new Map<
    string,
    {
      currency: string;
      teachers: number;
      sessions: number;
      minutes: number;
      reversals: number;
      reversedMinor: number;
      owedMinor: number;
    }
  >();
  for (const row of rows) {
    const total = totals.get(row.currency) ?? {
      currency: row.currency,
      teachers: 0,
      sessions: 0,
      minutes: 0,
      reversals: 0,
      reversedMinor: 0,
      owedMinor: 0,
    };
    total.teachers += 1;
    total.sessions += row.sessions;
    total.minutes += row.minutes;
    total.reversals += row.reversals;
    total.reversedMinor += row.reversedMinor;
    total.owedMinor += row.owedMinor;
    totals.set(row.currency, total);
  }
  return {
    from: range.from,
    to: range.to,
    rows,
    totals: [...totals.values()]
      .sort((a, b) => a.currency.localeCompare(b.currency))
      .map((t) => ({ ...t, hours: toHours(t.minutes) })),
  };
}

const toHours = (minutes: number) => Math.round((minutes / 60) * 100) / 100;

const CSV_HEADER = [
  "Teacher",
  "Email",
  "Currency",
  "Sessions",
  "Hours",
  "Hourly rates at booking",
  "Reversals",
  "Amount reversed",
  "Amount owed",
];

/** The payroll report as an RFC 4180 CSV (CRLF lines, a header row), amounts in major units. */
export async function payrollCsv(db: Db, range: PayrollRangeInput) {
  const report = await payrollReport(db, range);
  const lines = [
    CSV_HEADER,
    ...report.rows.map((r) => [
      text(r.name),
      text(r.email),
      r.currency,
      String(r.sessions),
      r.hours.toFixed(2),
      r.bookedRatesMinor.map((rate) => toMajorUnits(rate, r.currency)).join("; "),
      String(r.reversals),
      toMajorUnits(r.reversedMinor, r.currency),
      toMajorUnits(r.owedMinor, r.currency),
    ]),
  ];
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return {
    filename: `lectern-payroll-${day(range.from)}-to-${day(range.to)}.csv`,
    csv: lines.map((cells) => `${cells.map(csvField).join(",")}\r\n`).join(""),
  };
}

/** Quotes a field when it holds a comma, a quote or a line break, doubling its quotes (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** People's text could start a spreadsheet formula; a leading apostrophe keeps it text. */
const text = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
