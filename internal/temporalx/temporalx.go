// Package temporalx builds verval's Temporal client: one place that sets the
// logger, the payload codec and the connection checks, so the API, the
// worker, the CLI and the tests all talk to Temporal the same way.
package temporalx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
)

// Options configures a client.
type Options struct {
	Address   string
	Namespace string
	Logger    *slog.Logger
	// DataConverter and FailureConverter encrypt payloads and failures;
	// nil leaves Temporal's defaults.
	DataConverter    converter.DataConverter
	FailureConverter converter.FailureConverter
	// MetricsHandler reports SDK metrics; nil disables them.
	MetricsHandler client.MetricsHandler
}

// Dial connects to Temporal and checks the namespace answers, failing fast
// with a message naming the address when it does not.
func Dial(ctx context.Context, o Options) (client.Client, error) {
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := client.DialContext(dialCtx, client.Options{
		HostPort:         o.Address,
		Namespace:        o.Namespace,
		Logger:           log.NewStructuredLogger(o.Logger.With("component", "temporal")),
		DataConverter:    o.DataConverter,
		FailureConverter: o.FailureConverter,
		MetricsHandler:   o.MetricsHandler,
	})
	if err != nil {
		return nil, fmt.Errorf("temporal unreachable at %s (TEMPORAL_ADDRESS): %w", o.Address, err)
	}
	if _, err := c.CheckHealth(dialCtx, &client.CheckHealthRequest{}); err != nil {
		c.Close()
		return nil, fmt.Errorf("temporal at %s is not healthy: %w", o.Address, err)
	}
	return c, nil
}
