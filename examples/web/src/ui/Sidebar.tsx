// The sidebar: who I am, the connection, and the chats / contacts / groups tabs.

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { listTime } from "../format";
import type { RosterItem } from "../sdk";
import { errorText } from "../sdk";
import { convKey, type Tab } from "../store";
import { Avatar, ConfirmButton, Modal, useBusy, useChat } from "./common";
import { ChatIcon, ClipIcon, ImageIcon, LogoutIcon, PlusIcon, SearchIcon, SettingsIcon, UserPlusIcon, UsersIcon, UserIcon } from "./icons";

export function Sidebar() {
  const chat = useChat();
  const s = chat.state;
  const me = s.me!;
  const unread = s.conversations.reduce((n, c) => n + c.unread, 0);
  const tabs: Array<{ id: Tab; label: string; icon: JSX.Element; badge: number }> = [
    { id: "chats", label: "Chats", icon: <ChatIcon size={18} />, badge: unread },
    { id: "contacts", label: "Contacts", icon: <UserIcon size={18} />, badge: s.requests.length },
    { id: "groups", label: "Groups", icon: <UsersIcon size={18} />, badge: s.invitations.length },
  ];
  return (
    <aside class="sidebar">
      <header class="me">
        <Avatar id={me.uid} name={chat.myName()} size={40} />
        <div class="me-text">
          <div class="me-name" data-testid="me-name">
            {chat.myName()}
          </div>
          <div class="me-status">
            <ConnDot state={s.conn.state} online={s.conn.online} />
            <span class="muted">ID {me.uid}</span>
          </div>
        </div>
        <button type="button" class="icon-btn" title="Settings" onClick={() => chat.openSettings(true)} data-testid="open-settings">
          <SettingsIcon />
        </button>
        <button type="button" class="icon-btn" title="Sign out" onClick={() => void chat.logout()} data-testid="logout">
          <LogoutIcon />
        </button>
      </header>
      <nav class="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={s.tab === t.id}
            class={`tab${s.tab === t.id ? " on" : ""}`}
            onClick={() => chat.set("tab", t.id)}
            data-testid={`tab-${t.id}`}
          >
            {t.icon}
            <span>{t.label}</span>
            {t.badge > 0 && <span class="badge small">{t.badge > 99 ? "99+" : t.badge}</span>}
          </button>
        ))}
      </nav>
      <div class="tab-body">{s.tab === "chats" ? <ChatList /> : s.tab === "contacts" ? <Contacts /> : <Groups />}</div>
    </aside>
  );
}

function ConnDot({ state, online }: { state: string; online: boolean }) {
  const [cls, label] = !online
    ? ["off", "Offline"]
    : state === "connected"
      ? ["on", "Online"]
      : state === "connecting" || state === "reconnecting"
        ? ["wait", "Connecting…"]
        : ["off", "Offline"];
  return (
    <span class={`conn ${cls}`} data-testid="conn-status" data-state={state}>
      <i />
      {label}
    </span>
  );
}

function ChatList() {
  const chat = useChat();
  const s = chat.state;
  const [q, setQ] = useState("");
  const name = (type: string, id: string) => (type === "group" ? chat.groupName(id) : chat.userName(id));
  const items = s.conversations.filter((c) => !q || name(c.type, c.id).toLowerCase().includes(q.toLowerCase()));
  return (
    <div class="list">
      <label class="search">
        <SearchIcon size={16} />
        <input placeholder="Search chats" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </label>
      {items.length === 0 && (
        <div class="empty-list">
          <ChatIcon size={32} />
          <p>{q ? "No chat matches." : "No conversations yet."}</p>
          {!q && (
            <button type="button" class="btn" onClick={() => chat.set("tab", "contacts")}>
              Find people
            </button>
          )}
        </div>
      )}
      {items.map((c) => {
        const typing = c.type === "roster" && chat.isTyping(c.id);
        const active = s.active === c.key;
        const who = c.type === "group" && c.lastFrom ? (c.lastFrom === s.me?.uid ? "You: " : chat.userName(c.lastFrom) + ": ") : "";
        return (
          <button key={c.key} type="button" class={`conv${active ? " active" : ""}`} onClick={() => chat.open(c.key)} data-testid="conv" data-key={c.key}>
            <Avatar id={c.id} name={name(c.type, c.id)} size={46} group={c.type === "group"} />
            <div class="conv-main">
              <div class="conv-top">
                <span class="conv-name" data-testid="conv-name">
                  {name(c.type, c.id)}
                </span>
                <span class="conv-time">{listTime(c.time)}</span>
              </div>
              <div class="conv-bottom">
                <span class="conv-preview" data-testid="conv-preview">
                  {typing ? (
                    <em class="typing-text">typing…</em>
                  ) : c.draft && !active ? (
                    <>
                      <b class="draft">Draft:</b> {c.draft}
                    </>
                  ) : (
                    <>
                      {c.hasAt && <b class="at-flag">[@you] </b>}
                      {who}
                      {c.lastType === "image" ? (
                        <ImageIcon size={15} class="inline-icon" />
                      ) : c.lastType && c.lastType !== "text" ? (
                        <ClipIcon size={15} class="inline-icon" />
                      ) : null}
                      {c.preview}
                    </>
                  )}
                </span>
                {c.unread > 0 && (
                  <span class="badge" data-testid="unread">
                    {c.unread > 99 ? "99+" : c.unread}
                  </span>
                )}
              </div>
            </div>
          </button>
        );
      })}
    </div>
  );
}

