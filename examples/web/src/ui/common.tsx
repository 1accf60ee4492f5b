// Small building blocks shared by the screens.

import { createContext, type ComponentChildren } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { colorFor, initials } from "../format";
import type { Chat } from "../store";
import { CloseIcon } from "./icons";

export const ChatContext = createContext<Chat>(undefined as unknown as Chat);

/** The app store; every screen re-renders when it changes (see App). */
export function useChat(): Chat {
  return useContext(ChatContext);
}

export function Avatar({ id, name, size = 40, group = false }: { id: string; name: string; size?: number; group?: boolean }) {
  return (
    <span
      class={`avatar${group ? " group" : ""}`}
      style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px`, background: colorFor((group ? "g" : "u") + id) }}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}

/** A button that asks for a second click before doing something that cannot be undone. */
export function ConfirmButton({
  onConfirm,
  children,
  class: cls = "",
  testid,
}: {
  onConfirm: () => void;
  children: ComponentChildren;
  class?: string;
  testid?: string;
}) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 3000);
    return () => clearTimeout(t);
  }, [armed]);
  return (
    <button
      type="button"
      class={`${cls}${armed ? " armed" : ""}`}
      data-testid={testid}
      onClick={() => {
        if (armed) {
          setArmed(false);
          onConfirm();
        } else {
          setArmed(true);
        }
      }}
    >
      {armed ? "Click again to confirm" : children}
    </button>
  );
}

export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal" role="dialog" aria-modal="true" aria-label={title}>
        <header class="modal-head">
          <h2>{title}</h2>
          <button type="button" class="icon-btn" title="Close" onClick={onClose}>
            <CloseIcon />
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/** Runs an async action, tracking its busy state; errors are shown by the store's toasts. */
export function useBusy(): [boolean, (fn: () => Promise<unknown>) => void] {
  const [busy, setBusy] = useState(false);
  return [
    busy,
    (fn) => {
      setBusy(true);
      fn()
        .catch(() => {})
        .finally(() => setBusy(false));
    },
  ];
}
