// Small shared pieces: error and status messages, labelled fields, page headings.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** An error from the server, shown exactly as the server wrote it. */
export function ErrorMessage({ message, id }: { message: string | null; id?: string }) {
  if (!message) return null;
  return (
    <div class="message message--error" role="alert" id={id}>
      {message}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <p class="message message--status" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="message message--empty">{children}</p>;
}

interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  children: (aria: {
    id: string;
    'aria-describedby'?: string;
    'aria-invalid'?: 'true';
  }) => JSX.Element;
}

/** A label, the control, an optional hint and an inline error, wired for screen readers. */
export function Field({ id, label, hint, error, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({ id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': 'true' as const } : {}) })}
      {error && (
        <p class="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

// The first page of a visit keeps the browser's own starting point (so "Skip to
// content" is the first Tab stop); after that, each new page moves focus to its heading.
let firstPageShown = false;

/** The page's main heading; takes focus when the reader moves to another page so
 * keyboard and screen reader users start at the top of the new content. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstPageShown) ref.current?.focus({ preventScroll: false });
    firstPageShown = true;
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref} class="page-title">
      {children}
    </h1>
  );
}

export function PrintButton({ label = 'Print' }: { label?: string }) {
  return (
    <button type="button" class="button button--secondary no-print" onClick={() => window.print()}>
      {label}
    </button>
  );
}

/** A screen or section that waits for a server route that does not exist yet. The
 * server's own words are shown, plus which part of the API is missing. */
export function MissingRoute({ what, route, detail }: { what: string; route: string; detail?: string }) {
  return (
    <div class="message message--warning" role="status" data-missing-route={route}>
      <strong>{what}: not available from this server yet.</strong> It needs <code>{route}</code>
      {detail ? <> (the server said: “{detail}”)</> : null}.
    </div>
  );
}

/** A simple confirmation step for actions that change a record (lifecycle, revoke). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  pending,
}: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
  pending?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    } else if (!open && d.open) {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
    }
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id="dialog-title">{title}</h2>
      {children}
      <div class="form__actions">
        <button type="button" class="button" onClick={onConfirm} disabled={pending} aria-busy={pending}>
          {pending ? 'Saving…' : confirmLabel}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
