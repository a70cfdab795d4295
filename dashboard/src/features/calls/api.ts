import { client, unwrap } from "../../lib/http";
import type { CallSummary } from "../../lib/types";

export const PAGE_SIZE = 25;

export const listCalls = (page: number, direction: string) =>
  unwrap(client.GET("/api/v1/calls", {
    params: { query: { page, page_size: PAGE_SIZE, ...(direction ? { direction: direction as CallSummary["direction"] } : {}) } },
  }));
export const getCall = (id: string) => unwrap(client.GET("/api/v1/calls/{call_id}", { params: { path: { call_id: id } } }));
