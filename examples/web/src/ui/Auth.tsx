// Sign in and registration.

import { useState } from "preact/hooks";
import { serverOrigin } from "../sdk";
import { useChat } from "./common";
import { ChatIcon } from "./icons";

export function Auth() {
  const chat = useChat();
  const { authBusy, authError } = chat.state;
  const [mode, setMode] = useState<"login" | "register">("login");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [localError, setLocalError] = useState("");

  const submit = (e: Event) => {
    e.preventDefault();
    const n = name.trim();
    if (!n || !password) {
      setLocalError("Enter a user name and a password.");
      return;
    }
    setLocalError("");
    void (mode === "login" ? chat.login(n, password) : chat.register(n, password));
  };
  const error = localError || authError;

  return (
    <div class="auth">
      <div class="auth-card">
        <div class="brand">
          <span class="brand-mark">
            <ChatIcon size={28} />
          </span>
          <h1>Floo Chat</h1>
          <p>Messaging on the floo-wasm SDK</p>
        </div>
        <div class="segmented" role="tablist">
          <button type="button" role="tab" aria-selected={mode === "login"} class={mode === "login" ? "on" : ""} onClick={() => setMode("login")} data-testid="tab-login">
            Sign in
          </button>
          <button type="button" role="tab" aria-selected={mode === "register"} class={mode === "register" ? "on" : ""} onClick={() => setMode("register")} data-testid="tab-register">
            Create account
          </button>
        </div>
        <form onSubmit={submit} class="auth-form">
          <label>
            <span>User name</span>
            <input
              name="username"
              autocomplete="username"
              autocapitalize="off"
              spellcheck={false}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              data-testid="username"
            />
          </label>
          <label>
            <span>Password</span>
            <input
              type="password"
              name="password"
              autocomplete={mode === "login" ? "current-password" : "new-password"}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              data-testid="password"
            />
          </label>
          {error && (
            <p class="form-error" role="alert" data-testid="auth-error">
              {error}
            </p>
          )}
          <button class="btn primary block" disabled={authBusy} data-testid="auth-submit">
            {authBusy ? "Please wait…" : mode === "login" ? "Sign in" : "Create account"}
          </button>
        </form>
        <p class="fine">
          Server <code>{serverOrigin().replace(/^https?:\/\//, "")}</code>
        </p>
      </div>
    </div>
  );
}
