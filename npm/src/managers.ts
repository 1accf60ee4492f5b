// The manager objects of the official API (JSAPI.md §4-§7). Every official method name exists on
// its manager; the ones the facade does not implement yet reject with a FlooError
// (GeneralError, "not implemented yet: manager.method"), and rtcManage rejects with
// ServerRtcNotOpen as JSAPI.md §14 allows. Nothing is stubbed silently.

import { FlooError, notImplemented } from "./errors.js";

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

/** A manager method the facade has not wired yet: it rejects. */
export type PendingMethod = (...args: unknown[]) => Promise<never>;

/** A manager: the implemented methods `I`, and every other official name as a {@link PendingMethod}. */
export type Manager<N extends ManagerName, I extends object> = I & {
  readonly [K in Exclude<(typeof managerMethods)[N][number], keyof I>]: PendingMethod;
};

/** @internal Builds a manager object from the implemented methods. */
export function makeManager<N extends ManagerName, I extends object>(name: N, implemented: I): Manager<N, I> {
  const m = { ...implemented } as Record<string, unknown>;
  for (const method of managerMethods[name]) {
    if (method in m) continue;
    const error =
      name === "rtcManage"
        ? () => FlooError.fromName("ServerRtcNotOpen", `rtcManage.${method}: RTC is not available in this version`)
        : () => notImplemented(`${name}.${method}`);
    m[method] = () => Promise.reject(error());
  }
  return m as Manager<N, I>;
}
