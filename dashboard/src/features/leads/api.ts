import { client, unwrap } from "../../lib/http";
import type { LeadUpdate } from "../../lib/types";

export const PAGE_SIZE = 25;
const P = "/api/v1/leads/{lead_id}" as const;

export const listLeads = (q: string, status: string, page: number) =>
  unwrap(client.GET("/api/v1/leads", {
    params: { query: { page, page_size: PAGE_SIZE, ...(q ? { q } : {}), ...(status ? { status: status as LeadUpdate["status"] & string } : {}) } },
  }));
export const getLead = (id: string) => unwrap(client.GET(P, { params: { path: { lead_id: id } } }));
export const updateLead = (id: string, body: LeadUpdate) => unwrap(client.PATCH(P, { params: { path: { lead_id: id } }, body }));
