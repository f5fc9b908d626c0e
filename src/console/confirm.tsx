import { z } from 'zod';

// An action that cannot be undone is asked twice: the page shows what will happen, and the
// form needs this box ticked. The browser asks for it; the server refuses a post without it.

export const confirmMessage = 'Tick the box to confirm: this cannot be undone.';

/** The body field of a confirmed action. */
export const confirmed = z.literal('yes', { error: confirmMessage });

export function ConfirmBox({ children }: { children: string }) {
  return (
    <label class="console-confirm">
      <input type="checkbox" name="confirm" value="yes" required />
      <span>{children}</span>
    </label>
  );
}
