// The API's shapes, taken from the generated schema (src/client/schema.d.ts), plus the parts
// its JSON columns leave open (transcript turns, barge-ins).
import type { components } from "../client/schema";

type S = components["schemas"];
export type Me = S["SessionPublic"];
export type Appointment = S["AppointmentPublic"];
export type AppointmentDetail = S["AppointmentDetail"];
export type LeadSummary = S["LeadPublic"];
export type LeadDetail = S["LeadDetail"];
export type LeadEvent = S["LeadEventPublic"];
export type LeadCall = S["LeadCallPublic"];
export type LeadAppointment = S["LeadAppointmentPublic"];
export type LeadUpdate = S["LeadUpdate"];
export type CallSummary = S["CallPublic"];
export type CallDetail = S["CallDetail"];
export type Business = S["BusinessPublic"];
export type BusinessUpdate = S["BusinessUpdate"];
export type BookingRules = S["BookingRulesPublic"];
export type BargeInPolicy = S["BargeInPublic"];
export type Slots = S["SlotsPublic"];
export type Holiday = S["HolidayPublic"];
export type Ranges = [string, string][];

export interface TranscriptTurn {
  role: string;
  text: string;
  at_ms?: number;
  interrupted_at_ms?: number;
}

export interface BargeIn {
  /** "committed" cut the agent off; the other decisions (candidate, paused, resumed...) did not. */
  kind?: string;
  at_ms: number;
  items?: { item_id: string; heard_ms: number }[];
  cancelled_response?: string | null;
}

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const LEAD_STATUSES = ["new", "contacted", "booked", "customer", "lost", "spam"] as const;
