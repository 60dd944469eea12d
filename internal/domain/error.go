package domain

import (
	"errors"
	"fmt"
	"time"
)

// Kind is an error's class. It decides the HTTP status (api/errors.go maps
// it, once) and how a page reacts; the Code says which rule was broken.
type Kind string

// The kinds.
const (
	// KindInvalid: a field breaks a rule (422).
	KindInvalid Kind = "invalid"
	// KindBadRequest: the request itself is malformed (400).
	KindBadRequest Kind = "bad_request"
	// KindConflict: the step does not fit the current state (409).
	KindConflict Kind = "conflict"
	// KindNotFound: nothing visible to the caller has this id (404).
	KindNotFound Kind = "not_found"
	// KindUnauthorized: no valid login (401).
	KindUnauthorized Kind = "unauthorized"
	// KindForbidden: the caller's role may not take this step (403).
	KindForbidden Kind = "forbidden"
	// KindUnavailable: a dependency did not answer; try again (503).
	KindUnavailable Kind = "unavailable"
	// KindTooLarge: the request is larger than the route accepts (413).
	KindTooLarge Kind = "too_large"
)

// Code names one reason a step is refused: "visit.stale",
// "decree.step_not_allowed". Codes are stable: the pages translate them,
// Temporal carries them as an ApplicationError's type, and API clients may
// read them. Add new ones; never reuse one for another reason.
type Code string

// Error is the one error type of verval's steps. The English message is
// rendered from the code's entry in the catalogue and the arguments, so the
// JSON API and the Indonesian pages say the same thing in their languages,
// and no one matches text.
type Error struct {
	Code Code
	// Field names the request field at fault, when one is ("visitDate").
	Field string
	// Args fill the code's message: a version, a status, a count. Never
	// personal data: a refusal may be logged and is shown to the caller.
	Args []string
	// RetryAfter, for KindUnavailable, is how long to wait before trying
	// again; zero for the default.
	RetryAfter time.Duration
}

// Err builds an error of code with arguments (formatted with fmt.Sprint).
func Err(code Code, args ...any) *Error {
	e := &Error{Code: code}
	for _, a := range args {
		e.Args = append(e.Args, fmt.Sprint(a))
	}
	return e
}

// FieldErr builds an error of code naming the request field at fault.
func FieldErr(field string, code Code, args ...any) *Error {
	e := Err(code, args...)
	e.Field = field
	return e
}

// Kind is the code's class; an unknown code is a conflict.
func (e *Error) Kind() Kind {
	if c, ok := catalogue[e.Code]; ok {
		return c.kind
	}
	return KindConflict
}

// Message is the reason in English, without the field.
func (e *Error) Message() string {
	c, ok := catalogue[e.Code]
	if !ok {
		return string(e.Code)
	}
	return Format(c.english, e.Args)
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message()
	}
	return e.Message()
}

// Is makes errors.Is(err, target) true when target is an *Error of the same
// code, so a sentinel such as ErrCycleClosed matches every error of its code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// As returns err's *Error, if it has one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf is err's Kind; "" for an error that is not an *Error.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind()
	}
	return ""
}

// IsKind reports whether err is an *Error of kind k.
func IsKind(err error, k Kind) bool { return KindOf(err) == k }

// Known reports whether code is in the catalogue.
func Known(code Code) bool {
	_, ok := catalogue[code]
	return ok
}

// Codes lists every code in the catalogue, for the tests that check each
// has its texts.
func Codes() []Code {
	out := make([]Code, 0, len(catalogue))
	for c := range catalogue {
		out = append(out, c)
	}
	return out
}

// ArgCount is how many arguments code's message takes.
func ArgCount(code Code) int { return countVerbs(catalogue[code].english) }

// Format fills format's %s verbs with args in order: the catalogues' one
// formatting rule (English here, Indonesian in the pages). A missing
// argument leaves its verb's place empty; "%%" is a percent sign.
func Format(format string, args []string) string {
	var b []byte
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) {
			switch format[i+1] {
			case 's':
				if n < len(args) {
					b = append(b, args[n]...)
				}
				n++
				i++
				continue
			case '%':
				b = append(b, '%')
				i++
				continue
			}
		}
		b = append(b, format[i])
	}
	return string(b)
}

func countVerbs(format string) int {
	n := 0
	for i := 0; i+1 < len(format); i++ {
		if format[i] == '%' {
			if format[i+1] == 's' {
				n++
			}
			i++
		}
	}
	return n
}
