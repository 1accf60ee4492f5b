//go:build !js

package native

import "github.com/flooim/floo/core"

// Defaults returns cfg with the native platform pieces filled in where cfg
// leaves them nil: Dialer (a zero Dialer), HTTP (a zero HTTP) and, when dir
// is not empty, Storage (a FileStorage in dir). Fields already set are kept,
// and cfg itself is not modified. With dir empty, Storage stays nil and
// core keeps the session in memory only.
func Defaults(cfg core.Config, dir string) (core.Config, error) {
	if cfg.Dialer == nil {
		cfg.Dialer = &Dialer{}
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &HTTP{}
	}
	if cfg.Storage == nil && dir != "" {
		st, err := OpenFileStorage(dir)
		if err != nil {
			return cfg, err
		}
		cfg.Storage = st
	}
	return cfg, nil
}
