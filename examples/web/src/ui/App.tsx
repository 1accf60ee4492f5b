// The top of the UI: splash, sign-in or the chat layout, plus banners, toasts and the lightbox.

import { useEffect, useState } from "preact/hooks";
import type { Chat } from "../store";
import { Auth } from "./Auth";
import { ChatPane } from "./ChatPane";
import { ChatContext, useChat } from "./common";
import { ChatIcon, CloseIcon, WifiOffIcon } from "./icons";
import { InfoPanel } from "./InfoPanel";
import { SettingsModal } from "./Settings";
import { Sidebar } from "./Sidebar";

export function App({ chat }: { chat: Chat }) {
  // One subscription at the top: the store batches changes, and the tree is small enough to
  // re-render whole.
  const [, setVersion] = useState(0);
  useEffect(() => chat.subscribe(() => setVersion(chat.version)), [chat]);
  const s = chat.state;
  return (
    <ChatContext.Provider value={chat}>
      {s.phase === "loading" ? <Splash /> : s.phase === "signedOut" ? <Auth /> : <Main />}
      <Toasts />
    </ChatContext.Provider>
  );
}

function Splash() {
  return (
    <div class="splash" data-testid="splash">
      <span class="brand-mark pulse">
        <ChatIcon size={30} />
      </span>
      <p>Starting…</p>
    </div>
  );
}

function Main() {
  const chat = useChat();
  const s = chat.state;
  return (
    <div class={`app${s.active ? " has-active" : ""}${s.active && s.panel ? " has-panel" : ""}`} data-testid="app">
      <ConnectionBanner />
      <div class="layout">
        <Sidebar />
        <main class="pane">{s.active ? <ChatPane key={s.active} convKey={s.active} /> : <Welcome />}</main>
        {s.active && s.panel && <InfoPanel key={s.active} convKey={s.active} />}
      </div>
      {s.settings && <SettingsModal />}
      {s.lightbox && (
        <div class="overlay lightbox" onClick={() => chat.set("lightbox", undefined)} data-testid="lightbox">
          <img src={s.lightbox} alt="" />
          <button type="button" class="icon-btn light" title="Close">
            <CloseIcon />
          </button>
        </div>
      )}
    </div>
  );
}

function Welcome() {
  const chat = useChat();
  return (
    <div class="welcome">
      <span class="brand-mark big">
        <ChatIcon size={40} />
      </span>
      <h2>Welcome, {chat.myName()}</h2>
      <p>Pick a conversation on the left, or find friends in Contacts.</p>
    </div>
  );
}

/** Connection state: connecting, offline, or reconnecting with a countdown when the SDK gives one. */
function ConnectionBanner() {
  const chat = useChat();
  const { state, online, retryAt, error } = chat.state.conn;
  // The tick only re-renders while a countdown runs; the time itself is read at each render, so
  // that a new countdown starts from the right number rather than from a clock kept since the
  // last one (the banner stays mounted, hidden, while connected).
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!retryAt) return;
    const t = setInterval(() => setTick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, [retryAt]);
  if (state === "connected" && online) return null;

  let text: string;
  let kind = "wait";
  let action: { label: string; run: () => void } | undefined;
  if (!online) {
    text = "You are offline. Messages you send will go out when the network is back.";
    kind = "off";
  } else if (state === "reconnecting") {
    const secs = retryAt ? Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)) : 0;
    text = secs > 0 ? `Connection lost. Reconnecting in ${secs} s…` : "Connection lost. Reconnecting…";
    if (error) text += ` (${error})`;
    action = { label: "Retry now", run: () => chat.sdk.im.reconnect() };
  } else if (state === "disconnected") {
    text = "Disconnected.";
    kind = "off";
    action = { label: "Reconnect", run: () => chat.sdk.im.reconnect() };
  } else {
    text = "Connecting…";
  }
  return (
    <div class={`banner ${kind}`} role="status" data-testid="conn-banner" data-state={state}>
      {kind === "off" ? <WifiOffIcon size={16} /> : <span class="spinner small" />}
      <span>{text}</span>
      {action && (
        <button type="button" class="link" onClick={action.run}>
          {action.label}
        </button>
      )}
    </div>
  );
}

function Toasts() {
  const chat = useChat();
  return (
    <div class="toasts" aria-live="polite">
      {chat.state.toasts.map((t) => (
        <div class={`toast ${t.kind}`} data-testid="toast" key={t.id} title="Dismiss" onClick={() => chat.dismiss(t.id)}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
