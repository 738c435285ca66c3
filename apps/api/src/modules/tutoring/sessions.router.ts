import {
  AddAvailabilityOverrideInput,
  AdminCancelSessionInput,
  AdminCreateSessionInput,
  AdminDeleteSessionInput,
  AdminListDisputesInput,
  AdminListSessionsInput,
  AdminResolveDisputeInput,
  AdminReverseSessionInput,
  AdminSessionCostInput,
  AdminUpdateSessionInput,
  AvailabilityOverrideIdInput,
  BookSessionInput,
  CancelSessionInput,
  EarningsInput,
  ListPageInput,
  RateSessionInput,
  ReportTeacherAbsentInput,
  RescheduleSessionInput,
  SessionCostInput,
  SessionIdInput,
  SessionOutput,
  SessionPageOutput,
  SessionReportInput,
  SetMeetingUrlInput,
  SetWeeklyAvailabilityInput,
  TeacherDirectoryInput,
  TeacherIdInput,
  TeacherOutput,
  TeacherPageOutput,
  TeacherSlotsInput,
  TeacherSlotsOutput,
  UpdateTeacherProfileInput,
} from "@lectern/api-contract";
import { AppError } from "../../errors.ts";
import { rest } from "../../http/openapi-meta.ts";
import {
  adminProcedure,
  authedProcedure,
  documentedOutput,
  idempotent,
  router,
  syncChecked,
  teacherProcedure,
  toTRPCError,
} from "../../trpc.ts";
import * as adminSessions from "./admin-sessions.ts";
import * as availability from "./availability.ts";
import * as calendar from "./calendar.ts";
import * as directory from "./directory.ts";
import * as disputes from "./disputes.ts";
import * as pricing from "./pricing.ts";
import * as progress from "./progress.ts";
import * as sessions from "./sessions.ts";

/** Booking is for learners: a teacher or admin cannot book themselves in as a learner. */
const learnerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "learner") throw toTRPCError(new AppError("FORBIDDEN", "Only learners can do this"));
  return next();
});

const actor = (ctx: { user: { id: string; role: sessions.Actor["role"] }; ip: string | null }) => ({
  id: ctx.user.id,
  role: ctx.user.role,
  ip: ctx.ip,
});

