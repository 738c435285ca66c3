// Availability, teacher directory, booking and sessions, progress, earnings, calendar feed.
export const sessionsProcedures = {};
/** Admin: sessions list, create, edit, cancel, delete. Mounted under admin.sessions.* */
export const adminSessionsProcedures = {};
