// The open conversation: header, messages (with scroll-back history), typing line and composer.

import { Fragment } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { clock, dayLabel, fileSize, sameDay, colorFor } from "../format";
import { parseKey, type ConvKey, type UiMessage } from "../store";
import { Avatar, useChat } from "./common";
import {
  AlertIcon,
  BackIcon,
  CheckIcon,
  ClipIcon,
  ClockIcon,
  CloseIcon,
  DoubleCheckIcon,
  DownloadIcon,
  EditIcon,
  FileIcon,
  InfoIcon,
  RetryIcon,
  SendIcon,
  TrashIcon,
  UndoIcon,
} from "./icons";

/** Messages closer than this from the same sender share one header. */
const GROUP_GAP = 5 * 60 * 1000;

export function ChatPane({ convKey: key }: { convKey: ConvKey }) {
  const chat = useChat();
  const { type, id } = parseKey(key);
  const isGroup = type === "group";
  const [editing, setEditing] = useState<UiMessage | undefined>();
  const name = isGroup ? chat.groupName(id) : chat.userName(id);
  const typing = !isGroup && chat.isTyping(id);
  const members = isGroup ? chat.members(id) : undefined;
  const user = isGroup ? undefined : chat.user(id);
  const sub = typing
    ? "typing…"
    : isGroup
      ? members
        ? `${members.members.length} members`
        : "Group"
      : user?.username
        ? `@${user.username}`
        : "";

  return (
    <section class="chat" data-testid="chat" data-key={key}>
      <header class="chat-head">
        <button type="button" class="icon-btn back" title="Back" onClick={() => chat.open(undefined)}>
          <BackIcon />
        </button>
        <Avatar id={id} name={name} size={40} group={isGroup} />
        <button type="button" class="chat-title" onClick={() => chat.set("panel", !chat.state.panel)}>
          <span class="chat-name" data-testid="chat-name">
            {name}
          </span>
          <span class={`chat-sub${typing ? " typing-text" : ""}`} data-testid="chat-sub">
            {sub}
          </span>
        </button>
        <button
          type="button"
          class={`icon-btn${chat.state.panel ? " on" : ""}`}
          title={isGroup ? "Group info" : "Contact info"}
          onClick={() => chat.set("panel", !chat.state.panel)}
          data-testid="chat-info"
        >
          <InfoIcon />
        </button>
      </header>
      <MessageList convKey={key} onEdit={setEditing} typing={typing ? name : ""} />
      <Composer convKey={key} editing={editing} onDoneEditing={() => setEditing(undefined)} />
    </section>
  );
}

function MessageList({ convKey: key, onEdit, typing }: { convKey: ConvKey; onEdit: (m: UiMessage) => void; typing: string }) {
  const chat = useChat();
  const isGroup = parseKey(key).type === "group";
  const messages = chat.messages(key);
  const history = chat.historyState(key);
  const me = chat.state.me?.uid ?? "";
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ first?: string; height: number; top: number; count: number }>({ height: 0, top: 0, count: 0 });

  // Keep the view steady: stay at the bottom for new messages, keep the reading position when an
  // older page arrives at the top.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const prev = anchor.current;
    const first = messages[0]?.key;
    const last = messages[messages.length - 1];
    // A scroll event fires on the next frame: a scroll up that came just before this render has
    // not been handled yet, and the view must not be pulled back to the bottom. Only the user
    // moves the view up (the browser's scroll anchoring moves it down when a page lands above),
    // so judge it against the height before this render.
    if (el.scrollTop < prev.top - 1) atBottom.current = prev.height - el.scrollTop - el.clientHeight < 60;
    if (prev.count > 0 && first !== prev.first && messages.length > prev.count && !atBottom.current) {
      el.scrollTop += el.scrollHeight - prev.height;
    } else if (atBottom.current || (last && last.from === me && last.send)) {
      el.scrollTop = el.scrollHeight;
    }
    anchor.current = { first, height: el.scrollHeight, top: el.scrollTop, count: messages.length };
    // A short conversation does not fill the view, so no scroll would ever ask for more. And a
    // scroll to the top that came while a page was still loading was ignored: when the load ends
    // with the view still at the top, the next page is due now, as no further scroll may come.
    const short = el.scrollHeight <= el.clientHeight + 40;
    const atTop = el.scrollTop < 80 && !atBottom.current;
    if ((short || atTop) && !history.loading && !history.done && messages.length > 0) {
      chat.loadHistory(key);
    }
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    anchor.current.height = el.scrollHeight;
    anchor.current.top = el.scrollTop;
    if (el.scrollTop < 80) chat.loadHistory(key);
  };
  const keepBottom = () => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  };

  return (
    <div class="messages-wrap">
      <div class="messages" ref={scroller} onScroll={onScroll} data-testid="messages">
        <div class="history-edge">
          {history.loading ? <span class="spinner" aria-label="Loading" /> : history.done ? <span>Beginning of the conversation</span> : null}
        </div>
        {messages.map((m, i) => {
          const prev = messages[i - 1];
          const newDay = !prev || !sameDay(prev.timestamp, m.timestamp);
          const cont = !!prev && !newDay && !prev.recalled && !m.recalled && prev.from === m.from && m.timestamp - prev.timestamp < GROUP_GAP;
          return (
            <Fragment key={m.key}>
              {newDay && (
                <div class="day">
                  <span>{dayLabel(m.timestamp)}</span>
                </div>
              )}
              <Bubble convKey={key} m={m} mine={m.from === me} cont={cont} isGroup={isGroup} onEdit={onEdit} onImageLoad={keepBottom} />
            </Fragment>
          );
        })}
        {messages.length === 0 && !history.loading && <div class="no-messages">No messages yet. Say hello!</div>}
      </div>
      {typing && (
        <div class="typing-row" data-testid="typing">
          <span class="dots">
            <i />
            <i />
            <i />
          </span>
          {typing} is typing
        </div>
      )}
    </div>
  );
}

