/**
 * How a new visitor message reaches an agent who is not looking: a short chime (Web Audio, no file)
 * and, when the agent turned them on, a desktop notification while the tab is hidden.
 *
 * Browsers start audio only after a user gesture in the tab: the chime is unlocked on the first
 * click or key press, and until then the top bar says so ("click anywhere to turn on sound").
 * Desktop notifications are a visible on/off switch; turning them on asks the browser's permission.
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n.js';

const PREF_KEY = 'parley.console.desktopNotifications';
let audio: AudioContext | null = null;
let unlocked = false;
const listeners = new Set<() => void>();

/** Creates or resumes the audio context from inside a user gesture (the only time browsers allow it). */
export function unlockSound(): void {
  try {
    const ctx = (audio ??= new AudioContext());
    void ctx.resume().then(() => {
      unlocked = ctx.state === 'running';
      listeners.forEach((l) => l());
    });
  } catch {
    /* no Web Audio: the badge and the title still show new messages */
  }
}

if (typeof document !== 'undefined') {
  const once = () => {
    unlockSound();
    document.removeEventListener('pointerdown', once, true);
    document.removeEventListener('keydown', once, true);
  };
  document.addEventListener('pointerdown', once, true);
  document.addEventListener('keydown', once, true);
}

function chime(): void {
  if (!audio || audio.state !== 'running') return; // locked: the badge and the title still show it
  const now = audio.currentTime;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + i * 0.12);
    gain.gain.exponentialRampToValueAtTime(0.12, now + i * 0.12 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + i * 0.12);
    osc.stop(now + i * 0.12 + 0.3);
  }
}

/** The agent's choice, remembered on this browser; effective only with the browser's permission. */
export function desktopNotificationsWanted(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): boolean {
  try {
    return storage?.getItem(PREF_KEY) === 'on';
  } catch {
    return false;
  }
}

export function announceMessage(visitorName: string, body: string, onClick: () => void): void {
  chime();
  if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && desktopNotificationsWanted() && document.visibilityState === 'hidden') {
    const n = new Notification(t.newMessageFrom(visitorName), { body: body.slice(0, 140), tag: 'parley-message' });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  }
}

/** The top bar's switch for desktop notifications, and the note while sound is still locked. */
export function NotificationControls() {
  const supported = typeof Notification !== 'undefined';
  const [perm, setPerm] = useState<NotificationPermission>(supported ? Notification.permission : 'denied');
  const [wanted, setWanted] = useState(desktopNotificationsWanted());
  const [soundOn, setSoundOn] = useState(unlocked);
  useEffect(() => {
    const l = () => setSoundOn(unlocked);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  const on = supported && perm === 'granted' && wanted;
  const toggle = async () => {
    const next = !on;
    const p = next && supported && Notification.permission === 'default' ? await Notification.requestPermission() : supported ? Notification.permission : 'denied';
    setPerm(p);
    try {
      localStorage.setItem(PREF_KEY, next ? 'on' : 'off');
    } catch {
      /* storage blocked: this session only */
    }
    setWanted(next);
  };
  return (
    <>
      {!soundOn && (
        <span class="sound-note muted" role="status" title={t.soundLockedWhy}>
          {t.soundLocked}
        </span>
      )}
      <button type="button" class="btn btn-ghost notify-toggle" aria-pressed={on} disabled={!supported || perm === 'denied'} title={perm === 'denied' ? t.notifyBlocked : t.notifyHelp} onClick={() => void toggle()}>
        <span class={`presence-dot ${on ? 'is-online' : 'is-offline'}`} aria-hidden="true" />
        {t.notifyLabel}
      </button>
    </>
  );
}
