package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/verval/verval/internal/domain"
)

// Every code has a kind the doors map and an English message that takes
// its arguments.
func TestCatalogue(t *testing.T) {
	kinds := map[domain.Kind]bool{
		domain.KindInvalid: true, domain.KindBadRequest: true, domain.KindConflict: true, domain.KindNotFound: true,
		domain.KindUnauthorized: true, domain.KindForbidden: true, domain.KindUnavailable: true, domain.KindTooLarge: true,
	}
	seen := map[string]domain.Code{}
	for _, c := range domain.Codes() {
		e := domain.Err(c)
		if !kinds[e.Kind()] {
			t.Errorf("%s has kind %q", c, e.Kind())
		}
		if strings.TrimSpace(e.Message()) == "" && domain.ArgCount(c) == 0 {
			t.Errorf("%s has no English message", c)
		}
		if !strings.Contains(string(c), ".") && c != domain.CodeNotFound && c != domain.CodeUnavailable {
			t.Errorf("%s is not named subject.reason", c)
		}
		if other, dup := seen[strings.ToLower(string(c))]; dup {
			t.Errorf("%s and %s differ only in case", c, other)
		}
		seen[strings.ToLower(string(c))] = c
	}
}

func TestErrorMessageAndField(t *testing.T) {
	e := domain.FieldErr("visitDate", domain.CodeDateBefore, "2026-05-01")
	if got := e.Error(); got != "visitDate: cannot be before the cycle opened (2026-05-01)" {
		t.Errorf("Error() = %q", got)
	}
	if got := domain.Err(domain.CodeVisitStale, 3, 2).Message(); got != "the result changed since you loaded it (version 3, you sent 2); reload and try again" {
		t.Errorf("Message() = %q", got)
	}
	if got := domain.Err("no.such_code").Kind(); got != domain.KindConflict {
		t.Errorf("an unknown code's kind is %q, want conflict", got)
	}
}

// errors.Is matches by code through wrapping, so a sentinel stands for
// every error of its code; As finds the error inside a wrap.
func TestIsAndAs(t *testing.T) {
	sentinel := domain.Err(domain.CodeCycleClosed)
	wrapped := fmt.Errorf("close: %w", domain.Err(domain.CodeCycleClosed))
	if !errors.Is(wrapped, sentinel) {
		t.Error("a wrapped error of the same code is not the sentinel")
	}
	if errors.Is(wrapped, domain.Err(domain.CodeCaseEnded)) {
		t.Error("errors of different codes match")
	}
	e, ok := domain.As(wrapped)
	if !ok || e.Code != domain.CodeCycleClosed || !domain.IsKind(wrapped, domain.KindConflict) {
		t.Errorf("As(%v) = %v, %v", wrapped, e, ok)
	}
	if _, ok := domain.As(errors.New("plain")); ok || domain.KindOf(errors.New("plain")) != "" {
		t.Error("a plain error is taken for a domain error")
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		format string
		args   []string
		want   string
	}{
		{"a %s b %s", []string{"1", "2"}, "a 1 b 2"},
		{"only %s", []string{"1", "2"}, "only 1"},
		{"missing %s and %s", []string{"1"}, "missing 1 and "},
		{"100%% sure, %s", []string{"ya"}, "100% sure, ya"},
		{"trailing %", nil, "trailing %"},
		{"%d stays", nil, "%d stays"},
	} {
		if got := domain.Format(c.format, c.args); got != c.want {
			t.Errorf("Format(%q, %q) = %q, want %q", c.format, c.args, got, c.want)
		}
	}
}
