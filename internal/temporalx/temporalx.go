// Package temporalx builds verval's Temporal client: one place that sets the
// logger, the payload codec and the connection checks, so the API, the
// worker, the CLI and the tests all talk to Temporal the same way.
package temporalx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
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

// Dial connects to Temporal and checks that the frontend is healthy and the
// namespace exists, failing fast with a message naming the variable at
// fault (TEMPORAL_ADDRESS or TEMPORAL_NAMESPACE) when it does not.
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
		return nil, fmt.Errorf("temporal at %s (TEMPORAL_ADDRESS) is not healthy: %w", o.Address, err)
	}
	// Without this check a wrong namespace shows only later, as every
	// worker poll and every API call failing.
	if _, err := c.WorkflowService().DescribeNamespace(dialCtx, &workflowservice.DescribeNamespaceRequest{Namespace: o.Namespace}); err != nil {
		c.Close()
		var nf *serviceerror.NamespaceNotFound
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("temporal namespace %q does not exist at %s (TEMPORAL_NAMESPACE; create it with `temporal operator namespace create`)", o.Namespace, o.Address)
		}
		return nil, fmt.Errorf("temporal namespace %q at %s (TEMPORAL_NAMESPACE) cannot be described: %w", o.Namespace, o.Address, err)
	}
	return c, nil
}
