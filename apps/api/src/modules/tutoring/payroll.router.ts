import { ListTeachersInput, PayrollRangeInput, SetTeacherRateInput } from "@lectern/api-contract";
import { adminProcedure, router } from "../../trpc.ts";
import * as payroll from "./payroll.ts";

const actor = (ctx: { user: { id: string }; ip: string | null }) => ({ id: ctx.user.id, ip: ctx.ip });

/** Admin: teachers' pay rates and the payroll report. Mounted under admin.* */
export const adminPayrollProcedures = {
  teachers: router({
    list: adminProcedure.input(ListTeachersInput).query(({ ctx, input }) => payroll.listTeachers(ctx.db, input)),
    setRate: adminProcedure
      .input(SetTeacherRateInput)
      .mutation(({ ctx, input }) => payroll.setTeacherRate(ctx.db, actor(ctx), input)),
  }),
  payroll: router({
    report: adminProcedure.input(PayrollRangeInput).query(({ ctx, input }) => payroll.payrollReport(ctx.db, input)),
    csv: adminProcedure.input(PayrollRangeInput).query(({ ctx, input }) => payroll.payrollCsv(ctx.db, input)),
  }),
};
