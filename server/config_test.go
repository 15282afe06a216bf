package server_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/server"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name    string
		cfg     server.Config
		wantErr string // empty when the config is valid
	}{
		{"zero value takes the defaults", server.Config{}, ""},
		{"explicit values are kept", server.Config{Addr: ":0", MaxRequestBytes: 1, ShutdownTimeout: time.Second}, ""},
		{"addr needs a port", server.Config{Addr: "localhost"}, "addr"},
		{"negative request size", server.Config{MaxRequestBytes: -1}, "max request bytes"},
		{"negative read header timeout", server.Config{ReadHeaderTimeout: -time.Second}, "read header timeout"},
		{"negative read timeout", server.Config{ReadTimeout: -time.Second}, "read timeout"},
		{"negative write timeout", server.Config{WriteTimeout: -time.Second}, "write timeout"},
		{"negative idle timeout", server.Config{IdleTimeout: -time.Second}, "idle timeout"},
		{"negative shutdown timeout", server.Config{ShutdownTimeout: -time.Second}, "shutdown timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			_, newErr := server.New(tc.cfg, slog.New(slog.DiscardHandler))
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.NoError(t, newErr)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			require.ErrorContains(t, newErr, tc.wantErr, "New must refuse what Validate refuses")
		})
	}
}
