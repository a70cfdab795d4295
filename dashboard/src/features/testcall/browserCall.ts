// One test call from the browser: microphone -> 8 kHz mu-law -> Twilio Media Streams JSON over
// WS /api/v1/test-call, and the server's media/mark/clear back, exactly as Twilio would.
import { startCapture } from "./capture";
import { Downsampler } from "./downsampler";
import { encode, fromBase64, toBase64 } from "./mulaw";
import { Playback } from "./playback";

export type CallStatus = "idle" | "connecting" | "live" | "ended" | "failed";

export interface CallStats {
  framesSent: number;
  framesReceived: number;
  marksEchoed: number;
  clears: number;
  level: number;
  startedAt: number | null;
}

const FRAME_BYTES = 160; // 20 ms at 8 kHz

function randomSid(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class BrowserCall {
  status: CallStatus = "idle";
  stats: CallStats = { framesSent: 0, framesReceived: 0, marksEchoed: 0, clears: 0, level: 0, startedAt: null };
  readonly events: string[] = [];
  private socket: WebSocket | null = null;
  private context: AudioContext | null = null;
  private stopCapture: (() => void) | null = null;
  private playback: Playback | null = null;
  private ticker = 0;
  private sequence = 0;
  private pending = new Uint8Array(0);
  private readonly streamSid = randomSid("MZ");
  private readonly callSid = randomSid("CA");

  constructor(private readonly onChange: () => void) {}

  async start(): Promise<void> {
    this.setStatus("connecting");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
      });
      this.context = new AudioContext();
      await this.context.resume();
      const downsampler = new Downsampler(this.context.sampleRate);
      this.playback = new Playback(this.context, (name) => this.send({ event: "mark", mark: { name } }, () => this.stats.marksEchoed++));
      const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/test-call`;
      const socket = new WebSocket(url);
      this.socket = socket;
      await new Promise<void>((resolve, reject) => {
        socket.onopen = () => resolve();
        socket.onerror = () => reject(new Error("websocket"));
      });
      socket.onmessage = (event) => this.receive(String(event.data));
      socket.onclose = () => this.finish(this.status === "failed" ? "failed" : "ended");
      this.send({ event: "connected", protocol: "Call", version: "1.0.0" });
      this.send({
        event: "start",
        start: {
          streamSid: this.streamSid, accountSid: "ACbrowser", callSid: this.callSid, tracks: ["inbound"], customParameters: {},
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        },
      });
      this.stats.startedAt = Date.now();
      this.setStatus("live");
      this.stopCapture = await startCapture(this.context, stream, (block) => this.capture(downsampler.push(block), block));
      this.ticker = window.setInterval(() => {
        this.playback?.tick();
        this.onChange();
      }, 20);
    } catch (error) {
      this.log(`error: ${error instanceof Error ? error.message : String(error)}`);
      this.finish("failed");
      throw error;
    }
  }

  hangUp(): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.send({ event: "stop", stop: { accountSid: "ACbrowser", callSid: this.callSid } });
      this.socket.close(1000);
    }
    this.finish("ended");
  }

  private capture(samples: Float32Array, raw: Float32Array): void {
    let sum = 0;
    for (let i = 0; i < raw.length; i++) sum += raw[i]! * raw[i]!;
    this.stats.level = Math.sqrt(sum / Math.max(1, raw.length));
    const bytes = encode(samples);
    const joined = new Uint8Array(this.pending.length + bytes.length);
    joined.set(this.pending);
    joined.set(bytes, this.pending.length);
    let offset = 0;
    for (; offset + FRAME_BYTES <= joined.length; offset += FRAME_BYTES) {
      const frame = joined.subarray(offset, offset + FRAME_BYTES);
      const chunk = this.stats.framesSent + 1;
      this.send({ event: "media", media: { track: "inbound", chunk: String(chunk), timestamp: String(chunk * 20), payload: toBase64(frame) } },
        () => this.stats.framesSent++);
    }
    this.pending = joined.slice(offset);
  }

  private receive(text: string): void {
    let message: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    switch (message.event) {
      case "media":
        if (message.media?.payload) {
          this.playback?.play(fromBase64(message.media.payload));
          if (this.stats.framesReceived++ % 50 === 0) this.log(`← agent audio (${this.stats.framesReceived} frames)`);
        }
        break;
      case "mark":
        if (message.mark?.name) this.playback?.mark(message.mark.name);
        break;
      case "clear":
        this.stats.clears++;
        this.log("← clear (barge-in)");
        this.playback?.clear();
        break;
      default:
        this.log(`← ${message.event ?? "?"}`);
    }
  }

  private send(message: Record<string, unknown>, onSent?: () => void): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.sequence++;
    this.socket.send(JSON.stringify({ ...message, sequenceNumber: String(this.sequence), streamSid: this.streamSid }));
    onSent?.();
    if (message.event === "mark") {
      if (this.stats.marksEchoed % 25 === 1) this.log(`→ mark echoed after playback (${this.stats.marksEchoed})`);
    } else if (message.event !== "media") {
      this.log(`→ ${String(message.event)}`);
    }
  }

  private finish(status: CallStatus): void {
    if (this.status === "ended" || this.status === "failed") return;
    window.clearInterval(this.ticker);
    this.stopCapture?.();
    this.stopCapture = null;
    void this.context?.close();
    this.context = null;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close();
    this.log(status === "failed" ? "call failed" : "call ended");
    this.setStatus(status);
  }

  private setStatus(status: CallStatus): void {
    this.status = status;
    this.onChange();
  }

  private log(line: string): void {
    const secs = this.stats.startedAt ? ((Date.now() - this.stats.startedAt) / 1000).toFixed(2) : "0.00";
    this.events.push(`${secs.padStart(6)}s  ${line}`);
    if (this.events.length > 200) this.events.shift();
  }
}
