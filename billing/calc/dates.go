package calc

import (
	"time"
)

// Dates are calendar days: a payment at 23:59 on the last day of a window is
// on that day. civil reads the day in the time's own location (the caller
// passes tenant-local times) and drops the rest, so no comparison depends on
// the hour or on daylight saving.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isoDay(t time.Time) string { return t.Format(time.DateOnly) }

// daysBetween is the number of calendar days from one day to another,
// negative when to is earlier.
func daysBetween(from, to time.Time) int {
	return int(civil(to).Sub(civil(from)) / (24 * time.Hour))
}

func lastDayOf(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// addMonths moves a day k calendar months on. A month-end stays a
// month-end (30 June -> 31 July) and a day past the target month's end is
// clamped (31 January -> 28 February), where time.AddDate would spill into
// the next month.
func addMonths(d time.Time, k int) time.Time {
	y, m, day := civil(d).Date()
	ty, tm, _ := time.Date(y, m+time.Month(k), 1, 0, 0, 0, 0, time.UTC).Date()
	last := lastDayOf(ty, tm)
	if day == lastDayOf(y, m) || day > last {
		day = last
	}
	return time.Date(ty, tm, day, 0, 0, 0, 0, time.UTC)
}

// monthsStarted counts the months begun after due up to asOf, a part month
// counting as a whole ("for every month or part thereof"). Month k runs from
// the day after the (k-1)th monthly anniversary of due to the kth: with due
// 30 June, 1 July to 31 July is month 1 and 1 August starts month 2.
func monthsStarted(due, asOf time.Time) int {
	due, asOf = civil(due), civil(asOf)
	if !asOf.After(due) {
		return 0
	}
	k := (asOf.Year()-due.Year())*12 + int(asOf.Month()-due.Month()) - 1
	k = max(k, 1)
	for addMonths(due, k).Before(asOf) {
		k++
	}
	for k > 1 && !addMonths(due, k-1).Before(asOf) {
		k--
	}
	return k
}