function statusOf(m: UiMessage): string {
  if (m.send === "failed") return "failed";
  if (m.send) return "sending";
  return m.status === 2 ? "read" : m.status === 1 ? "delivered" : "sent";
}

function Ticks({ m }: { m: UiMessage }) {
  const st = statusOf(m);
  const title = { failed: "Not sent", sending: "Sending", sent: "Sent", delivered: "Delivered", read: "Read" }[st];
  return (
    <span class={`ticks ${st}`} title={title} data-testid="ticks">
      {st === "failed" ? <AlertIcon size={14} /> : st === "sending" ? <ClockIcon size={13} /> : st === "sent" ? <CheckIcon size={15} /> : <DoubleCheckIcon size={16} />}
    </span>
  );
}

function Bubble({
  convKey: key,
  m,
  mine,
  cont,
  isGroup,
  onEdit,
  onImageLoad,
}: {
  convKey: ConvKey;
  m: UiMessage;
  mine: boolean;
  cont: boolean;
  isGroup: boolean;
  onEdit: (m: UiMessage) => void;
  onImageLoad: () => void;
}) {
  const chat = useChat();
  const me = chat.state.me?.uid ?? "";
  if (m.recalled) {
    return (
      <div class="system" data-testid="recalled" data-id={m.id}>
        <UndoIcon size={14} /> {mine ? "You recalled a message" : `${chat.userName(m.from)} recalled a message`}
      </div>
    );
  }
  const mentionList = (m.config?.["mentionList"] as unknown[] | undefined) ?? [];
  const mentionsMe = !mine && (m.config?.["mentionAll"] === true || mentionList.some((u) => String(u) === me));
  const senderName = chat.userName(m.from);
  const showSender = isGroup && !mine && !cont;
  const stored = !m.send;
  return (
    <div
      class={`msg ${mine ? "mine" : "theirs"}${cont ? " cont" : ""}`}
      data-testid="message"
      data-id={m.id}
      data-from={m.from}
      data-status={statusOf(m)}
      data-type={m.type}
    >
      {isGroup && !mine && (cont ? <span class="avatar-gap" /> : <Avatar id={m.from} name={senderName} size={30} />)}
      <div class="bubble-col">
        {showSender && (
          <div class="sender" style={{ color: colorFor("u" + m.from) }}>
            {senderName}
          </div>
        )}
        <div class={`bubble ${m.type}${mentionsMe ? " mention" : ""}`}>
          <Content m={m} onImageLoad={onImageLoad} />
          <span class="meta">
            {m.edited && <span class="edited">edited</span>}
            {clock(m.timestamp)}
            {mine && <Ticks m={m} />}
          </span>
        </div>
        {m.send === "failed" && (
          <div class="failed" data-testid="failed">
            <span>Not sent{m.error ? `: ${m.error}` : ""}</span>
            <button type="button" class="link" onClick={() => m.retry?.()} data-testid="retry">
              <RetryIcon size={13} /> Retry
            </button>
            <button type="button" class="link" onClick={() => chat.discard(key, m)}>
              Delete
            </button>
          </div>
        )}
      </div>
      {stored && (
        <div class="actions">
          {mine && m.type === "text" && (
            <button type="button" class="icon-btn sm" title="Edit" onClick={() => onEdit(m)} data-testid="act-edit">
              <EditIcon size={15} />
            </button>
          )}
          {mine && (
            <button type="button" class="icon-btn sm" title="Recall for everyone" onClick={() => chat.recall(key, m.id)} data-testid="act-recall">
              <UndoIcon size={15} />
            </button>
          )}
          <button type="button" class="icon-btn sm" title="Delete for me" onClick={() => chat.deleteForMe(key, m.id)} data-testid="act-delete">
            <TrashIcon size={15} />
          </button>
        </div>
      )}
    </div>
  );
}

