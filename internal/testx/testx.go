// Package testx holds the small helpers every package's tests share.
package testx

import (
	"reflect"
	"testing"
)

// Equal fails the test when got and want differ, naming what was compared.
func Equal[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}
