import type { SocketHooks, SocketTransport } from "../types.js";

/** A guarded connection: the inner transport's handle and whether hooks may still be called. */
interface GuardedHandle {
  inner: unknown;
  live: boolean;
}

/**
 * @internal Wraps a socket transport so that it keeps the contract the Go side relies on: no hook
 * of a connection is called after `close(handle)` returned or after `onclose`, because Go releases
 * the hook functions at that point. Browsers, for one, fire `onclose` after `close()` has been
 * called. Sends on a closed connection throw, which Go reports as a write error.
 */
export function guardTransport(t: SocketTransport): SocketTransport {
  return {
    connect(url: string, hooks: SocketHooks): GuardedHandle {
      const h: GuardedHandle = { inner: undefined, live: true };
      const guarded: SocketHooks = {
        onopen: () => {
          if (h.live) hooks.onopen();
        },
        onmessage: (data) => {
          if (h.live) hooks.onmessage(data);
        },
        onerror: (message) => {
          if (h.live) hooks.onerror(String(message));
        },
        onclose: (code, reason) => {
          if (!h.live) return;
          h.live = false;
          hooks.onclose(code, reason);
        },
      };
      h.inner = t.connect(url, guarded);
      return h;
    },
    send(handle: unknown, data: Uint8Array): void {
      const h = handle as GuardedHandle;
      if (!h.live) throw new Error("socket is closed");
      t.send(h.inner, data);
    },
    close(handle: unknown, code: number, reason: string): void {
      const h = handle as GuardedHandle;
      if (!h.live) return;
      h.live = false;
      t.close(h.inner, code, reason);
    },
  };
}
