// Hash routes (#/calendar, #/leads/ID): they work under any static mount of dist/ and need no
// server-side fallback.
import { useEffect, useState } from "react";

function current(): string[] {
  return window.location.hash.replace(/^#\/?/, "").split("?")[0]!.split("/").filter(Boolean).map(decodeURIComponent);
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onChange = () => setRoute(current());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

export function navigate(path: string): void {
  window.location.hash = path.startsWith("/") ? path : `/${path}`;
}

export function href(path: string): string {
  return `#${path.startsWith("/") ? path : `/${path}`}`;
}
