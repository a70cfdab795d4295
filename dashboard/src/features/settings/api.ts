import { client, unwrap } from "../../lib/http";
import type { BargeInPolicy, BookingRules, BusinessUpdate } from "../../lib/types";

export const getBusiness = () => unwrap(client.GET("/api/v1/business"));
export const updateBusiness = (body: BusinessUpdate) => unwrap(client.PATCH("/api/v1/business", { body }));
export const getBooking = () => unwrap(client.GET("/api/v1/business/booking")).then((r) => r as BookingRules);
export const saveBooking = (body: BookingRules) => unwrap(client.PUT("/api/v1/business/booking", { body }));
export const getHolidays = () => unwrap(client.GET("/api/v1/business/holidays")).then((r) => r.items);
export const acceptHoliday = (date: string) => unwrap(client.POST("/api/v1/business/holidays/accept", { body: { date, short_day_close: "13:00" } }));
export const getBargeIn = () => unwrap(client.GET("/api/v1/business/barge-in"));
export const saveBargeIn = (body: BargeInPolicy) => unwrap(client.PUT("/api/v1/business/barge-in", { body }));
