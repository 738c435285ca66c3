import { createAccessControl } from "better-auth/plugins/access";
import { adminAc, defaultStatements } from "better-auth/plugins/admin/access";

/** Lectern's roles for better-auth's admin plugin: only admins hold admin permissions. */
export const ac = createAccessControl(defaultStatements);

export const roles = {
  learner: ac.newRole({ user: [], session: [] }),
  teacher: ac.newRole({ user: [], session: [] }),
  admin: adminAc,
};