/** Text with @mentions and links picked out. */
function RichText({ text }: { text: string }) {
  const parts = text.split(/(@[^\s@]+|https?:\/\/[^\s]+)/g);
  return (
    <span class="text">
      {parts.map((p, i) =>
        i % 2 === 0 ? (
          p
        ) : p.startsWith("@") ? (
          <span class="at">{p}</span>
        ) : (
          <a href={p} target="_blank" rel="noopener noreferrer">
            {p}
          </a>
        ),
      )}
    </span>
  );
}

function Content({ m, onImageLoad }: { m: UiMessage; onImageLoad: () => void }) {
  const chat = useChat();
  const a = m.attach;
  if (m.type === "image") {
    const src = m.previewUrl ?? (a?.url ? chat.fileUrl(a.url) : "");
    const w = a?.width ?? 0;
    const h = a?.height ?? 0;
    // Reserve the final size before the image arrives so the list does not jump.
    const scale = w && h ? Math.min(1, 260 / w, 260 / h) : 1;
    const style = w && h ? { width: `${Math.round(w * scale)}px`, aspectRatio: `${w} / ${h}` } : undefined;
    return (
      <>
        <button type="button" class="image-btn" onClick={() => a?.url && chat.set("lightbox", chat.fileUrl(a.url))} title={a?.dName}>
          {src ? <img src={src} alt={a?.dName ?? "image"} style={style} onLoad={onImageLoad} data-testid="image" /> : <span class="image-missing">Image</span>}
        </button>
        {m.send === "uploading" && <Progress value={m.progress ?? 0} />}
      </>
    );
  }
  if (m.type === "file" || m.type === "video" || m.type === "audio") {
    const href = a?.url ? chat.fileUrl(a.url) : undefined;
    return (
      <>
        <a class="file" href={href} download={a?.dName} target="_blank" rel="noopener" data-testid="file">
          <span class="file-icon">
            <FileIcon size={20} />
          </span>
          <span class="file-text">
            <span class="file-name">{a?.dName || m.type}</span>
            <span class="file-size">{fileSize(a?.fLen)}</span>
          </span>
          {href && <DownloadIcon size={18} />}
        </a>
        {m.send === "uploading" && <Progress value={m.progress ?? 0} />}
      </>
    );
  }
  if (m.type === "location") {
    const lat = (a as { lat?: number } | undefined)?.lat;
    const lon = (a as { lon?: number } | undefined)?.lon;
    return <RichText text={`Location: ${(a as { addr?: string } | undefined)?.addr ?? ""} ${lat ?? ""},${lon ?? ""}`} />;
  }
  return <RichText text={m.content} />;
}

function Progress({ value }: { value: number }) {
  return (
    <span class="progress" role="progressbar" aria-valuenow={Math.round(value * 100)}>
      <i style={{ width: `${Math.round(value * 100)}%` }} />
    </span>
  );
}

interface Candidate {
  uid: string;
  name: string;
}

