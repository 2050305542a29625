// The two shapes every page's actions take: a form that runs what it asks for, and a confirmation
// before something that cannot be undone.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n';
import { signal, useSignal } from './signal';
import { Notice, errorText } from './util';

// A form whose submission runs `action`: the page does not reload; while it runs, its fields and
// buttons are disabled and the submit button says so; what was refused is shown under it as an
// alert, and what `action` returns (when it returns words) as a status.
export function Form({
  action,
  submit,
  class: cls,
  testid,
  children,
}: {
  action: () => Promise<string | void>;
  submit?: ComponentChildren; // the submit button's words (none: the children hold their buttons)
  class?: string;
  testid?: string;
  children?: ComponentChildren;
}) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState('');
  const [error, setError] = useState('');
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setDone('');
    setError('');
    try {
      setDone((await action()) || '');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form class={cls} data-testid={testid} onSubmit={onSubmit} aria-busy={busy}>
        <fieldset class="bare" disabled={busy}>
          {children}
          {submit !== undefined && <button type="submit">{busy ? t('loading') : submit}</button>}
        </fieldset>
      </form>
      <Notice kind="ok">{done}</Notice>
      <Notice kind="error">{error}</Notice>
    </>
  );
}

// What a confirmation says: the question, what follows when it is accepted (what it changes, what
// cannot be undone), the words of the button that does it; `danger` for what cannot be undone.
export interface Question {
  ask: string;
  consequence?: string;
  yes: string;
  danger?: boolean;
}

const pending = signal<(Question & { answer: (yes: boolean) => void }) | null>(null);

// Asks, in the page (the shell shows it: ConfirmHost); true when accepted. A second question
// while one is open answers the first "no".
export function confirmFirst(q: Question): Promise<boolean> {
  pending.get()?.answer(false);
  return new Promise((resolve) =>
    pending.set({
      ...q,
      answer: (yes) => {
        pending.set(null);
        resolve(yes);
      },
    }),
  );
}

// The open question, over the page: focus on "cancel" (the safe answer), Escape cancels, the focus
// goes back where it was when answered.
export function ConfirmHost() {
  const q = useSignal(pending);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!q) return;
    const before = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    const key = (e: KeyboardEvent) => {
      if (e.key === 'Escape') q.answer(false);
    };
    document.addEventListener('keydown', key);
    return () => {
      document.removeEventListener('keydown', key);
      before?.focus();
    };
  }, [q]);
  if (!q) return null;
  return (
    <div class="modal-backdrop">
      <div
        class="modal card"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-ask"
        aria-describedby={q.consequence ? 'confirm-consequence' : undefined}
        data-testid="confirm"
      >
        <p id="confirm-ask" class="ask">
          {q.ask}
        </p>
        {q.consequence && (
          <p id="confirm-consequence" class={q.danger ? 'consequence danger' : 'consequence'}>
            {q.consequence}
          </p>
        )}
        <p class="actions">
          <button type="button" class={q.danger ? 'danger' : ''} data-testid="confirm-yes" onClick={() => q.answer(true)}>
            {q.yes}
          </button>
          <button type="button" class="secondary" ref={cancel} data-testid="confirm-no" onClick={() => q.answer(false)}>
            {t('cancel')}
          </button>
        </p>
      </div>
    </div>
  );
}
