// The manager objects of the official API (JSAPI.md §4-§7). Every official method name exists on
// its manager. The REST wrappers of userManage, rosterManage and groupManage (over the engine's
// roster and group caches), the read-receipt members of group sends and the account/demo calls are written in
// TypeScript (managers/), over the engine's one generic REST entry, which keeps the wasm small;
// the others still forward to the Go manager of the same name (jsbridge/*manage_js.go), which
// checks the arguments and does the work. rtcManage rejects with ServerRtcNotOpen, as JSAPI.md
// §14 allows. Before the wasm module is loaded, asynchronous methods wait for it and synchronous
// ones answer from the (still empty) local state, or throw when they would need the engine;
// getStaticVars needs no engine at all (a generated table, staticvars.ts).

import { closedError, FlooError } from "./errors.js";
import { getStaticVars } from "./managers/sys.js";
import type { GoClient } from "./types/bridge.js";
import type { GroupManage, RosterManage, RtcManage, SysManage, UserManage } from "./types.js";

/** The official method names of each manager, misspellings included (they are the API). */
export const managerMethods = {
  userManage: [
    "getToken", "getUid", "getAppid", "getDeviceSN", "deleteToken", "getConversationList", "asyncGetDeviceList",
    "asyncKickDevice", "asyncBindDeviceToken", "asyncUnbindDeviceToken", "asyncDeleteUser", "asyncTokenUser",
    "asyncTokenId", "asyncRegister", "asyncRegisterAnonymous", "asyncGenerateSecretInfo", "asyncSendSecretInfo",
    "asyncUserBindMobile", "asyncUserUpdateMobile", "asyncUserSendSms", "asyncCaptchaSms", "aysncGenerateWXUrlLink",
    "asyncUserNameCheck", "asyncUserMobileBind", "asyncUserMobileBindSign", "asyncUserMobileLogin",
    "asyncCaptchaImagePost", "asyncUpdateAuthmode", "asyncUpdateAvatar", "asyncUpdateMobile", "asyncUpdateNickName",
    "asyncUserChangePassword", "asyncGetProfile", "asyncUpdateProfile", "asyncGetSettings", "asyncUpdateSettings",
    "asyncGetUserVerification", "userVerificationByMobile", "userChangeMobileCheckPassword",
    "userChangeMobileCheckMobile", "userChangeMobile",
  ],
  rosterManage: [
    "asyncGetRosterIdList", "asyncGetRosterInfo", "asnycGetRosterListDetailByIds", "asyncGetUserProfile",
    "asyncRegester", "asyncDeleteRoster", "getAllRosterDetail", "getRosterInfo", "getRosterMessageByRid",
    "getUnreadCount", "readRosterMessage", "recallMessage", "deleteMessage", "unreadMessage", "appendMessageContent",
    "replaceMessage", "asyncGetApplyList", "asyncGetBlockedlist", "asyncBlockeAdd", "asyncBlockeRemove", "asyncApply",
    "asyncAccept", "asyncDecline", "asyncUpdateRosterExt", "asyncUpdateRosterAlias", "asyncSearchRosterByName",
    "asyncSearchRosterById",
  ],
  groupManage: [
    "asyncGetGroupInfo", "asyncGetJoinedGroups", "openGroup", "getAllGroupDetail", "asyncGetGroupMembers",
    "getGroupMembers", "asyncGetGroupListDetail", "getGruopMessage", "readGroupMessage", "recallMessage",
    "deleteMessage", "appendMessageContent", "replaceMessage", "getUnreadCount", "consumeGroupAtStatus",
    "asyncGetInfo", "asyncGetMemberList", "asyncCreate", "asyncDestroy", "asyncGetPublicList", "asyncGetUserJoined",
    "asyncUpdateName", "asyncUpdateAvatar", "asyncUpdateDescription", "asyncUpdateExt", "asyncGetSettings",
    "asyncUpdateAllowMemberInvitation", "asyncUpdateAllowMemberModify", "asyncUpdateEnableReadack",
    "asyncUpdateHistoryVisible", "asyncHideMemberInfo", "asyncUpdateRequireadminapproval", "asyncBanAll",
    "asyncUnBanAll", "asyncGroupMsgMutemode", "asyncUpdateMsgNotDisturb", "asyncGetAdminList", "asyncAdminAdd",
    "asyncAdminRemove", "asyncOwnerTransfer", "asyncApply", "asyncApplyHandle", "asncGetApplicationList",
    "asyncInvite", "asyncInviteHandle", "asyncGetInvitationList", "asyncKick", "asyncLeave", "asyncGroupBlock",
    "asyncGroupUnblock", "asyncGroupBockedlist", "asyncGroupBab", "asyncGroupUnban", "asyncGroupBannedList",
    "asyncGetMemberDisplayName", "asyncUpdateDisplayName", "asyncGetAnnouncementList", "asyncGetAnouncementById",
    "asyncAnnouncementEdit", "asyncAnouncementDelete", "asyncGetFileList", "asyncFileUpload", "asyncFileDelete",
  ],
  sysManage: [
    "getStaticVars", "sendRosterMessage", "sendGroupMessage", "sendMentionMessage", "sendInputStatusMessage",
    "forwardMessage", "sendMessage", "requireHistoryMessage", "getNoticeMessage", "getMessageStatus",
    "markMessageUnread", "getConversationDraft", "saveConversationDraft", "touchConversation", "deleteConversation",
    "makeSearch", "asyncFileUpload", "asyncGetUserAvatarUploadUrl", "asyncGetGroupAvatarUploadUrl",
    "asyncGetFileUploadChatFileUrl", "getImage", "getAudio", "getChatFile", "downloadAudio", "getServers",
    "getLinkServer", "getAppConfig", "getAppStatus", "getAccountVerification", "getServerIp", "aysncParseLink",
    "aysncParseLinkV2", "asyncQrcode", "asyncQrlogin", "asyncQrcodeGroupsign", "asyncQrcodeGroupinvite",
    "asyncWoaQrcode", "asyncWoaQrcodeStatus", "asyncWoaQrlogin", "asyncWoaIsBind", "asyncWxlogin", "asyncWxbind",
    "asyncGetStaticContact", "asyncWechatUnbind", "asyncWechatIsbind", "asyncWechatBind",
  ],
  rtcManage: [
    "initRTCEngine", "destroy", "sendRTCMessage", "joinRoom", "leaveRoom", "publish", "unPublish", "subscribe",
    "unSubscribe", "muteLocalAudio", "muteLocalVideo", "muteRemoteAudio", "muteRemoteVideo", "getJanusObject",
    "getPublishHandler", "getSubscribeHandler", "getInCallStatus",
  ],
} as const;

