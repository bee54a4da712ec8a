package main

import (
	"strings"
	"testing"
	"time"
)

func productionConfig() *serveConfig {
	return &serveConfig{addr: "0.0.0.0:8080", dbURL: "postgres://db/mitra", index: "memory", appSecret: "s3cret", verifyToken: "v",
		token: "EAAG", phoneNumberID: "1065", businessAccountID: "1020", apiBase: "https://graph.facebook.com/v24.0", publicURL: "https://verify.ap.gov.in",
		signingKey: "c2VlZA=="}
}

// The simulator cannot switch on over production settings, and production
// cannot start with a development convenience or a missing setting.
func TestServeConfigRefusesDevelopmentOverProduction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(c *serveConfig)
		want string // "" = accepted; otherwise part of the error
	}{
		{"production", func(c *serveConfig) {}, ""},
		{"simulator with the real app secret", func(c *serveConfig) {
			c.simulator, c.addr, c.apiBase, c.signingKey, c.verifyToken, c.token = true, "127.0.0.1:8080", "", "", "", ""
		},
			"WHATSAPP_APP_SECRET is set"},
		{"simulator with a real API base", func(c *serveConfig) {
			c.simulator, c.addr, c.appSecret, c.verifyToken, c.token, c.signingKey = true, "127.0.0.1:8080", "", "", "", ""
		}, "WHATSAPP_API_BASE is set"},
		{"simulator with everything real", func(c *serveConfig) { c.simulator, c.addr = true, "127.0.0.1:8080" },
			"WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN, WHATSAPP_TOKEN, WHATSAPP_API_BASE, MITRA_SIGNING_KEY are set"},
		{"simulator on every interface", func(c *serveConfig) {
			*c = serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "0.0.0.0:8080"}
		},
			"loopback"},
		{"simulator on a LAN address", func(c *serveConfig) {
			*c = serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "192.0.2.7:8080"}
		},
			"loopback"},
		{"simulator on a remote database", func(c *serveConfig) {
			*c = serveConfig{dbURL: "postgres://db.prod.example:5432/mitra", index: "memory", simulator: true, addr: "127.0.0.1:0"}
		}, "local database"},
		{"simulator with a real Flows key", func(c *serveConfig) {
			*c = serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "127.0.0.1:0", flowKeyFile: "/etc/mitra/flows.pem"}
		}, "MITRA_FLOW_PRIVATE_KEY_FILE is set"},
		{"production with an unusable Flows key", func(c *serveConfig) { c.flowKeyPEM = "not a key" }, "not a usable RSA key"},
		{"a draft kept past the 24-hour window", func(c *serveConfig) { c.draftTTL = 30 * time.Hour }, "-draft-ttl"},
		{"messages kept for ever", func(c *serveConfig) { c.retain = defaultRetentionDays(); c.retain.messages = 0 }, "-retain-message-days"},
		{"a negative retention", func(c *serveConfig) { c.retain = defaultRetentionDays(); c.retain.statuses = -1 }, "negative"},
		{"audit kept a month", func(c *serveConfig) { c.retain = defaultRetentionDays(); c.retain.audit = 30 }, "-retain-audit-days"},
		{"media kept for ever, audit for ever", func(c *serveConfig) { c.retain = defaultRetentionDays(); c.retain.media, c.retain.audit = 0, 0 }, ""},
		{"production on a synthesised catalogue", func(c *serveConfig) { c.engine.services = 26568 }, "-services"},
		{"simulator on a synthesised catalogue", func(c *serveConfig) {
			*c = serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "127.0.0.1:0"}
			c.engine.services = 26568
		}, ""},
		{"simulator on loopback", func(c *serveConfig) {
			*c = serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "127.0.0.1:0"}
		}, ""},
		{"simulator on localhost", func(c *serveConfig) {
			*c = serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "localhost:8080"}
		}, ""},
		{"production missing several", func(c *serveConfig) { c.token, c.apiBase, c.publicURL, c.signingKey = "", "", "", "" },
			"needs WHATSAPP_TOKEN, WHATSAPP_API_BASE, MITRA_PUBLIC_URL, MITRA_SIGNING_KEY"},
		{"a trusted proxy that is not an address", func(c *serveConfig) { c.trustedProxies = []string{"lb.example"} }, "MITRA_TRUSTED_PROXIES"},
		{"trusted proxies", func(c *serveConfig) { c.trustedProxies = []string{"10.0.0.0/8", "192.0.2.1"} }, ""},
		{"QR links at loopback", func(c *serveConfig) { c.publicURL = "http://127.0.0.1:8080" }, "loopback"},
		{"QR links at localhost", func(c *serveConfig) { c.publicURL = "http://localhost" }, "loopback"},
		{"QR links not a URL", func(c *serveConfig) { c.publicURL = "verify" }, "MITRA_PUBLIC_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := productionConfig()
			tt.edit(c)
			err := c.validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	// The simulator takes the development secrets, never a real one.
	c := &serveConfig{dbURL: "x", index: "memory", simulator: true, addr: "127.0.0.1:0"}
	if err := c.validate(); err != nil || c.appSecret != simAppSecret || c.token != simToken {
		t.Errorf("simulator config %+v, %v", c, err)
	}
}
