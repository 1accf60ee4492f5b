// The run-time check of event names for the browser and Node entries (index.ts installs it into
// client.ts): a misspelt name, a compile error in TypeScript, warns once in JavaScript rather than
// leaving a handler that never runs. Kept out of the code the WeChat entry shares.

import type { EventName } from "./types.js";

/**
 * Every event name, for the run-time check of on(): a misspelt name (a compile error in
 * TypeScript) warns once in JavaScript rather than waiting silently forever.
 */
const EVENT_NAMES = [
  "loginSuccess",
  "loginFail",
  "logout",
  "flooNotice",
  "flooError",
  "onRosterMessage",
  "onGroupMessage",
  "onRosterRTCMessage",
  "onMentionMessage",
  "onInputStatusMessage",
  "onReceiveHistoryMsg",
  "onSendingMessageStatusChanged",
  "onMessageStatusChanged",
  "onMessageRecalled",
  "onMessageDeleted",
  "onMessageCanceled",
  "onRosterMessageContentAppend",
  "onGroupMessageContentAppend",
  "onRosterMessageReplace",
  "onGroupMessageReplace",
  "onUnreadChange",
  "recentlistUpdate",
  "onRosterListUpdate",
  "onRosterInfoUpdate",
  "onRosterApplied",
  "onRosterAccepted",
  "onRosterDeclined",
  "onRosterRemoved",
  "onGroupListUpdate",
  "onGroupMemberChanged",
  "onGroupCreated",
  "onGroupDestoryed",
  "onGroupJoined",
  "onGroupLeaved",
  "onGroupKicked",
  "onGroupApplyAccepted",
  "onGroupApplyDeclined",
  "onGroupInvitedAccepted",
  "onGroupInvitedDeclined",
  "onGroupOwnerAssigned",
  "onGroupAdminGranted",
  "onGroupAdminRevoked",
  "onGroupMuted",
  "onGroupUnmuted",
  "onGroupUnblocked",
  "onGroupAnnouncementUpdated",
  "onGroupNotice",
  "onGroupBaned",
  "onGroupUnbaned",
  "connectionStateChanged",
  "sessionError",
  "error",
  "rtcSignal",
  "sendingStalled",
] as const satisfies readonly EventName[];
// A compile error here names the events of ClientEvents that EVENT_NAMES lacks.
type AllNamed<Missing extends never> = Missing;
type _Check = AllNamed<Exclude<EventName, (typeof EVENT_NAMES)[number]>>;
const knownEvents = new Set<string>(EVENT_NAMES);
const warnedEvents = new Set<string>();

export function warnUnknownEvent(name: string): void {
  if (knownEvents.has(name) || warnedEvents.has(name)) return;
  warnedEvents.add(name);
  console.warn(`floo: on("${name}"): no event has this name, the handler will never run`);
}