export type ManagerName = keyof typeof managerMethods;

/** The manager interfaces by name. */
export interface Managers {
  userManage: UserManage;
  rosterManage: RosterManage;
  groupManage: GroupManage;
  sysManage: SysManage;
  rtcManage: RtcManage;
}

/** A manager object by name. */
export type Manager<N extends ManagerName> = Managers[N];

/** @deprecated Every official method is wired now; kept so that older type imports still compile. */
export type PendingMethod = (...args: unknown[]) => Promise<never>;

/**
 * The synchronous methods answered in TypeScript alone, the same way whatever the engine's state
 * (loading, running or closed): their answer never depends on it.
 */
const engineFree: { readonly [N in ManagerName]?: Readonly<Record<string, GoMethod>> } = {
  sysManage: { getStaticVars },
};

/**
 * The synchronous methods, with what each answers before the client is ready (or after it was
 * closed): the empty local state, or `null` for methods that need the engine and throw then.
 * Every other method, except those of engineFree, returns a Promise.
 */
const syncMethods: { readonly [N in ManagerName]?: Readonly<Record<string, (() => unknown) | null>> } = {
  userManage: {
    getToken: () => "",
    getUid: () => undefined,
    getAppid: null, // answered from the configuration by FlooClient
    getDeviceSN: () => 0,
    deleteToken: null,
    getConversationList: () => [],
  },
  rosterManage: {
    getAllRosterDetail: () => ({}),
    getRosterInfo: () => undefined,
    getRosterMessageByRid: () => [],
    getUnreadCount: () => 0,
  },
  groupManage: {
    getAllGroupDetail: () => ({}),
    getGroupMembers: () => [],
    getGruopMessage: () => [],
    getUnreadCount: () => 0,
    consumeGroupAtStatus: () => undefined,
  },
  sysManage: {
    // getStaticVars: in engineFree.
    sendRosterMessage: null,
    sendGroupMessage: null,
    sendMentionMessage: null,
    sendInputStatusMessage: null,
    forwardMessage: null,
    getNoticeMessage: () => [],
    getMessageStatus: () => undefined,
    markMessageUnread: () => null,
    getConversationDraft: () => "",
    saveConversationDraft: null,
    touchConversation: null,
    makeSearch: () => ({ rosterArr: [], groupArr: [] }),
    getImage: null,
    getAudio: null,
    getChatFile: null,
    getServers: () => ({ ratel: "", fireplace: "", rtc: "" }),
    getLinkServer: () => [],
    getAppConfig: () => undefined,
    getAppStatus: () => "",
    getAccountVerification: () => undefined,
    getServerIp: () => undefined,
  },
};

/** @internal True for the methods that answer synchronously (the others return Promises). */
export function isSyncMethod(name: ManagerName, method: string): boolean {
  return method in (syncMethods[name] ?? {}) || method in (engineFree[name] ?? {});
}

/** @internal What a manager needs from its client. */
export interface ManagerHost {
  /** The Go client once it runs; undefined before, and after close. */
  go(): GoClient | undefined;
  closed(): boolean;
  /** Runs an asynchronous Go method once the client is ready. */
  call<T>(fn: (go: GoClient) => Promise<T> | T | FlooError): Promise<T>;
}

type GoMethod = (...args: unknown[]) => unknown;

/** @internal Builds a manager object; `overrides` replace methods answered in TypeScript. */
export function makeManager<N extends ManagerName>(name: N, host: ManagerHost, overrides: Partial<Record<string, GoMethod>> = {}): Manager<N> {
  const m: Record<string, GoMethod> = {};
  const sync: Readonly<Record<string, (() => unknown) | null>> = syncMethods[name] ?? {};
  for (const method of managerMethods[name] as readonly string[]) {
    const override = overrides[method] ?? engineFree[name]?.[method];
    const goMethod = (go: GoClient) => (go[name as Exclude<N, "rtcManage">] as Record<string, GoMethod>)[method]!;
    if (override) {
      m[method] = override;
    } else if (name === "rtcManage") {
      m[method] = () => Promise.reject(FlooError.fromName("ServerRtcNotOpen", `rtcManage.${method}: RTC is not available in this version`));
    } else if (method in sync) {
      const fallback = sync[method];
      m[method] = (...args) => {
        const go = host.go();
        if (!go) {
          if (fallback) return fallback();
          if (host.closed()) throw closedError();
          throw FlooError.fromName("GeneralError", `${name}.${method}: the SDK is still loading; await im.ready() first`);
        }
        const v = goMethod(go).apply(undefined, args);
        if (v instanceof FlooError) throw v;
        return v;
      };
    } else {
      m[method] = (...args) => host.call((go) => goMethod(go).apply(undefined, args) as Promise<unknown>);
    }
  }
  return m as unknown as Manager<N>;
}
