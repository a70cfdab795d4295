import type { ReactNode } from "react";

export type Tone = "indigo" | "green" | "red" | "amber" | "blue" | "gray";

export function Badge({ tone = "gray", plain = false, children }: { tone?: Tone; plain?: boolean; children: ReactNode }) {
  return <span className={`badge ${tone}${plain ? " plain" : ""}`}>{children}</span>;
}

const STATUS_TONES: Record<string, Tone> = {
  new: "blue", contacted: "amber", booked: "indigo", customer: "green", lost: "gray", spam: "red",
  cancelled: "gray", completed: "green", no_show: "red",
};

export function statusTone(status: string | null | undefined): Tone {
  return STATUS_TONES[status ?? ""] ?? "gray";
}
