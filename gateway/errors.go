package gateway

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a failed call to the gateway. Status is the HTTP status of the
// reply, 0 when none came (timeout, connection refused or reset, ctx done).
// Code and Description are the gateway's error code and message when it
// sent them.
type Error struct {
	Op          string
	Status      int
	Code        string
	Description string
	Err         error
}

func (e *Error) Error() string {
	switch {
	case e.Status == 0:
		return fmt.Sprintf("gateway %s: unreachable: %v", e.Op, e.Err)
	case e.Code != "":
		return fmt.Sprintf("gateway %s: HTTP %d %s: %s", e.Op, e.Status, e.Code, e.Description)
	}
	return fmt.Sprintf("gateway %s: HTTP %d", e.Op, e.Status)
}

func (e *Error) Unwrap() error { return e.Err }

// Unreachable reports whether the call failed without the gateway
// deciding anything: no reply, a 5xx or 429. Such a call may be retried,
// and says nothing about the payment.
func (e *Error) Unreachable() bool {
	return e.Status == 0 || e.Status >= 500 || e.Status == http.StatusTooManyRequests
}

// Unreachable reports whether err is a gateway error that decided nothing
// (see Error.Unreachable).
func Unreachable(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.Unreachable()
}

// NotFound reports whether the gateway answered that the thing asked for
// does not exist.
func NotFound(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.Status == http.StatusNotFound
}
