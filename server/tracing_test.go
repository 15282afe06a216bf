package server_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/server"
)

func TestTracingOnlyWhenOTELVariablesAskForIt(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set means off", nil, false},
		{"exporter none means off", map[string]string{"OTEL_TRACES_EXPORTER": "none"}, false},
		{"exporter none wins over an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false},
		{"sdk disabled wins over an exporter", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false},
		{"unrelated variables mean off", map[string]string{"OTEL_SERVICE_NAME": "munim"}, false},
		{"exporter otlp means on", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{"exporter console means on", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, true},
		{"otlp endpoint means on", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{"traces endpoint means on", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(key string) string { return tc.env[key] }
			require.Equal(t, tc.want, server.TracingWanted(getenv))
		})
	}
}
