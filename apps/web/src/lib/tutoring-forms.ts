import { MeetingUrl } from "@lectern/api-contract";
import { z } from "zod";

/**
 * A meeting link as a form field: the contract's MeetingUrl, where an empty field means "no link"
 * (null), as the procedures that take a nullable link expect.
 */
export const OptionalMeetingUrl = z.union([z.literal("").transform(() => null), MeetingUrl]).nullable();
