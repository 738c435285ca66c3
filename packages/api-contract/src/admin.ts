import { z } from "zod";
import { Role } from "./account.ts";
import { PAGE_MAX, USER_QUERY_MAX, USER_SORT_FIELDS } from "./values.ts";

// The lists' schemas beside this one take PAGE_MAX from here.
export { PAGE_MAX };
export const PAGE_SIZE_MAX = 100;

const Page = {
  page: z.number().int().min(1).max(PAGE_MAX).default(1),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).default(20),
};

export const SearchUsersInput = z.object({
  query: z.string().trim().max(USER_QUERY_MAX).default(""),
  role: Role.optional(),
  status: z.enum(["active", "disabled"]).optional(),
  sortBy: z.enum(USER_SORT_FIELDS).default("createdAt"),
  sortDir: z.enum(["asc", "desc"]).default("desc"),
  ...Page,
});
export type SearchUsersInput = z.infer<typeof SearchUsersInput>;

export const UserIdInput = z.object({ userId: z.string().min(1).max(100) });

export const SetRoleInput = z.object({ userId: z.string().min(1).max(100), role: Role });

export const DisableUserInput = z.object({
  userId: z.string().min(1).max(100),
  reason: z.string().trim().min(1, "Required").max(500),
});

export const AUDIT_TARGET_TYPES = ["user", "session", "email"] as const;

/** Every action the audit log records; the console has a label for each. */
export const AUDIT_ACTIONS = [
  "user.role.change",
  "user.disable",
  "user.enable",
  "user.password_reset.send",
  "user.impersonate.start",
  "user.impersonate.stop",
  "credit_pack.create",
  "credit_pack.update",
  "credit_pack.activate",
  "credit_pack.deactivate",
  "credit.grant",
  "credit.expire",
  "teacher.rate.set",
  "assessment.review",
  "onboarding.review",
  "tutoring.session.book",
  "tutoring.session.reschedule",
  "tutoring.session.cancel",
  "tutoring.session.complete",
  "tutoring.session.create",
  "tutoring.session.update",
  "tutoring.session.delete",
  "tutoring.session.learner_absent",
  "tutoring.session.teacher_absent",
  "tutoring.session.dispute.resolve",
  "tutoring.session.reverse",
  "provider_event.replay",
  "order.refund",
  "order.refund.settle",
  "wallet.adjust",
  "withdrawal.approve",
  "withdrawal.reject",
  "withdrawal.mark_paid",
  "withdrawal.mark_failed",
  "withdrawal.limits.update",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const ListAuditInput = z.object({
  actorId: z.string().max(100).optional(),
  targetId: z.string().max(100).optional(),
  /** Rows about this person: they are the target, or the learner or teacher of the target session or assessment. */
  personId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  ...Page,
});
export type ListAuditInput = z.infer<typeof ListAuditInput>;

export const ListOutboxInput = z.object({
  to: z.string().trim().max(254).optional(),
  ...Page,
});
export type ListOutboxInput = z.infer<typeof ListOutboxInput>;
