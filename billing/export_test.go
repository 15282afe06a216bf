package billing

import (
	"context"
	"time"
)

// SetRunBatch makes the service's demand runs take n entries a batch.
func (s *Service) SetRunBatch(n int) { s.runBatch = n }

// WorkRun works run id for one slice, as its job would.
func (s *Service) WorkRun(ctx context.Context, tenant string, id int64, slice time.Duration) (bool, error) {
	return s.work(ctx, tenant, id, slice)
}

// LastOf is lastOf: what reinstating amount of an application takes off.
var LastOf = lastOf
