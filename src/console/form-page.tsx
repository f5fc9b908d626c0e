import type { ComponentChildren } from 'preact';
import { ErrorSummary, type FieldState } from '../web/forms.js';
import { ConsoleLayout, type ConsoleFrame } from './layout.js';

// The shape every console form shares: the error summary that links to each field, then a
// form that posts with the session's CSRF token and ends in one submit button. The fields are
// the caller's; the browser's own checks are off so the server's messages are the ones shown.

export interface ConsoleFormProps {
  action: string;
  csrf: string;
  state: FieldState;
  labels: Record<string, string>;
  message?: string | undefined;
  submit: string;
  children: ComponentChildren;
}

export function ConsoleForm(p: ConsoleFormProps) {
  return (
    <>
      <ErrorSummary state={p.state} labels={p.labels} message={p.message} />
      <form class="console-form" method="post" action={p.action} novalidate>
        <input type="hidden" name="_csrf" value={p.csrf} />
        {p.children}
        <button class="console-button" type="submit">
          {p.submit}
        </button>
      </form>
    </>
  );
}

/** A console page that is one form: the frame, the way back, the title, then the form. */
export function ConsoleFormPage(
  p: ConsoleFrame &
    Omit<ConsoleFormProps, 'csrf'> & {
      title: string;
      /** The console section it belongs to (highlighted in the menu). */
      current: string;
      back: { href: string; label: string };
      /** What to read before the form, between the title and the error summary. */
      intro?: ComponentChildren;
    },
) {
  return (
    <ConsoleLayout site={p.site} title={p.title} staff={p.staff} csrf={p.csrf} current={p.current}>
      <p class="console-back">
        <a href={p.back.href}>{p.back.label}</a>
      </p>
      <h1>{p.title}</h1>
      {p.intro}
      <ConsoleForm
        action={p.action}
        csrf={p.csrf}
        state={p.state}
        labels={p.labels}
        message={p.message}
        submit={p.submit}
      >
        {p.children}
      </ConsoleForm>
    </ConsoleLayout>
  );
}
