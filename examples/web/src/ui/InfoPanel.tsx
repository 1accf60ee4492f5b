// The details drawer of the open conversation: a contact, or a group with its members and the
// actions the user's role allows (owner: everything; admin: invite, rename, remove members).

import { useState } from "preact/hooks";
import { errorText } from "../sdk";
import { convKey, parseKey, type ConvKey } from "../store";
import { Avatar, ConfirmButton, Modal, useBusy, useChat } from "./common";
import { FriendPicker } from "./Sidebar";
import { BlockIcon, CloseIcon, EditIcon, ShieldIcon, UserPlusIcon } from "./icons";

export function InfoPanel({ convKey: key }: { convKey: ConvKey }) {
  const chat = useChat();
  const { type, id } = parseKey(key);
  return (
    <aside class="panel" data-testid="panel">
      <header class="panel-head">
        <h2>{type === "group" ? "Group info" : "Contact info"}</h2>
        <button type="button" class="icon-btn" title="Close" onClick={() => chat.set("panel", false)}>
          <CloseIcon />
        </button>
      </header>
      {type === "group" ? <GroupInfoView gid={id} /> : <ContactView uid={id} />}
    </aside>
  );
}

function ContactView({ uid }: { uid: string }) {
  const chat = useChat();
  const s = chat.state;
  const u = chat.user(uid);
  const [busy, run] = useBusy();
  const friend = s.friends.includes(uid);
  const blocked = s.blocked.includes(uid);
  return (
    <div class="panel-body">
      <div class="profile">
        <Avatar id={uid} name={chat.userName(uid)} size={84} />
        <h3>{chat.userName(uid)}</h3>
        <p class="muted">
          {u?.username ? `@${u.username} · ` : ""}ID {uid}
        </p>
        {blocked ? <p class="pill">Blocked</p> : !friend && <p class="pill">Not in your contacts</p>}
      </div>
      <div class="panel-actions">
        {!friend && !s.requested.has(uid) && (
          <button type="button" class="btn" disabled={busy} onClick={() => run(() => chat.addFriend(uid).catch((err) => chat.toast(errorText(err), "error")))}>
            <UserPlusIcon size={16} /> Add friend
          </button>
        )}
        {blocked ? (
          <button type="button" class="btn" disabled={busy} onClick={() => run(() => chat.unblock(uid))} data-testid="unblock">
            Unblock
          </button>
        ) : (
          <ConfirmButton class="btn danger-ghost" onConfirm={() => run(() => chat.block(uid))} testid="block">
            <BlockIcon size={16} /> Block
          </ConfirmButton>
        )}
        {friend && (
          <ConfirmButton class="btn danger-ghost" onConfirm={() => run(() => chat.removeFriend(uid))} testid="remove-friend">
            Remove from contacts
          </ConfirmButton>
        )}
      </div>
    </div>
  );
}

