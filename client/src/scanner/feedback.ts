/** Per-scan sound and vibration, so an operator knows the result without looking. */
let audio: AudioContext | null = null;

function beep(frequency: number, durationMs: number, type: OscillatorType) {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = type;
    osc.frequency.value = frequency;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    const t = audio.currentTime;
    osc.start(t);
    osc.stop(t + durationMs / 1000);
  } catch {
    // No audio device or not allowed yet: the flash still shows.
  }
}

export type FeedbackKind = 'ok' | 'error' | 'queued';

export function signal(kind: FeedbackKind) {
  if (kind === 'ok') beep(1320, 90, 'sine');
  else if (kind === 'queued') beep(880, 50, 'sine');
  else beep(220, 350, 'square');
  navigator.vibrate?.(kind === 'error' ? [150, 80, 150] : 40);
}
