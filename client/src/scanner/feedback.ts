/** Per-scan sound and vibration, so an operator knows the result without looking. */
let audio: AudioContext | null = null;

/**
 * Creating the first AudioContext blocks the page while the audio device opens (~300 ms in
 * headless Chromium here, tens of ms on phones), so a screen that scans opens it when the page is
 * idle, not on the first scan, where it held back that scan's feedback and its sending. Before
 * any key or tap the browser starts it suspended; the first beep resumes it (a key is a gesture).
 */
export function prepareFeedback(): void {
  if (audio || typeof AudioContext === 'undefined') return;
  const open = () => {
    try {
      audio ??= new AudioContext();
    } catch {
      // No audio device: scans flash and vibrate only.
    }
  };
  if ('requestIdleCallback' in window) requestIdleCallback(open, { timeout: 2_000 });
  else setTimeout(open, 500);
}

function beep(frequency: number, durationMs: number, type: OscillatorType) {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
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
