package dbtest_test

import (
	"testing"

	"github.com/munimhq/munim/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
