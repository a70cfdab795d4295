// Plays the agent's 8 kHz mu-law audio gaplessly and knows when each mark's audio has been
// heard, as Twilio does: a mark is echoed once everything sent before it has played, and
// `clear` drops the queued audio and echoes the pending marks at once.
import { decode } from "./mulaw";

export class Playback {
  private playhead = 0;
  private sources = new Set<AudioBufferSourceNode>();
  private marks: { name: string; at: number }[] = [];

  constructor(private readonly context: AudioContext, private readonly onMarkPlayed: (name: string) => void) {}

  play(ulaw: Uint8Array): void {
    const samples = decode(ulaw);
    const buffer = this.context.createBuffer(1, samples.length, 8000);
    buffer.copyToChannel(samples, 0);
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    const startAt = Math.max(this.playhead, this.context.currentTime + 0.04);
    source.start(startAt);
    this.playhead = startAt + buffer.duration;
    this.sources.add(source);
    source.onended = () => this.sources.delete(source);
  }

  mark(name: string): void {
    this.marks.push({ name, at: this.playhead });
    this.tick();
  }

  /** Echoes the marks whose audio has played; call it often (every 20 ms). */
  tick(): void {
    const now = this.context.currentTime;
    while (this.marks.length && this.marks[0]!.at <= now) this.onMarkPlayed(this.marks.shift()!.name);
  }

  clear(): void {
    for (const source of this.sources) {
      try {
        source.stop();
      } catch {
        /* not started yet */
      }
    }
    this.sources.clear();
    this.playhead = this.context.currentTime;
    const pending = this.marks;
    this.marks = [];
    pending.forEach((m) => this.onMarkPlayed(m.name));
  }

  get queuedSecs(): number {
    return Math.max(0, this.playhead - this.context.currentTime);
  }
}