// Availability, teacher directory, booking and sessions, progress, earnings, calendar feed.
export const sessionsProcedures = {
  teachers: router({
    list: authedProcedure
      .meta(rest({ method: "GET", path: "/teachers", summary: "The teacher directory", errors: [400, 401] }))
      .input(TeacherDirectoryInput)
      .output(TeacherPageOutput)
      .query(({ ctx, input }) => directory.listTeachers(ctx.db, input)),
    get: authedProcedure
      .meta(rest({ method: "GET", path: "/teachers/{teacherId}", summary: "One teacher", errors: [400, 401, 404] }))
      .input(TeacherIdInput)
      .output(TeacherOutput)
      .query(({ ctx, input }) => directory.getTeacher(ctx.db, input.teacherId)),
    // POST: the session length is one of a set of numbers, which a query string cannot carry typed.
    slots: authedProcedure
      .meta(
        rest({
          method: "POST",
          path: "/teachers/{teacherId}/slots",
          summary: "A teacher's free slots",
          errors: [400, 401, 404],
        }),
      )
      .input(TeacherSlotsInput)
      .output(TeacherSlotsOutput)
      .query(({ ctx, input }) => directory.teacherSlots(ctx.db, ctx.user.id, input)),
  }),
  availability: router({
    get: teacherProcedure.query(({ ctx }) => availability.getAvailability(ctx.db, ctx.user.id)),
    setWeekly: teacherProcedure
      .input(SetWeeklyAvailabilityInput)
      .mutation(({ ctx, input }) => availability.setWeeklyAvailability(ctx.db, ctx.user.id, input.rules)),
    addOverride: teacherProcedure
      .input(AddAvailabilityOverrideInput)
      .mutation(({ ctx, input }) => availability.addOverride(ctx.db, ctx.user.id, input)),
    removeOverride: teacherProcedure
      .input(AvailabilityOverrideIdInput)
      .mutation(({ ctx, input }) => availability.removeOverride(ctx.db, ctx.user.id, input.overrideId)),
  }),
  profile: router({
    get: teacherProcedure.query(({ ctx }) => directory.getTeacherProfile(ctx.db, ctx.user.id)),
    update: teacherProcedure
      .input(UpdateTeacherProfileInput)
      .mutation(({ ctx, input }) => directory.updateTeacherProfile(ctx.db, ctx.user.id, input)),
  }),
  sessions: router({
    book: learnerProcedure
      .meta(
        rest({
          method: "POST",
          path: "/sessions",
          summary: "Book a session",
          errors: [400, 401, 404, 409, 429],
          idempotent: true,
        }),
      )
      .input(BookSessionInput)
      .output(syncChecked(SessionOutput))
      .use(idempotent)
      .mutation(({ ctx, input }) => sessions.bookSession(ctx.db, actor(ctx), input)),
    upcoming: authedProcedure
      .meta(rest({ method: "GET", path: "/sessions/upcoming", summary: "My upcoming sessions", errors: [400, 401] }))
      .input(ListPageInput)
      .output(documentedOutput(SessionPageOutput))
      .query(({ ctx, input }) => sessions.listSessions(ctx.db, actor(ctx), "upcoming", input)),
    past: authedProcedure
      .meta(rest({ method: "GET", path: "/sessions/past", summary: "My past sessions", errors: [400, 401] }))
      .input(ListPageInput)
      .output(documentedOutput(SessionPageOutput))
      .query(({ ctx, input }) => sessions.listSessions(ctx.db, actor(ctx), "past", input)),
    cancelled: authedProcedure
      .meta(rest({ method: "GET", path: "/sessions/cancelled", summary: "My cancelled sessions", errors: [400, 401] }))
      .input(ListPageInput)
      .output(documentedOutput(SessionPageOutput))
      .query(({ ctx, input }) => sessions.listSessions(ctx.db, actor(ctx), "cancelled", input)),
    get: authedProcedure
      .meta(
        rest({ method: "GET", path: "/sessions/{sessionId}", summary: "One of my sessions", errors: [400, 401, 404] }),
      )
      .input(SessionIdInput)
      .output(syncChecked(SessionOutput))
      .query(({ ctx, input }) => sessions.getSession(ctx.db, actor(ctx), input.sessionId)),
    cost: learnerProcedure
      .input(SessionCostInput)
      .query(({ ctx, input }) => pricing.sessionCost(ctx.db, ctx.user.id, input.durationMinutes)),
    changePreview: authedProcedure
      .input(SessionIdInput)
      .query(({ ctx, input }) => sessions.changePreview(ctx.db, actor(ctx), input.sessionId)),
    reschedule: authedProcedure
      .input(RescheduleSessionInput)
      .use(idempotent)
      .mutation(({ ctx, input }) => sessions.rescheduleSession(ctx.db, actor(ctx), input)),
    cancel: authedProcedure
      .meta(
        rest({
          method: "POST",
          path: "/sessions/{sessionId}/cancel",
          summary: "Cancel a session",
          errors: [400, 401, 404, 409, 429],
          idempotent: true,
        }),
      )
      .input(CancelSessionInput)
      .output(syncChecked(SessionOutput))
      .use(idempotent)
      .mutation(({ ctx, input }) => sessions.cancelSession(ctx.db, actor(ctx), input)),
    report: authedProcedure
      .input(SessionReportInput)
      .mutation(({ ctx, input }) => sessions.reportSession(ctx.db, actor(ctx), input)),
    rate: authedProcedure
      .input(RateSessionInput)
      .mutation(({ ctx, input }) => sessions.rateSession(ctx.db, actor(ctx), input)),
    setMeetingUrl: authedProcedure
      .input(SetMeetingUrlInput)
      .mutation(({ ctx, input }) => sessions.setMeetingUrl(ctx.db, actor(ctx), input)),
    markLearnerAbsent: authedProcedure
      .input(SessionIdInput)
      .mutation(({ ctx, input }) => disputes.markLearnerAbsent(ctx.db, actor(ctx), input.sessionId)),
    reportTeacherAbsent: authedProcedure
      .input(ReportTeacherAbsentInput)
      .mutation(({ ctx, input }) => disputes.reportTeacherAbsent(ctx.db, actor(ctx), input)),
  }),
  progress: learnerProcedure.query(({ ctx }) => progress.learnerProgress(ctx.db, ctx.user.id)),
  earnings: teacherProcedure
    .input(EarningsInput)
    .query(({ ctx, input }) => progress.teacherEarnings(ctx.db, ctx.user.id, input)),
  calendar: router({
    get: authedProcedure.query(({ ctx }) => calendar.getCalendarFeed(ctx.db, ctx.user.id)),
    rotate: authedProcedure.mutation(({ ctx }) => calendar.rotateCalendarFeed(ctx.db, ctx.user.id, ctx.env.API_URL)),
  }),
};

/** Admin: sessions list, create, edit, cancel, delete. Mounted under admin.sessions.* */
export const adminSessionsProcedures = {
  list: adminProcedure
    .input(AdminListSessionsInput)
    .query(({ ctx, input }) => adminSessions.adminListSessions(ctx.db, actor(ctx), input)),
  get: adminProcedure
    .input(SessionIdInput)
    .query(({ ctx, input }) => adminSessions.adminGetSession(ctx.db, actor(ctx), input.sessionId)),
  cost: adminProcedure
    .input(AdminSessionCostInput)
    .query(({ ctx, input }) => pricing.sessionCost(ctx.db, input.learnerId, input.durationMinutes)),
  create: adminProcedure
    .input(AdminCreateSessionInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => adminSessions.adminCreateSession(ctx.db, actor(ctx), input)),
  update: adminProcedure
    .input(AdminUpdateSessionInput)
    .mutation(({ ctx, input }) => adminSessions.adminUpdateSession(ctx.db, actor(ctx), input)),
  cancel: adminProcedure
    .input(AdminCancelSessionInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => adminSessions.adminCancelSession(ctx.db, actor(ctx), input)),
  delete: adminProcedure
    .input(AdminDeleteSessionInput)
    .mutation(({ ctx, input }) => adminSessions.adminDeleteSession(ctx.db, actor(ctx), input)),
  reverse: adminProcedure
    .input(AdminReverseSessionInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => disputes.adminReverseSession(ctx.db, actor(ctx), input)),
  disputes: adminProcedure
    .input(AdminListDisputesInput)
    .query(({ ctx, input }) => disputes.adminListDisputes(ctx.db, actor(ctx), input)),
  resolveDispute: adminProcedure
    .input(AdminResolveDisputeInput)
    .use(idempotent)
    .mutation(({ ctx, input }) => disputes.adminResolveDispute(ctx.db, actor(ctx), input)),
};
