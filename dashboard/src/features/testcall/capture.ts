// The microphone tap: an AudioWorklet that hands the page 20 ms blocks of raw samples.
const WORKLET = `
class Tap extends AudioWorkletProcessor {
  constructor() { super(); this.block = new Float32Array(Math.round(sampleRate / 50)); this.filled = 0; }
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    let i = 0;
    while (i < channel.length) {
      const n = Math.min(channel.length - i, this.block.length - this.filled);
      this.block.set(channel.subarray(i, i + n), this.filled);
      this.filled += n; i += n;
      if (this.filled === this.block.length) { this.port.postMessage(this.block.slice(0)); this.filled = 0; }
    }
    return true;
  }
}
registerProcessor("agentlocator-tap", Tap);
`;

export async function startCapture(context: AudioContext, stream: MediaStream, onBlock: (samples: Float32Array) => void): Promise<() => void> {
  const url = URL.createObjectURL(new Blob([WORKLET], { type: "text/javascript" }));
  try {
    await context.audioWorklet.addModule(url);
  } finally {
    URL.revokeObjectURL(url);
  }
  const source = context.createMediaStreamSource(stream);
  const tap = new AudioWorkletNode(context, "agentlocator-tap");
  tap.port.onmessage = (event: MessageEvent<Float32Array>) => onBlock(event.data);
  source.connect(tap);
  // A worklet runs only while connected towards the destination; it outputs silence.
  const mute = context.createGain();
  mute.gain.value = 0;
  tap.connect(mute).connect(context.destination);
  return () => {
    source.disconnect();
    tap.disconnect();
    stream.getTracks().forEach((track) => track.stop());
  };
}
