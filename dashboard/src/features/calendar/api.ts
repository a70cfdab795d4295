import { client, unwrap } from "../../lib/http";
import type { BookingRules } from "../../lib/types";

const P = "/api/v1/appointments/{appointment_id}" as const;

export const listAppointments = (start: string, end: string) =>
  unwrap(client.GET("/api/v1/appointments", { params: { query: { start, end } } })).then((r) => r.items);
export const getAppointment = (id: string) => unwrap(client.GET(P, { params: { path: { appointment_id: id } } }));
export const createAppointment = (body: { date: string; time: string; customer_name: string; notes?: string }) =>
  unwrap(client.POST("/api/v1/appointments", { body }));
export const moveAppointment = (id: string, date: string, time: string) =>
  unwrap(client.PATCH(P, { params: { path: { appointment_id: id } }, body: { date, time } }));
export const cancelAppointment = (id: string) =>
  unwrap(client.POST(`${P}/cancel`, { params: { path: { appointment_id: id } }, body: {} }));
export const getSlots = (date: string, time?: string) =>
  unwrap(client.GET("/api/v1/slots", { params: { query: time ? { date, time } : { date } } }));
export const getBookingRules = () => unwrap(client.GET("/api/v1/business/booking")).then((r) => r as BookingRules);
