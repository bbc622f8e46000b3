// A modal dialog on the native <dialog> (top layer, focus kept inside, the page behind inert). Esc, the
// close button and a click on the backdrop close it; focus goes back where it was. Keys typed inside
// never reach the app's shortcuts (g, t, /, Esc = back).
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function Dialog({
  title,
  onClose,
  children,
  testid,
  className,
}: {
  title: string;
  onClose(): void;
  children: ReactNode;
  testid?: string;
  className?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const prev = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    // Start at the first field rather than the close button.
    (
      d.querySelector<HTMLElement>('.dialog-form :is(input, select, textarea):not(:disabled)') ??
      d.querySelector<HTMLElement>('.dialog-form button:not(:disabled)')
    )?.focus();
    return () => {
      if (d.open) d.close();
      prev?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ''}`}
      aria-labelledby={`${id}-title`}
      data-testid={testid}
      onCancel={(e) => {
        e.preventDefault();
        close.current();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          close.current();
        }
        e.stopPropagation();
      }}
      onMouseDown={(e) => {
        // the dialog element itself is only hit on its backdrop (the body fills it)
        if (e.target === ref.current) close.current();
      }}
    >
      <div className="dialog-body">
        <div className="dialog-head">
          <h2 id={`${id}-title`}>{title}</h2>
          <button type="button" className="dialog-close" aria-label="Close" onClick={() => close.current()}>
            ×
          </button>
        </div>
        {children}
      </div>
    </dialog>
  );
}
