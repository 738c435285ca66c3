// Loaded by the sign-in page after it shows (a dynamic import of the contract's index would keep every
// schema, and zod, in the first download: that index is already part of it).
export { SignInInput } from "@lectern/api-contract";
