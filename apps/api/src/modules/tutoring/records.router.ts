// Onboarding answers and writing assessments, and their review queues. Mounted under tutoring.*
import {
  AssessmentIdInput,
  LearnerIdInput,
  ListAssessmentsInput,
  ListOnboardingInput,
  ReviewAssessmentInput,
  SaveOnboardingInput,
  SubmitAssessmentInput,
} from "@lectern/api-contract";
import { AppError } from "../../errors.ts";
import { authedProcedure, router, teacherProcedure, toTRPCError } from "../../trpc.ts";
import * as assessment from "./assessment.ts";
import * as onboarding from "./onboarding.ts";

/** Questionnaires and assessments are the learner's own: teachers and admins do not fill them in. */
const learnerProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "learner") throw toTRPCError(new AppError("FORBIDDEN", "Only learners can do this"));
  return next();
});

const viewer = (ctx: { user: { id: string; role: onboarding.Viewer["role"] }; ip: string | null }) => ({
  id: ctx.user.id,
  role: ctx.user.role,
  ip: ctx.ip,
});

export const recordsProcedures = {
  onboarding: router({
    /** The caller's own answers, or null. */
    get: authedProcedure.query(({ ctx }) => onboarding.getOwnOnboarding(ctx.db, viewer(ctx))),
    save: learnerProcedure
      .input(SaveOnboardingInput)
      .mutation(({ ctx, input }) => onboarding.saveOnboarding(ctx.db, viewer(ctx), input)),
    /** The learner themself, their teachers and admins; 404 LEARNER_NOT_FOUND for anyone else. */
    forLearner: authedProcedure
      .input(LearnerIdInput)
      .query(({ ctx, input }) => onboarding.getOnboardingFor(ctx.db, viewer(ctx), input.learnerId)),
    markReviewed: teacherProcedure
      .input(LearnerIdInput)
      .mutation(({ ctx, input }) => onboarding.markOnboardingReviewed(ctx.db, viewer(ctx), input.learnerId)),
  }),
  assessment: router({
    submit: learnerProcedure
      .input(SubmitAssessmentInput)
      .mutation(({ ctx, input }) => assessment.submitAssessment(ctx.db, viewer(ctx), input)),
    mine: authedProcedure.query(({ ctx }) => assessment.listOwnAssessments(ctx.db, viewer(ctx))),
    /** The learner, their teachers and admins; 404 ASSESSMENT_NOT_FOUND for anyone else. */
    get: authedProcedure
      .input(AssessmentIdInput)
      .query(({ ctx, input }) => assessment.getAssessment(ctx.db, viewer(ctx), input.assessmentId)),
    review: teacherProcedure
      .input(ReviewAssessmentInput)
      .mutation(({ ctx, input }) => assessment.reviewAssessment(ctx.db, viewer(ctx), input)),
  }),
  /** Review queues: admins see everyone's, teachers their own learners'. */
  reviews: router({
    assessments: teacherProcedure
      .input(ListAssessmentsInput)
      .query(({ ctx, input }) => assessment.listAssessments(ctx.db, viewer(ctx), input)),
    onboarding: teacherProcedure
      .input(ListOnboardingInput)
      .query(({ ctx, input }) => onboarding.listOnboarding(ctx.db, viewer(ctx), input)),
  }),
};