function Composer({ convKey: key, editing, onDoneEditing }: { convKey: ConvKey; editing?: UiMessage; onDoneEditing: () => void }) {
  const chat = useChat();
  const { type, id } = parseKey(key);
  const isGroup = type === "group";
  const [text, setText] = useState(() => chat.draft(key));
  const [picker, setPicker] = useState<{ query: string; start: number; index: number } | undefined>();
  const mentions = useRef(new Map<string, string>());
  const area = useRef<HTMLTextAreaElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const textRef = useRef(text);
  textRef.current = text;

  // Drafts live in the SDK's conversation list: save on leaving the chat and now and then.
  useEffect(() => {
    const t = setTimeout(() => !editing && chat.saveDraft(key, text), 800);
    return () => clearTimeout(t);
  }, [text]);
  useEffect(() => () => chat.saveDraft(key, textRef.current), [key]);

  // A layout effect, so the field holds the message before anything else can be typed.
  useLayoutEffect(() => {
    if (editing) {
      setText(editing.content);
      if (area.current) area.current.value = editing.content;
      area.current?.focus();
    }
  }, [editing]);

  useLayoutEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  const candidates = useMemo((): Candidate[] => {
    if (!picker || !isGroup) return [];
    const me = chat.state.me?.uid;
    const list: Candidate[] = (chat.members(id)?.members ?? [])
      .map((mb) => String(mb.user_id))
      .filter((uid) => uid !== me)
      .map((uid) => ({ uid, name: chat.userName(uid) }));
    const role = me ? chat.role(id, me) : "member";
    if (role !== "member") list.unshift({ uid: "all", name: "all" });
    const q = picker.query.toLowerCase();
    return list.filter((c) => c.name.toLowerCase().includes(q)).slice(0, 8);
  }, [picker, chat.version]);

  const onInput = (e: Event) => {
    const el = e.currentTarget as HTMLTextAreaElement;
    setText(el.value);
    if (!editing) chat.typingInput(key, el.value);
    if (isGroup) {
      const before = el.value.slice(0, el.selectionStart ?? el.value.length);
      const m = /(^|\s)@([^\s@]*)$/.exec(before);
      setPicker(m ? { query: m[2]!, start: before.length - m[2]!.length - 1, index: 0 } : undefined);
    }
  };

  const pick = (c: Candidate) => {
    if (!picker) return;
    const name = c.name.replace(/\s+/g, "_");
    const current = area.current?.value ?? text;
    const after = current.slice(picker.start + 1 + picker.query.length);
    const next = `${current.slice(0, picker.start)}@${name} ${after.replace(/^\s/, "")}`;
    mentions.current.set(name, c.uid);
    // Update the field and its caret now, not after the re-render, so that typing straight on
    // continues after the mention.
    const el = area.current;
    if (el) {
      el.value = next;
      el.focus();
      const pos = picker.start + name.length + 2;
      el.setSelectionRange(pos, pos);
    }
    setText(next);
    setPicker(undefined);
  };

  const submit = () => {
    // Read the field itself: a key press can arrive before the re-render of the last input.
    const t = (area.current?.value ?? text).trim();
    if (!t) return;
    if (editing) {
      if (t !== editing.content) chat.edit(key, editing.id, t);
      onDoneEditing();
    } else {
      let all = false;
      const uids: string[] = [];
      for (const [name, uid] of mentions.current) {
        if (!new RegExp(`(^|\\s)@${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$)`).test(t)) continue;
        if (uid === "all") all = true;
        else uids.push(uid);
      }
      chat.sendText(key, t, isGroup ? { all, uids } : undefined);
      mentions.current.clear();
    }
    setText("");
    chat.saveDraft(key, "");
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (picker && candidates.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const d = e.key === "ArrowDown" ? 1 : -1;
        setPicker({ ...picker, index: (picker.index + d + candidates.length) % candidates.length });
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(candidates[picker.index] ?? candidates[0]!);
        return;
      }
      if (e.key === "Escape") {
        setPicker(undefined);
        return;
      }
    }
    if (e.key === "Escape" && editing) {
      onDoneEditing();
      setText("");
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const onFile = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    for (const f of Array.from(input.files ?? [])) chat.sendFile(key, f);
    input.value = "";
  };

  return (
    <footer class="composer">
      {editing && (
        <div class="editing-bar" data-testid="editing">
          <EditIcon size={15} />
          <span class="grow">Editing message</span>
          <button
            type="button"
            class="icon-btn sm"
            title="Cancel"
            onClick={() => {
              onDoneEditing();
              setText("");
            }}
          >
            <CloseIcon size={16} />
          </button>
        </div>
      )}
      {picker && candidates.length > 0 && (
        <div class="mention-pop" role="listbox" data-testid="mention-picker">
          {candidates.map((c, i) => (
            <button
              key={c.uid}
              type="button"
              role="option"
              aria-selected={i === picker.index}
              class={i === picker.index ? "on" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(c);
              }}
              data-testid="mention-option"
            >
              {c.uid === "all" ? <span class="at">@all</span> : <Avatar id={c.uid} name={c.name} size={24} />}
              <span>{c.uid === "all" ? "Everyone in the group" : c.name}</span>
            </button>
          ))}
        </div>
      )}
      <div class="composer-row">
        <button type="button" class="icon-btn" title="Send a photo or file" onClick={() => file.current?.click()} disabled={!!editing} data-testid="attach">
          <ClipIcon />
        </button>
        <input ref={file} type="file" multiple hidden onChange={onFile} data-testid="file-input" />
        <textarea
          ref={area}
          rows={1}
          placeholder={isGroup ? "Message (@ to mention)" : "Write a message…"}
          value={text}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onBlur={() => chat.stopTyping(key)}
          data-testid="composer"
        />
        <button type="button" class="send-btn" title={editing ? "Save" : "Send"} disabled={!text.trim()} onClick={submit} data-testid="send">
          {editing ? <CheckIcon /> : <SendIcon />}
        </button>
      </div>
    </footer>
  );
}