function Contacts() {
  const chat = useChat();
  const s = chat.state;
  const [q, setQ] = useState("");
  const [result, setResult] = useState<RosterItem | undefined>();
  const [error, setError] = useState("");
  const [busy, run] = useBusy();

  const search = (e: Event) => {
    e.preventDefault();
    if (!q.trim()) return;
    setError("");
    setResult(undefined);
    run(() =>
      chat.search(q).then(setResult, (err) => {
        setError(errorText(err) || "No user found");
      }),
    );
  };

  const rid = result ? String(result.user_id) : "";
  const isFriend = !!rid && s.friends.includes(rid);
  return (
    <div class="list">
      <form class="search" onSubmit={search}>
        <UserPlusIcon size={16} />
        <input placeholder="Name or user ID" value={q} onInput={(e) => setQ(e.currentTarget.value)} data-testid="contact-search" />
        <button class="btn sm" disabled={busy} data-testid="contact-search-go">
          Search
        </button>
      </form>
      {error && <p class="hint error">{error}</p>}
      {result && (
        <div class="card result" data-testid="search-result">
          <Avatar id={rid} name={chat.userName(rid)} size={44} />
          <div class="grow">
            <div class="strong">{chat.userName(rid)}</div>
            <div class="muted small">
              @{result.username} · ID {rid}
            </div>
          </div>
          {rid === s.me?.uid ? (
            <span class="muted small">That's you</span>
          ) : isFriend ? (
            <button type="button" class="btn primary sm" onClick={() => chat.open(convKey("roster", rid))}>
              Message
            </button>
          ) : s.requested.has(rid) ? (
            <span class="muted small" data-testid="requested">
              Request sent
            </span>
          ) : (
            <AddFriend uid={rid} />
          )}
        </div>
      )}
      {s.requests.length > 0 && (
        <section>
          <h3>Friend requests</h3>
          {s.requests.map((r) => (
            <Request key={String(r.user_id)} uid={String(r.user_id)} reason={r.reason ?? ""} />
          ))}
        </section>
      )}
      <section>
        <h3>Friends · {s.friends.length}</h3>
        {s.friends.length === 0 && <p class="hint">Search for someone above and send a friend request.</p>}
        {[...s.friends]
          .sort((a, b) => chat.userName(a).localeCompare(chat.userName(b)))
          .map((uid) => (
            <button key={uid} type="button" class="row contact" onClick={() => chat.open(convKey("roster", uid))} data-testid="friend" data-uid={uid}>
              <Avatar id={uid} name={chat.userName(uid)} size={38} />
              <div class="grow">
                <div class="strong">{chat.userName(uid)}</div>
                <div class="muted small">{chat.isTyping(uid) ? "typing…" : `@${chat.user(uid)?.username ?? uid}`}</div>
              </div>
            </button>
          ))}
      </section>
      {s.blocked.length > 0 && (
        <section>
          <h3>Blocked</h3>
          {s.blocked.map((uid) => (
            <div key={uid} class="row" data-testid="blocked">
              <Avatar id={uid} name={chat.userName(uid)} size={34} />
              <div class="grow strong">{chat.userName(uid)}</div>
              <button type="button" class="btn sm" onClick={() => void chat.unblock(uid).catch(() => {})}>
                Unblock
              </button>
            </div>
          ))}
        </section>
      )}
    </div>
  );
}

function AddFriend({ uid }: { uid: string }) {
  const chat = useChat();
  const [busy, run] = useBusy();
  return (
    <button type="button" class="btn primary sm" disabled={busy} onClick={() => run(() => chat.addFriend(uid).catch((err) => chat.toast("Could not send the request: " + errorText(err), "error")))} data-testid="add-friend">
      Add friend
    </button>
  );
}

