package core

import (
	"errors"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
)

// errorsSpecPath is ERRORS.md seen from this package's directory: the spec
// folder sits beside the repository (../shared/spec from the repo root).
const errorsSpecPath = "../../shared/spec/ERRORS.md"

// readErrorsSpec returns the lines of ERRORS.md, skipping the test when the
// file is not there (a checkout without shared/, or a wasm runner without
// file system access).
func readErrorsSpec(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(errorsSpecPath)
	if err != nil {
		t.Skipf("spec not readable: %v", err)
	}
	return strings.Split(string(data), "\n")
}

// errSpecTable returns the rows of the first Markdown table after the heading
// that starts with heading, as trimmed cells without the header and
// separator rows.
func errSpecTable(t *testing.T, lines []string, heading string) [][]string {
	t.Helper()
	i := 0
	for i < len(lines) && !strings.HasPrefix(lines[i], heading) {
		i++
	}
	require.Less(t, i, len(lines), "heading %q not found in ERRORS.md", heading)
	for i < len(lines) && !strings.HasPrefix(lines[i], "|") {
		i++
	}
	var rows [][]string
	for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
		cells := strings.Split(strings.Trim(strings.TrimSpace(lines[i]), "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		rows = append(rows, cells)
	}
	require.Greater(t, len(rows), 2, "no table under %q", heading)
	return rows[2:] // header and |---| separator
}

var errSpecCodeName = regexp.MustCompile("`([A-Za-z]+)`")

// errSpecCodeNames returns the backquoted names in a cell that are SDK code
// names (status names such as DEVICE_GUID_CONFLICT are left out).
func errSpecCodeNames(cell string) []string {
	var names []string
	for _, m := range errSpecCodeName.FindAllStringSubmatch(cell, -1) {
		if m[1] != strings.ToUpper(m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

func TestCodeTableIsOrderedAndConsistent(t *testing.T) {
	codes := Codes()
	require.NotEmpty(t, codes)
	names := map[string]bool{}
	ident := regexp.MustCompile(`^[A-Z][A-Za-z]*$`)
	for i, c := range codes {
		if i > 0 {
			assert.Greater(t, c.Code, codes[i-1].Code, "table must be strictly ordered by number at %s", c.Name)
		}
		assert.Regexp(t, ident, c.Name)
		assert.False(t, names[c.Name], "duplicate name %s", c.Name)
		names[c.Name] = true
		assert.NotEmpty(t, c.Description, c.Name)
		assert.Equal(t, c.Name, c.Code.String())
		assert.Equal(t, c.Description, c.Code.Description())
		assert.Equal(t, c.Class, c.Code.Class())
		assert.True(t, c.Code.Known())
		got, ok := CodeByName(c.Name)
		assert.True(t, ok, c.Name)
		assert.Equal(t, c.Code, got)
	}
	// Codes hands out a copy: callers cannot change the SDK's table.
	codes[0].Name = "Changed"
	assert.Equal(t, "NoError", Codes()[0].Name)
}

func TestCodeSpotChecks(t *testing.T) {
	assert.Equal(t, Code(105), UserAlreadyExist)
	assert.Equal(t, "UserAlreadyExist", UserAlreadyExist.String())
	assert.Equal(t, Code(0), NoError)
	assert.Equal(t, Code(746), ServerRtcNotOpen)
	assert.Equal(t, "The access token is invalid or expired.", InvalidToken.Description())

	assert.Equal(t, "Code(999)", Code(999).String())
	assert.Equal(t, "", Code(999).Description())
	assert.False(t, Code(999).Known())
	assert.False(t, Code(-1).Known())
	assert.Equal(t, Terminal, Code(999).Class())

	_, ok := CodeByName("invalidtoken")
	assert.False(t, ok, "names are case-sensitive")
	_, ok = CodeByName("")
	assert.False(t, ok)

	assert.Equal(t, "terminal", Terminal.String())
	assert.Equal(t, "recoverable", Recoverable.String())
	assert.Equal(t, "retryable", Retryable.String())
	assert.Equal(t, "Class(9)", Class(9).String())
}

// TestCodesMatchSpec checks the Go table against ERRORS.md §7 both ways:
// the spec is the contract.
func TestCodesMatchSpec(t *testing.T) {
	lines := readErrorsSpec(t)
	rows := errSpecTable(t, lines, "## 7.")
	spec := map[string]Code{}
	for _, r := range rows {
		require.Len(t, r, 3, "§7 row %v", r)
		n, err := strconv.Atoi(r[0])
		require.NoError(t, err, "§7 row %v", r)
		_, dup := spec[r[1]]
		require.False(t, dup, "§7 lists %s twice", r[1])
		spec[r[1]] = Code(n)

		c, ok := CodeByName(r[1])
		if assert.True(t, ok, "§7 code %s missing from the Go table", r[1]) {
			assert.Equal(t, Code(n), c, "number of %s", r[1])
			assert.Equal(t, r[2], c.Description(), "description of %s", r[1])
		}
	}
	for _, c := range Codes() {
		n, ok := spec[c.Name]
		if assert.True(t, ok, "Go code %s is not in ERRORS.md §7", c.Name) {
			assert.Equal(t, n, c.Code, c.Name)
		}
	}
}

// TestCodeClassesMatchSpec checks every code listed in the class table of
// ERRORS.md §6.1.
func TestCodeClassesMatchSpec(t *testing.T) {
	lines := readErrorsSpec(t)
	classes := map[string]Class{"terminal": Terminal, "recoverable": Recoverable, "retryable": Retryable}
	seen := 0
	for _, r := range errSpecTable(t, lines, "### 6.1") {
		want, ok := classes[r[0]]
		require.True(t, ok, "unknown class %q", r[0])
		for _, name := range errSpecCodeNames(r[1]) {
			c, ok := CodeByName(name)
			if assert.True(t, ok, "§6.1 names unknown code %s", name) {
				assert.Equal(t, want, c.Class(), name)
				seen++
			}
		}
	}
	assert.GreaterOrEqual(t, seen, 40)
}

func TestCodeClassesBeyondTheClassTable(t *testing.T) {
	// Classes the spec states outside the §6.1 table.
	for _, c := range []Code{
		SignInTimeout,                                                                   // §6.1 text
		ServerFileUploadUnknownError, ServerInvalidUploadUrl, ServerFileDownloadFailure, // §4.3: all transport failures
		ServerDNSFailed,          // §5: DNS failures are retryable
		MessageRateLimitExceeded, // §2: RATE_LIMIT_EXCEEDED
	} {
		assert.Equal(t, Retryable, c.Class(), c.String())
	}
	for _, c := range []Code{UserAbnormal, ServerDNSUserCancelFailed, MessageBadArg, GroupNotExist, UserPermissionDenied} {
		assert.Equal(t, Terminal, c.Class(), c.String())
	}
}

// errTestStatusNumbers are the Status.ErrorCode values of xsync.proto.
var errTestStatusNumbers = map[string]uint32{
	"UNKNOWN": 0, "OK": 1, "FAIL": 2, "UNKNOWN_COMMAND": 3, "PB_PARSER_ERROR": 4,
	"DECRYPT_FAILURE": 5, "PUBLIC_KEY_CHANGED": 6, "INVALID_TOKEN": 7, "INVALID_PARAMETER": 8,
	"UNAUTHORIZED": 9, "USER_FROZEN": 10, "USER_BANNED": 11, "WORD_CENSORED": 12,
	"TOO_MANY_DEVICES": 13, "ENCRYPT_METHOD_UNSUPPORTED": 14, "DEVICE_GUID_CONFLICT": 15,
	"CHECK_SUM_FAILURE": 16, "INVALID_LICENSE": 17, "LICENSE_LIMIT": 18, "APP_FROZEN": 19,
	"RATE_LIMIT_EXCEEDED": 20,
}

// TestStatusMapping covers every row of ERRORS.md §2 in the three contexts,
// with a reason that refines nothing.
func TestStatusMapping(t *testing.T) {
	tests := []struct {
		status             string
		other, login, send Code
	}{
		{"FAIL", ServerUnknownError, ServerUnknownError, ServerUnknownError},
		{"UNKNOWN_COMMAND", ServerInvalid, ServerInvalid, ServerInvalid},
		{"PB_PARSER_ERROR", ServerInvalid, ServerInvalid, ServerInvalid},
		{"DECRYPT_FAILURE", ServerDecryptionFailed, ServerDecryptionFailed, ServerDecryptionFailed},
		{"PUBLIC_KEY_CHANGED", ServerNeedReconnected, ServerNeedReconnected, ServerNeedReconnected},
		{"INVALID_TOKEN", InvalidToken, InvalidToken, InvalidToken},
		{"INVALID_PARAMETER", InvalidParam, InvalidParam, MessageBadArg},
		{"UNAUTHORIZED", UserPermissionDenied, UserAuthFailed, UserPermissionDenied},
		{"USER_FROZEN", UserFrozen, UserFrozen, UserFrozen},
		{"USER_BANNED", UserBanned, UserBanned, UserBanned},
		{"WORD_CENSORED", MessageCensored, MessageCensored, MessageCensored},
		{"TOO_MANY_DEVICES", UserTooManyDevice, UserTooManyDevice, UserTooManyDevice},
		{"ENCRYPT_METHOD_UNSUPPORTED", ServerEncryptMethodUnsupported, ServerEncryptMethodUnsupported, ServerEncryptMethodUnsupported},
		{"DEVICE_GUID_CONFLICT", ServerCannotCreateDeviceSn, ServerCannotCreateDeviceSn, ServerCannotCreateDeviceSn},
		{"CHECK_SUM_FAILURE", ServerInvalid, ServerInvalid, ServerInvalid},
		{"INVALID_LICENSE", ServerInvalidLicense, ServerInvalidLicense, ServerInvalidLicense},
		{"LICENSE_LIMIT", ServerLicenseLimit, ServerLicenseLimit, ServerLicenseLimit},
		{"APP_FROZEN", ServerAppFrozen, ServerAppFrozen, ServerAppFrozen},
		{"RATE_LIMIT_EXCEEDED", ServerTooManyRequest, ServerTooManyRequest, MessageRateLimitExceeded},
	}
	require.Len(t, tests, len(errTestStatusNumbers)-2, "every non-success status has a row")
	for _, tc := range tests {
		n, ok := errTestStatusNumbers[tc.status]
		require.True(t, ok, tc.status)
		for ctx, want := range map[StatusContext]Code{StatusOther: tc.other, StatusLogin: tc.login, StatusSend: tc.send} {
			e := FromStatus(n, "some reason", ctx)
			require.NotNil(t, e, "%s ctx %d", tc.status, ctx)
			assert.Equal(t, want, e.Code, "%s ctx %d", tc.status, ctx)
			assert.Equal(t, SourceXSync, e.Source)
			assert.Equal(t, int(n), e.ServerCode)
			assert.Equal(t, "some reason", e.Message)
			assert.Equal(t, want.Class() == Retryable, e.Temporary, "%s ctx %d", tc.status, ctx)
		}
	}
}

func TestStatusSuccessAndFuture(t *testing.T) {
	for _, ctx := range []StatusContext{StatusOther, StatusLogin, StatusSend} {
		assert.Nil(t, FromStatus(0, "", ctx), "absent code is OK")
		assert.Nil(t, FromStatus(1, "whatever", ctx))
		for _, n := range []uint32{21, 99, 1 << 31} {
			e := FromStatus(n, "", ctx)
			require.NotNil(t, e)
			assert.Equal(t, ServerUnknownError, e.Code)
			assert.True(t, e.Temporary, "future statuses are retryable")
			assert.Equal(t, int(n), e.ServerCode)
			assert.Equal(t, ServerUnknownError.Description(), e.Message, "empty reason falls back to the description")
		}
	}
	// The class column "At login" of §2.
	assert.Equal(t, Retryable, FromStatus(2, "", StatusLogin).Class())
	assert.Equal(t, Recoverable, FromStatus(6, "", StatusLogin).Class())
	assert.Equal(t, Recoverable, FromStatus(7, "", StatusLogin).Class())
	assert.Equal(t, Recoverable, FromStatus(15, "", StatusLogin).Class())
	assert.Equal(t, Retryable, FromStatus(20, "", StatusLogin).Class())
	assert.Equal(t, Terminal, FromStatus(9, "bad password", StatusLogin).Class())
	assert.Equal(t, Recoverable, FromStatus(9, "you must login first", StatusLogin).Class())
}

// errTestStatusReasons is ERRORS.md §3.3.
var errTestStatusReasons = []struct {
	status, reason string
	want           Code
}{
	{"UNAUTHORIZED", "you must login first", UserNotLogin},
	{"UNAUTHORIZED", "not friend", RosterNotFriend},
	{"UNAUTHORIZED", "blocked", RosterBlockListExist},
	{"UNAUTHORIZED", "user not exist", UserNotExist},
	{"UNAUTHORIZED", "group not exist", GroupNotExist},
	{"UNAUTHORIZED", "not group member", GroupNotMemberFound},
	{"UNAUTHORIZED", "permission denied", UserPermissionDenied},
	{"USER_BANNED", "group banned", GroupMemberBanned},
	{"INVALID_PARAMETER", "message not found", MessageInvalid},
	{"INVALID_PARAMETER", "invalid message type", MessageInvalidType},
	{"INVALID_PARAMETER", "message recalled", MessageInvalid},
	{"FAIL", "recall time limit exceeded", MessageOutRecallTime},
	{"FAIL", "recall disabled", MessageRecallDisabled},
	{"FAIL", "rtc not supported", ServerRtcNotOpen},
	{"FAIL", "client msg id duplicated", MessageInvalid},
}

func TestStatusReasonRefinement(t *testing.T) {
	for _, tc := range errTestStatusReasons {
		n := errTestStatusNumbers[tc.status]
		for _, ctx := range []StatusContext{StatusSend, StatusOther} {
			e := FromStatus(n, tc.reason, ctx)
			require.NotNil(t, e)
			assert.Equal(t, tc.want, e.Code, "%s %q ctx %d", tc.status, tc.reason, ctx)
			assert.Equal(t, tc.reason, e.Message)

			// Exact, case-sensitive match: anything else keeps the default.
			def := FromStatus(n, "", ctx).Code
			assert.Equal(t, def, FromStatus(n, strings.ToUpper(tc.reason), ctx).Code)
			assert.Equal(t, def, FromStatus(n, tc.reason+" ", ctx).Code)
		}
		// The refinement belongs to its status only.
		other := errTestStatusNumbers["WORD_CENSORED"]
		assert.Equal(t, MessageCensored, FromStatus(other, tc.reason, StatusSend).Code)
	}
	// At login only "you must login first" refines UNAUTHORIZED.
	assert.Equal(t, UserNotLogin, FromStatus(9, "you must login first", StatusLogin).Code)
	assert.Equal(t, UserAuthFailed, FromStatus(9, "permission denied", StatusLogin).Code)
	assert.Equal(t, UserAuthFailed, FromStatus(9, "user not exist", StatusLogin).Code)
	assert.Equal(t, ServerUnknownError, FromStatus(2, "rtc not supported", StatusLogin).Code)
}

// TestStatusReasonsMatchSpec checks the hand-written §3.3 table above
// against the spec, so both it and the Go table follow the contract.
func TestStatusReasonsMatchSpec(t *testing.T) {
	lines := readErrorsSpec(t)
	rows := errSpecTable(t, lines, "### 3.3")
	require.Len(t, rows, len(errTestStatusReasons))
	for i, r := range rows {
		names := errSpecCodeNames(r[2])
		require.Len(t, names, 1, "§3.3 row %v", r)
		want, ok := CodeByName(names[0])
		require.True(t, ok, names[0])
		assert.Equal(t, errTestStatusReasons[i].status, r[0])
		assert.Equal(t, "`"+errTestStatusReasons[i].reason+"`", r[1])
		assert.Equal(t, want, errTestStatusReasons[i].want)
		n, ok := errTestStatusNumbers[r[0]]
		require.True(t, ok, r[0])
		assert.Equal(t, want, FromStatus(n, errTestStatusReasons[i].reason, StatusSend).Code, "§3.3 row %v", r)
	}
}

// errTestRESTCodes is ERRORS.md §4.1, one entry per business code.
var errTestRESTCodes = map[int]Code{
	402: InvalidToken, 10000: UserNotExist, 10001: InvalidVerificationCode,
	10002: InvalidRequestParameter, 10003: MissingAccessToken, 10004: UserAlreadyExist,
	10005: CurrentUserIsInRoster, 10006: CurrentUserIsInBlocklist, 10007: AnswerFailed,
	10008: InvalidToken, 10009: ServerFileUploadUnknownError, 10010: UserPermissionDenied,
	10011: GeneralError, 10012: RosterRejectApplication,
	12001: GeneralError, 12002: GeneralError, 12003: GeneralError, 12004: GeneralError,
	12005: GeneralError, 12006: GeneralError,
	20000: GroupServerDbError, 20001: GroupNotExist, 20002: GroupNotMemberFound,
	20003: GroupMsgNotifyTypeUnknown, 20004: GroupOwnerCannotLeave, 20005: GroupTransferNotAllowed,
	20006: GroupRecoveryMode, 20007: GroupExceedLimitGlobal, 20008: GroupExceedLimitUserCreate,
	20009: GroupExceedLimitUserJoin, 20010: GroupCapacityExceedLimit,
	20011: GroupMemberPermissionRequired, 20012: GroupAdminPermissionRequired,
	20013: GroupOwnerPermissionRequired, 20014: GroupApplicationExpiredOrHandled,
	20015: GroupInvitationExpiredOrHandled, 20016: GroupKickTooManyTimes, 20017: GroupMemberExist,
	20018: GroupBlockListExist, 20020: GroupAnnouncementNotFound, 20021: GroupAnnouncementForbidden,
	20022: GroupSharedFileNotFound, 20023: GroupSharedFileOperateNotAllowed,
	20024: InvalidRequestParameter, 20025: InvalidRequestParameter,
	30021: ServerAppLicenseInvalid, 30022: ServerAppLicenseExpired, 30023: ServerAppLicenseExceedLimit,
	40000: ServerAppIdInvalid,
}

func TestRESTMapping(t *testing.T) {
	assert.Nil(t, FromREST(200, "", "https://api/x", false))
	assert.Nil(t, FromREST(200, "", "https://api/token/user", true))
	const url = "https://api.example/group/info"
	for biz, want := range errTestRESTCodes {
		e := FromREST(biz, "server says", url, false)
		require.NotNil(t, e, "%d", biz)
		assert.Equal(t, want, e.Code, "%d", biz)
		assert.Equal(t, SourceREST, e.Source)
		assert.Equal(t, biz, e.ServerCode)
		assert.Equal(t, url, e.URL)
		assert.Equal(t, "server says", e.Message)
		assert.Equal(t, biz, e.FacadeCode(), "REST rejections carry the business code in FlooError.code")
	}
	for _, biz := range []int{0, 1, 201, 400, 404, 500, 10013, 12000, 12007, 20019, 20026, 30020, 30024, 39999, 40001, -5} {
		e := FromREST(biz, "", url, false)
		require.NotNil(t, e)
		assert.Equal(t, ServerUnknownError, e.Code, "%d", biz)
		assert.Equal(t, ServerUnknownError.Description(), e.Message)
	}
}

// TestRESTMappingMatchesSpec checks the hand table above against §4.1.
func TestRESTMappingMatchesSpec(t *testing.T) {
	lines := readErrorsSpec(t)
	rows := errSpecTable(t, lines, "### 4.1")
	covered := 0
	for _, r := range rows {
		if r[0] == "200" || r[0] == "any other" {
			continue
		}
		names := errSpecCodeNames(r[2])
		require.NotEmpty(t, names, "§4.1 row %v", r)
		want, ok := CodeByName(names[0])
		require.True(t, ok, names[0])
		lo, hi, ok := strings.Cut(r[0], "–")
		if !ok {
			hi = lo
		}
		from, err := strconv.Atoi(lo)
		require.NoError(t, err, r[0])
		to, err := strconv.Atoi(hi)
		require.NoError(t, err, r[0])
		for biz := from; biz <= to; biz++ {
			assert.Equal(t, want, errTestRESTCodes[biz], "hand table for %d", biz)
			assert.Equal(t, want, FromREST(biz, "", "", false).Code, "§4.1 code %d", biz)
			covered++
		}
	}
	assert.Len(t, errTestRESTCodes, covered, "hand table and §4.1 list the same codes")
}

func TestRESTTokenEndpoints(t *testing.T) {
	const url = "https://api.example/token/user"
	// Codes that keep their meaning on the token endpoints (§4.2).
	for biz, want := range map[int]Code{
		10000: UserNotExist, 30021: ServerAppLicenseInvalid, 30022: ServerAppLicenseExpired,
		30023: ServerAppLicenseExceedLimit, 40000: ServerAppIdInvalid,
	} {
		e := FromREST(biz, "m", url, true)
		require.NotNil(t, e)
		assert.Equal(t, want, e.Code, "%d", biz)
		assert.Equal(t, Terminal, e.Class(), "at login terminal")
	}
	// Everything else means the credentials were rejected.
	for _, biz := range []int{402, 10002, 10001, 10008, 20001, 30020, 30024, 99999} {
		e := FromREST(biz, "wrong password", url, true)
		require.NotNil(t, e)
		assert.Equal(t, UserAuthFailed, e.Code, "%d", biz)
		assert.Equal(t, biz, e.ServerCode)
		assert.Empty(t, e.ReloginNotice(), "never a relogin notice for the token endpoints")
	}
}

func TestRESTFromDNSReply(t *testing.T) {
	const url = "https://dns.example/v2/app_dns?app_id=x"
	assert.Nil(t, FromDNSReply(200, "", url))
	e := FromDNSReply(40000, "app id does not exist", url)
	require.NotNil(t, e)
	assert.Equal(t, ServerDNSAppIdInvalid, e.Code)
	assert.Equal(t, SourceDNS, e.Source)
	assert.Equal(t, 40000, e.ServerCode)
	assert.Equal(t, url, e.URL)
	assert.False(t, e.Temporary)
	assert.Equal(t, int(ServerDNSAppIdInvalid), e.FacadeCode(), "not a REST rejection")
	assert.Equal(t, "DNS_FAILED", e.FlooErrorCategory())

	e = FromDNSReply(10002, "", url)
	require.NotNil(t, e)
	assert.Equal(t, ServerDNSFetchFailed, e.Code)
	assert.True(t, e.Temporary)
}

// TestStatusHTTPAndTransport covers ERRORS.md §4.3.
func TestStatusHTTPAndTransport(t *testing.T) {
	const url = "https://api.example/user/info"
	assert.Nil(t, FromHTTPStatus(200, url))
	for status, want := range map[int]Code{
		429: ServerTooManyRequest,
		500: ServerBusy, 502: ServerBusy, 503: ServerBusy, 599: ServerBusy,
		201: ServerResponseInvalid, 204: ServerResponseInvalid, 301: ServerResponseInvalid,
		400: ServerResponseInvalid, 401: ServerResponseInvalid, 403: ServerResponseInvalid,
		404: ServerResponseInvalid, 428: ServerResponseInvalid, 600: ServerResponseInvalid,
		0: ServerResponseInvalid,
	} {
		e := FromHTTPStatus(status, url)
		require.NotNil(t, e, "%d", status)
		assert.Equal(t, want, e.Code, "%d", status)
		assert.Equal(t, SourceTransport, e.Source)
		assert.Equal(t, url, e.URL)
		assert.Zero(t, e.ServerCode, "HTTP statuses are not service codes")
		assert.Contains(t, e.Message, strconv.Itoa(status))
		assert.True(t, e.Temporary, "all transport failures are retryable")
	}

	cause := errors.New("dial tcp: lookup api.example: no such host")
	for _, tc := range []struct {
		e    *Error
		want Code
	}{
		{ErrServerNotReachable(cause), ServerNotReachable},
		{ErrServerConnectFailed(cause), ServerConnectFailed},
		{ErrServerTimeOut(cause), ServerTimeOut},
		{WrapError(ServerFileUploadUnknownError, SourceTransport, cause), ServerFileUploadUnknownError},
		{WrapError(ServerInvalidUploadUrl, SourceTransport, cause), ServerInvalidUploadUrl},
		{WrapError(ServerFileDownloadFailure, SourceTransport, cause), ServerFileDownloadFailure},
	} {
		assert.Equal(t, tc.want, tc.e.Code)
		assert.Equal(t, SourceTransport, tc.e.Source)
		assert.True(t, tc.e.Temporary, tc.want.String())
		assert.Equal(t, cause.Error(), tc.e.Message)
		assert.ErrorIs(t, tc.e, cause)
	}
	e := ErrServerTimeOut(nil)
	assert.Equal(t, ServerTimeOut.Description(), e.Message)
	assert.Nil(t, e.Unwrap())
}

type errTestTimeout struct{ timeout bool }

func (e errTestTimeout) Error() string { return "i/o timeout" }
func (e errTestTimeout) Timeout() bool { return e.timeout }

func TestErrorFromTransportError(t *testing.T) {
	assert.Nil(t, FromTransportError(nil))

	own := FromREST(10004, "", "", false)
	assert.Same(t, own, FromTransportError(errTestWrap{own}), "an *Error in the chain is kept")

	for _, tc := range []struct {
		err  error
		want Code
	}{
		{lite.DeadlineExceeded, ServerTimeOut},
		{errTestWrap{lite.DeadlineExceeded}, ServerTimeOut},
		{errTestTimeout{true}, ServerTimeOut},
		{errTestTimeout{false}, ServerConnectFailed},
		{io.ErrUnexpectedEOF, ServerConnectFailed},
		{lite.Canceled, UserCancel},
	} {
		e := FromTransportError(tc.err)
		require.NotNil(t, e)
		assert.Equal(t, tc.want, e.Code, "%v", tc.err)
		assert.ErrorIs(t, e, tc.err)
	}
	assert.Equal(t, SourceClient, FromTransportError(lite.Canceled).Source)
	assert.Equal(t, SourceTransport, FromTransportError(io.EOF).Source)
}

// TestStatusOfApp covers the app_status rows of ERRORS.md §5.
func TestStatusOfApp(t *testing.T) {
	for _, tc := range []struct {
		status, category string
		want             Code
	}{
		{"banned", "APP_BANNED", ServerAppStatusNotNormal},
		{"frozen", "APP_FROZEN", ServerAppFrozen},
		{"revoked", "APP_REVOKED", ServerAppStatusNotNormal},
	} {
		e := FromAppStatus(tc.status)
		require.NotNil(t, e, tc.status)
		assert.Equal(t, tc.want, e.Code)
		assert.Equal(t, SourceDNS, e.Source)
		assert.Equal(t, Terminal, e.Class())
		assert.False(t, e.Temporary)
		assert.Equal(t, tc.category, e.FlooErrorCategory())
		assert.Contains(t, e.Message, tc.status)
	}
	for _, s := range []string{"normal", "", "Banned", "something new"} {
		assert.Nil(t, FromAppStatus(s), "%q lets the login proceed", s)
	}
}

// TestErrorDNSRows covers the DNS rows of ERRORS.md §5: codes, classes and
// official categories.
func TestErrorDNSRows(t *testing.T) {
	for _, tc := range []struct {
		code     Code
		class    Class
		category string
	}{
		{ServerDNSAppIdEmpty, Terminal, ""},
		{ServerDNSHealthCheckFailed, Retryable, "DNS_FAILED"},
		{ServerDNSFetchFailed, Retryable, "DNS_FAILED"},
		{ServerDNSAppIdInvalid, Terminal, "DNS_FAILED"},
		{ServerDNSParseDataFailed, Retryable, "DNS_FAILED"},
		{ServerPrivateDNSParseDataFailed, Retryable, "DNS_FAILED"},
		{ServerDNSUserCancelFailed, Terminal, ""},
	} {
		e := WrapError(tc.code, SourceDNS, errors.New("x"))
		assert.Equal(t, tc.class, e.Class(), tc.code.String())
		assert.Equal(t, tc.class == Retryable, e.Temporary, tc.code.String())
		assert.Equal(t, tc.category, e.FlooErrorCategory(), tc.code.String())
	}
}

// TestErrorFromUserNotice covers the UserNotice rows of ERRORS.md §6.2.
func TestErrorFromUserNotice(t *testing.T) {
	for _, tc := range []struct {
		notice uint32
		want   Code
		class  Class
		action string
	}{
		{1, UserPasswordChanged, Terminal, NoticeReloginManually},
		{2, UserFrozen, Terminal, NoticeReloginManually},
		{3, UserRemoved, Terminal, NoticeReloginManually},
		{4, UserKickedBySameDevice, Terminal, NoticeReloginManually},
		{5, UserKickedByOtherDevices, Terminal, NoticeReloginManually},
		{10, UserKickedByOtherDevices, Terminal, NoticeReloginManually},
		{11, ServerNeedReconnected, Recoverable, NoticeRelogin},
		{12, ServerNeedReconnected, Recoverable, NoticeRelogin},
		{0, UserAbnormal, Terminal, NoticeReloginManually},
	} {
		e := FromUserNotice(tc.notice)
		require.NotNil(t, e, "%d", tc.notice)
		assert.Equal(t, tc.want, e.Code, "%d", tc.notice)
		assert.Equal(t, tc.class, e.Class(), "%d", tc.notice)
		assert.Equal(t, SourceXSync, e.Source)
		assert.Zero(t, e.ServerCode)
		assert.Equal(t, tc.action, e.ReloginNotice(), "%d", tc.notice)
		assert.Empty(t, e.FlooErrorCategory(), "user notices raise flooNotice, not flooError")
	}
	// Informational notices, and types newer than this version.
	for _, n := range []uint32{6, 7, 8, 9, 13, 14, 1000} {
		assert.Nil(t, FromUserNotice(n), "%d", n)
	}
	assert.Equal(t, "user notice KICK_BY_SAME_DEVICE", FromUserNotice(4).Message)
}

// TestErrorSessionRows covers the remaining rows of ERRORS.md §6.2.
func TestErrorSessionRows(t *testing.T) {
	// Non-OK UnreadDL/SyncDL status, not a send result: per §2.
	e := FromStatus(7, "", StatusOther)
	assert.Equal(t, InvalidToken, e.Code)
	assert.Equal(t, Recoverable, e.Class())
	// REST 402.
	e = FromREST(402, "token expired", "u", false)
	assert.Equal(t, InvalidToken, e.Code)
	assert.Equal(t, Recoverable, e.Class())
	// Connection lost.
	e = ErrServerConnectFailed(io.EOF)
	assert.Equal(t, Retryable, e.Class())
}

// TestErrorOfficialEvents covers ERRORS.md §6.3.
func TestErrorOfficialEvents(t *testing.T) {
	tests := []struct {
		name     string
		e        *Error
		category string
		action   string
	}{
		{"status FAIL", FromStatus(2, "boom", StatusOther), "FAIL", ""},
		{"status USER_FROZEN", FromStatus(10, "", StatusLogin), "USER_FROZEN", NoticeReloginManually},
		{"status USER_BANNED", FromStatus(11, "", StatusLogin), "USER_BANNED", ""},
		{"status APP_FROZEN", FromStatus(19, "", StatusLogin), "APP_FROZEN", NoticeReloginManually},
		{"status INVALID_LICENSE", FromStatus(17, "", StatusLogin), "LICENSE", NoticeReloginManually},
		{"status LICENSE_LIMIT", FromStatus(18, "", StatusOther), "LICENSE", NoticeReloginManually},
		{"status INVALID_TOKEN", FromStatus(7, "", StatusLogin), "7", NoticeRelogin},
		{"status UNAUTHORIZED no session", FromStatus(9, "you must login first", StatusOther), "9", NoticeRelogin},
		{"status UNAUTHORIZED at login", FromStatus(9, "bad password", StatusLogin), "9", ""},
		{"status PUBLIC_KEY_CHANGED", FromStatus(6, "", StatusLogin), "6", ""},
		{"status UNKNOWN_COMMAND", FromStatus(3, "", StatusOther), "3", ""},
		{"future status", FromStatus(42, "", StatusOther), "42", ""},
		{"REST 402", FromREST(402, "", "u", false), "", NoticeRelogin},
		{"REST 10008", FromREST(10008, "", "u", false), "", ""},
		{"REST licence", FromREST(30021, "", "u", false), "", ""},
		{"DNS fetch", WrapError(ServerDNSFetchFailed, SourceDNS, nil), "DNS_FAILED", ""},
		{"client", ClientError("bad"), "", ""},
		{"cluster changed", FromUserNotice(11), "", NoticeRelogin},
		{"password changed", FromUserNotice(1), "", NoticeReloginManually},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.category, tc.e.FlooErrorCategory(), tc.name)
		assert.Equal(t, tc.action, tc.e.ReloginNotice(), tc.name)
	}
	// Send results never raise session-level events (§3.1).
	for status := uint32(2); status <= 21; status++ {
		e := FromStatus(status, "you must login first", StatusSend)
		assert.Empty(t, e.FlooErrorCategory(), "send status %d", status)
		assert.Empty(t, e.ReloginNotice(), "send status %d", status)
	}
	var nilErr *Error
	assert.Empty(t, nilErr.FlooErrorCategory())
	assert.Empty(t, nilErr.ReloginNotice())
}

type errTestWrap struct{ err error }

func (w errTestWrap) Error() string { return "wrapped: " + w.err.Error() }
func (w errTestWrap) Unwrap() error { return w.err }

func TestErrorIsAsAndCodes(t *testing.T) {
	e := FromStatus(7, "token expired", StatusLogin)
	var err error = errTestWrap{e}

	assert.ErrorIs(t, err, &Error{Code: InvalidToken})
	assert.NotErrorIs(t, err, &Error{Code: UserAuthFailed})
	assert.NotErrorIs(t, err, (*Error)(nil))
	var got *Error
	require.ErrorAs(t, err, &got)
	assert.Same(t, e, got)

	assert.True(t, IsCode(err, InvalidToken))
	assert.False(t, IsCode(err, GeneralError))
	assert.Equal(t, InvalidToken, CodeOf(err))

	assert.Equal(t, NoError, CodeOf(nil))
	assert.True(t, IsCode(nil, NoError))
	assert.False(t, IsCode(nil, GeneralError))
	assert.Equal(t, GeneralError, CodeOf(io.EOF))
	assert.True(t, IsCode(io.EOF, GeneralError))
	assert.False(t, IsCode(io.EOF, InvalidToken))

	// A cause is reachable through Unwrap, and an inner *Error still
	// matches by code.
	inner := ErrServerTimeOut(lite.DeadlineExceeded)
	outer := WrapError(SignInFailed, SourceClient, inner)
	assert.ErrorIs(t, outer, lite.DeadlineExceeded)
	assert.ErrorIs(t, outer, &Error{Code: ServerTimeOut})
	assert.True(t, IsCode(outer, ServerTimeOut))
	assert.Equal(t, SignInFailed, CodeOf(outer), "the outermost code wins")
	assert.Same(t, inner, outer.Unwrap())

	var nilErr *Error
	assert.False(t, nilErr.Is(&Error{}))
	assert.Nil(t, nilErr.Unwrap())
	assert.Equal(t, "floo: <nil>", nilErr.Error())
}

func TestErrorConstructors(t *testing.T) {
	e := NewError(UserAlreadyExist, "")
	assert.Equal(t, UserAlreadyExist.Description(), e.Message)
	assert.Equal(t, SourceClient, e.Source)
	assert.False(t, e.Temporary)
	assert.Equal(t, "UserAlreadyExist", e.Name())
	assert.Equal(t, 105, e.FacadeCode())

	assert.True(t, NewError(ServerBusy, "x").Temporary)
	assert.False(t, NewError(InvalidToken, "x").Temporary, "recoverable is not temporary")

	c := ClientError("uid must be a number")
	assert.Equal(t, InvalidParam, c.Code)
	assert.Equal(t, SourceClient, c.Source)
	assert.Equal(t, "uid must be a number", c.Message)

	c = ClientErrorf("%s: longer than %d bytes", "ext", 4096)
	assert.Equal(t, InvalidParam, c.Code)
	assert.Equal(t, "ext: longer than 4096 bytes", c.Message)
	assert.Nil(t, c.Cause)

	w := WrapError(DbOperationFailed, SourceClient, nil)
	assert.Equal(t, DbOperationFailed.Description(), w.Message)
}

func TestErrorf(t *testing.T) {
	cause := errors.New("disk full")
	tests := []struct {
		format string
		args   []any
		want   string
	}{
		{"plain", nil, "plain"},
		{"%s=%v", []any{"a", "b"}, "a=b"},
		{"%d %d %d %d %d", []any{1, int8(-2), int16(3), int32(-4), int64(5)}, "1 -2 3 -4 5"},
		{"%d %d %d %d %d %d", []any{uint(1), uint8(2), uint16(3), uint32(4), uint64(5), uintptr(6)}, "1 2 3 4 5 6"},
		{"%x %x %x", []any{255, uint8(16), "hi"}, "ff 10 6869"},
		{"%q", []any{"a\"b"}, `"a\"b"`},
		{"%t %v", []any{true, false}, "true false"},
		{"%v %v", []any{1.5, float32(0.25)}, "1.5 0.25"},
		{"%v %d", []any{InvalidToken, InvalidToken}, "InvalidToken 307"},
		{"%v", []any{Retryable}, "retryable"},
		{"%s", []any{[]byte("bytes")}, "bytes"},
		{"%v", []any{nil}, "<nil>"},
		{"write: %w", []any{cause}, "write: disk full"},
		{"100%%", nil, "100%"},
		{"%s and %s", []any{"one"}, "one and %!s(MISSING)"},
		{"%s", []any{"a", 2}, "a%!(EXTRA 2)"},
		{"trailing %", nil, "trailing %!(NOVERB)"},
		{"%v", []any{struct{}{}}, "%!v(?)"},
		{"héllo %s", []any{"wörld"}, "héllo wörld"},
	}
	for _, tc := range tests {
		e := Errorf(GeneralError, tc.format, tc.args...)
		assert.Equal(t, tc.want, e.Message, tc.format)
	}
	e := Errorf(DbOperationFailed, "save %s: %w (then %w)", "conv", cause, io.EOF)
	assert.Same(t, cause, e.Cause, "the first %%w is the cause")
	assert.ErrorIs(t, e, cause)
	assert.Equal(t, "save conv: disk full (then EOF)", e.Message)
	assert.Equal(t, "floo: DbOperationFailed: save conv: disk full (then EOF)", e.Error(),
		"the cause is not repeated when the message already has it")
	assert.Nil(t, Errorf(GeneralError, "%v", cause).Cause, "%%v does not wrap")
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		e    *Error
		want string
	}{
		{NewError(UserAlreadyExist, "name taken"), "floo: UserAlreadyExist: name taken"},
		{&Error{Code: GeneralError}, "floo: GeneralError"},
		{FromStatus(7, "token expired", StatusLogin), "floo: InvalidToken: token expired (xsync 7)"},
		{FromREST(20001, "group not found", "https://api/group/info", false),
			"floo: GroupNotExist: group not found (rest 20001 https://api/group/info)"},
		{FromHTTPStatus(503, "https://api/x"), "floo: ServerBusy: HTTP status 503 (transport https://api/x)"},
		{&Error{Code: SignInFailed, Message: "login", Source: SourceClient, Cause: io.EOF}, "floo: SignInFailed: login: EOF"},
		{ErrServerConnectFailed(io.EOF), "floo: ServerConnectFailed: EOF (transport)"},
		{&Error{Code: Code(950), Message: "new"}, "floo: Code(950): new"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.e.Error())
	}
}