function GroupInfoView({ gid }: { gid: string }) {
  const chat = useChat();
  const me = chat.state.me?.uid ?? "";
  const g = chat.group(gid);
  const members = chat.members(gid);
  const myRole = chat.role(gid, me);
  const canManage = myRole !== "member";
  const canInvite = canManage || g?.member_invite !== false;
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState("");
  const [inviting, setInviting] = useState(false);
  const [busy, run] = useBusy();

  const sorted = [...(members?.members ?? [])].sort((a, b) => {
    const rank = { owner: 0, admin: 1, member: 2 };
    const ra = rank[chat.role(gid, String(a.user_id))];
    const rb = rank[chat.role(gid, String(b.user_id))];
    return ra - rb || chat.userName(a.user_id).localeCompare(chat.userName(b.user_id));
  });

  return (
    <div class="panel-body">
      <div class="profile">
        <Avatar id={gid} name={chat.groupName(gid)} size={84} group />
        {renaming ? (
          <form
            class="rename"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim()) run(() => chat.rename(gid, name.trim()).then(() => setRenaming(false)));
            }}
          >
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} autoFocus />
            <button class="btn primary sm" disabled={busy}>
              Save
            </button>
          </form>
        ) : (
          <h3>
            {chat.groupName(gid)}
            {canManage && (
              <button
                type="button"
                class="icon-btn sm"
                title="Rename"
                onClick={() => {
                  setName(chat.groupName(gid));
                  setRenaming(true);
                }}
              >
                <EditIcon size={15} />
              </button>
            )}
          </h3>
        )}
        <p class="muted">
          {members ? `${members.members.length} members` : "…"} · ID {gid}
        </p>
        {g?.description && <p>{g.description}</p>}
      </div>
      <section>
        <div class="section-head">
          <h3>Members</h3>
          {canInvite && (
            <button type="button" class="btn sm" onClick={() => setInviting(true)} data-testid="invite">
              <UserPlusIcon size={15} /> Invite
            </button>
          )}
        </div>
        {sorted.map((mb) => {
          const uid = String(mb.user_id);
          const role = chat.role(gid, uid);
          const canKick = uid !== me && (myRole === "owner" || (myRole === "admin" && role === "member"));
          return (
            <div key={uid} class="row member" data-testid="member" data-uid={uid}>
              <button type="button" class="member-main" onClick={() => uid !== me && chat.open(convKey("roster", uid))} title="Message">
                <Avatar id={uid} name={chat.userName(uid)} size={34} />
                <span class="grow">
                  <span class="strong">{uid === me ? `${chat.userName(uid)} (you)` : chat.userName(uid)}</span>
                  {mb.display_name && <span class="muted small"> · {mb.display_name}</span>}
                </span>
              </button>
              {role !== "member" && (
                <span class={`role ${role}`}>
                  <ShieldIcon size={12} /> {role}
                </span>
              )}
              {(myRole === "owner" && uid !== me) || canKick ? (
                <div class="member-actions">
                  {myRole === "owner" && uid !== me && (
                    <button type="button" class="link small" onClick={() => run(() => chat.setAdmin(gid, uid, role !== "admin"))}>
                      {role === "admin" ? "Revoke admin" : "Make admin"}
                    </button>
                  )}
                  {canKick && (
                    <ConfirmButton class="link small danger" onConfirm={() => run(() => chat.kick(gid, uid))}>
                      Remove
                    </ConfirmButton>
                  )}
                </div>
              ) : null}
            </div>
          );
        })}
      </section>
      <div class="panel-actions">
        {myRole === "owner" ? (
          <ConfirmButton class="btn danger-ghost" onConfirm={() => run(() => chat.destroy(gid))} testid="destroy-group">
            Delete group
          </ConfirmButton>
        ) : (
          <ConfirmButton class="btn danger-ghost" onConfirm={() => run(() => chat.leave(gid))} testid="leave-group">
            Leave group
          </ConfirmButton>
        )}
      </div>
      {inviting && <InviteModal gid={gid} exclude={new Set((members?.members ?? []).map((m) => String(m.user_id)))} onClose={() => setInviting(false)} />}
    </div>
  );
}

function InviteModal({ gid, exclude, onClose }: { gid: string; exclude: Set<string>; onClose: () => void }) {
  const chat = useChat();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [busy, run] = useBusy();
  const toggle = (uid: string) => {
    const next = new Set(picked);
    if (!next.delete(uid)) next.add(uid);
    setPicked(next);
  };
  return (
    <Modal title={`Invite to ${chat.groupName(gid)}`} onClose={onClose}>
      <div class="modal-body">
        <FriendPicker picked={picked} toggle={toggle} exclude={exclude} />
        <footer class="modal-foot">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            class="btn primary"
            disabled={busy || picked.size === 0}
            onClick={() => run(() => chat.invite(gid, [...picked]).then(onClose, (err) => chat.toast("Could not invite: " + errorText(err), "error")))}
            data-testid="send-invites"
          >
            Invite {picked.size || ""}
          </button>
        </footer>
      </div>
    </Modal>
  );
}