function Request({ uid, reason }: { uid: string; reason: string }) {
  const chat = useChat();
  const [busy, run] = useBusy();
  return (
    <div class="row request" data-testid="request" data-uid={uid}>
      <Avatar id={uid} name={chat.userName(uid)} size={38} />
      <div class="grow">
        <div class="strong">{chat.userName(uid)}</div>
        {reason && <div class="muted small">{reason}</div>}
      </div>
      <button type="button" class="btn primary sm" disabled={busy} onClick={() => run(() => chat.accept(uid))} data-testid="accept">
        Accept
      </button>
      <button type="button" class="btn sm" disabled={busy} onClick={() => run(() => chat.decline(uid))} data-testid="decline">
        Decline
      </button>
    </div>
  );
}

function Groups() {
  const chat = useChat();
  const s = chat.state;
  const [creating, setCreating] = useState(false);
  return (
    <div class="list">
      <div class="toolbar">
        <button type="button" class="btn primary block" onClick={() => setCreating(true)} data-testid="new-group">
          <PlusIcon size={18} /> New group
        </button>
      </div>
      {s.invitations.length > 0 && (
        <section>
          <h3>Invitations</h3>
          {s.invitations.map((inv) => (
            <div key={`${inv.group_id}:${inv.inviter_id}`} class="row" data-testid="invitation">
              <Avatar id={String(inv.group_id)} name={chat.groupName(inv.group_id)} size={38} group />
              <div class="grow">
                <div class="strong">{chat.groupName(inv.group_id)}</div>
                <div class="muted small">from {chat.userName(inv.inviter_id)}</div>
              </div>
              <button type="button" class="btn primary sm" onClick={() => void chat.answerInvitation(inv, true).catch(() => {})}>
                Join
              </button>
              <ConfirmButton class="btn sm" onConfirm={() => void chat.answerInvitation(inv, false).catch(() => {})}>
                Decline
              </ConfirmButton>
            </div>
          ))}
        </section>
      )}
      <section>
        <h3>Your groups · {s.groups.length}</h3>
        {s.groups.length === 0 && <p class="hint">Create a group and invite your friends.</p>}
        {s.groups.map((gid) => {
          const g = chat.group(gid);
          return (
            <button key={gid} type="button" class="row contact" onClick={() => chat.open(convKey("group", gid))} data-testid="group" data-gid={gid}>
              <Avatar id={gid} name={chat.groupName(gid)} size={38} group />
              <div class="grow">
                <div class="strong">{chat.groupName(gid)}</div>
                <div class="muted small">{g?.count ? `${g.count} members` : `ID ${gid}`}</div>
              </div>
            </button>
          );
        })}
      </section>
      {creating && <NewGroup onClose={() => setCreating(false)} />}
    </div>
  );
}

function NewGroup({ onClose }: { onClose: () => void }) {
  const chat = useChat();
  const [name, setName] = useState("");
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, run] = useBusy();
  const toggle = (uid: string) => {
    const next = new Set(picked);
    if (!next.delete(uid)) next.add(uid);
    setPicked(next);
  };
  const create = (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return;
    run(() =>
      chat
        .createGroup(name.trim(), [...picked])
        .then(onClose)
        .catch((err) => chat.toast("Could not create the group: " + errorText(err), "error")),
    );
  };
  return (
    <Modal title="New group" onClose={onClose}>
      <form onSubmit={create} class="modal-body">
        <label class="field">
          <span>Group name</span>
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="Weekend plans" data-testid="group-name" autoFocus />
        </label>
        <div class="field">
          <span>Members</span>
          <FriendPicker picked={picked} toggle={toggle} />
        </div>
        <footer class="modal-foot">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button class="btn primary" disabled={busy || !name.trim()} data-testid="create-group">
            Create{picked.size ? ` with ${picked.size}` : ""}
          </button>
        </footer>
      </form>
    </Modal>
  );
}

/** A checklist of friends, optionally leaving some out (those already in a group). */
export function FriendPicker({ picked, toggle, exclude }: { picked: Set<string>; toggle: (uid: string) => void; exclude?: Set<string> }) {
  const chat = useChat();
  const friends = chat.state.friends.filter((f) => !exclude?.has(f));
  if (friends.length === 0) return <p class="hint">No friends to add yet.</p>;
  return (
    <div class="picker">
      {friends.map((uid) => (
        <label key={uid} class="pick" data-testid={`pick-${chat.user(uid)?.username ?? uid}`}>
          <input type="checkbox" checked={picked.has(uid)} onChange={() => toggle(uid)} />
          <Avatar id={uid} name={chat.userName(uid)} size={30} />
          <span>{chat.userName(uid)}</span>
        </label>
      ))}
    </div>
  );
}

