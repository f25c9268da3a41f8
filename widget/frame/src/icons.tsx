/** Inline SVG icons (no asset requests, nothing inlined into HTML). All decorative: aria-hidden. */
type P = { size?: number };

export const ChatIcon = ({ size = 28 }: P) => (
  <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path
      fill="currentColor"
      d="M12 3C6.5 3 2 6.8 2 11.5c0 2.3 1.1 4.4 2.9 5.9-.2 1.3-.8 2.6-1.8 3.6 2 .1 3.9-.6 5.3-1.7 1.1.3 2.3.5 3.6.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3Zm-4.5 9.7a1.2 1.2 0 1 1 0-2.4 1.2 1.2 0 0 1 0 2.4Zm4.5 0a1.2 1.2 0 1 1 0-2.4 1.2 1.2 0 0 1 0 2.4Zm4.5 0a1.2 1.2 0 1 1 0-2.4 1.2 1.2 0 0 1 0 2.4Z"
    />
  </svg>
);

export const CloseIcon = ({ size = 20 }: P) => (
  <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" d="M6 6l12 12M18 6 6 18" />
  </svg>
);

export const SendIcon = ({ size = 20 }: P) => (
  <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z" />
  </svg>
);

export const CheckIcon = ({ size = 14 }: P) => (
  <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
    <path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" d="m3.5 8.5 3 3 6-7" />
  </svg>
);

export const ClockIcon = ({ size = 12 }: P) => (
  <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
    <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.6" />
    <path fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" d="M8 4.8V8l2 1.4" />
  </svg>
);

export const AlertIcon = ({ size = 14 }: P) => (
  <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
    <circle cx="8" cy="8" r="7" fill="currentColor" />
    <path stroke="#fff" stroke-width="1.8" stroke-linecap="round" d="M8 4.5v4.2M8 11.3v.1" />
  </svg>
);

export const LockIcon = ({ size = 14 }: P) => (
  <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
    <rect x="3" y="7" width="10" height="7.5" rx="1.8" fill="currentColor" />
    <path fill="none" stroke="currentColor" stroke-width="1.7" d="M5.2 7V5.3a2.8 2.8 0 0 1 5.6 0V7" />
  </svg>
);

/** The knowledge-base bot's avatar: a small robot head, so its answers never pass for a person's. */
export const BotIcon = ({ size = 16 }: P) => (
  <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
    <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="M12 3v3M5 8h14a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V9a1 1 0 0 1 1-1Z" />
    <circle cx="9" cy="13" r="1.4" fill="currentColor" />
    <circle cx="15" cy="13" r="1.4" fill="currentColor" />
  </svg>
);
