// The one way the dashboard talks to the API: openapi-fetch over the generated schema types
// (src/client/schema.d.ts), plus the session's CSRF header and one error type for every refusal.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "../client/schema";

export const API = "/api/v1";

/** A refusal from the API, with its status and the JSON `detail` it sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === "string" ? detail : `HTTP ${status}`);
  }
}

let csrfToken = "";
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method) && csrfToken) request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
};

export const client = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
client.use(csrf);

let onUnauthorized: () => void = () => {};
/** Called when any request answers 401 (the session expired): the app shows the login page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the JSON detail. */
export async function unwrap<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result;
  try {
    result = await pending;
  } catch {
    throw new ApiError(0, "network");
  }
  const { data, error, response } = result;
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    const detail = error && typeof error === "object" && "detail" in error ? (error as { detail: unknown }).detail : error;
    throw new ApiError(response.status, detail);
  }
  return data as D;
}

/** The `field` -> message map of a 422 validation answer (`detail: [{field, msg}]`). */
export function fieldErrors(error: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  if (error instanceof ApiError && error.status === 422 && Array.isArray(error.detail)) {
    for (const item of error.detail as { field?: string; loc?: unknown[]; msg?: string }[]) {
      const field = item.field ?? (item.loc ?? []).filter((p) => p !== "body").join(".");
      if (field && !found[field]) found[field] = item.msg ?? "invalid";
    }
  }
  return found;
}
