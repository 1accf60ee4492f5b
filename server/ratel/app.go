package ratel

func (a *API) registerAppRoutes() {
	a.handle("GET /app/config", public, a.appConfig)

	// The account and demo-app endpoints of REST.md §11 have no published
	// shapes; answering 10002 is the Recommended behaviour.
	for _, p := range []string{
		"GET /app/captcha/sms", "POST /app/captcha/image", "GET /app/captcha/sms_web",
		"GET /app/user/name_check", "POST /app/user/mobile_bind", "POST /app/user/mobile_bind_with_sign",
		"POST /app/user/mobile_update", "GET /app/user/info_pwd", "POST /app/user/mobile_prechange_by_password",
		"POST /app/user/mobile_prechange_by_mobile", "POST /app/user/mobile_change",
		"POST /app/secret_info", "GET /app/secret_info", "POST /app/generate_url_link",
		"GET /app/qr_code", "GET /app/qr_login", "GET /app/qrcode/group_sign", "GET /app/qrcode/group_invite",
		"GET /app/official_account/qrcode", "GET /app/official_account/qrcode_status",
		"GET /app/official_account/login", "GET /app/official_account/is_bind", "GET /user/bind_openid",
		"GET /app/wechat_login", "GET /app/support_staff", "POST /app/wechat/unbind", "GET /app/wechat/is_bind",
		"POST /app/wechat/bind", "GET /app/user_verification", "POST /app/user_verification_by_mobile",
	} {
		a.handle(p, public, unsupported)
	}
}

// appConfig answers GET /app/config (REST.md §4): opaque switches, no token.
func (a *API) appConfig(c *Call) (any, error) {
	return a.opts.AppConfig, nil
}

func unsupported(c *Call) (any, error) {
	return nil, Fail(CodeBadParam, "not supported by this server")
}
