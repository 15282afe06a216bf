package dbtest

import (
	"context"
	"testing"
	"time"

	"github.com/munimhq/munim/db"
)

// BenchmarkNewDB measures what each test pays for its database: the clone
// and its pool (ns/op) and, reported apart, the drop at the end of the test.
// It works below NewDB so that b.N databases do not pile up until the
// benchmark ends.
func BenchmarkNewDB(b *testing.B) {
	c := sharedCluster(b)
	ctx := context.Background()
	var dropped time.Duration
	for b.Loop() {
		name := databaseName(b.Name())
		if err := c.createDB(ctx, name); err != nil {
			b.Fatal(err)
		}
		pool, err := db.Open(ctx, c.dsn(name))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		start := time.Now()
		pool.Close()
		if err := c.dropDB(ctx, name); err != nil {
			b.Fatal(err)
		}
		dropped += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(dropped.Nanoseconds())/float64(b.N), "drop-ns/op")
}
