// Microphone rate (44.1/48 kHz) -> 8 kHz: each output sample is the mean of the input samples
// in its window (a box low-pass, enough against aliasing for speech), with the fractional
// position carried across chunks so no sample is lost or repeated.
export class Downsampler {
  private readonly ratio: number;
  private rest = new Float32Array(0);
  private position = 0;

  constructor(inputRateHz: number, readonly outputRateHz = 8000) {
    this.ratio = inputRateHz / outputRateHz;
  }

  push(chunk: Float32Array): Float32Array {
    const buffer = new Float32Array(this.rest.length + chunk.length);
    buffer.set(this.rest);
    buffer.set(chunk, this.rest.length);
    const out: number[] = [];
    let pos = this.position;
    while (pos + this.ratio <= buffer.length) {
      const from = Math.floor(pos);
      const to = Math.max(from + 1, Math.floor(pos + this.ratio));
      let sum = 0;
      for (let i = from; i < to; i++) sum += buffer[i]!;
      out.push(sum / (to - from));
      pos += this.ratio;
    }
    const kept = Math.floor(pos);
    this.rest = buffer.slice(kept);
    this.position = pos - kept;
    return Float32Array.from(out);
  }
}
