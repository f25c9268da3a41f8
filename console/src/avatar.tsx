/** A person's initials on a colour picked from their id (decorative: the name is always written next to it). */
import { colorSlot, initials } from './format.js';

export function Avatar(props: { id: string; name: string; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <span class={`avatar avatar-${props.size ?? 'md'} avatar-c${colorSlot(props.id)}`} aria-hidden="true">
      {initials(props.name)}
    </span>
  );
}

// ==================================================================== top bar
