// Onboarding answers and writing assessments.
export const recordsProcedures = {};
