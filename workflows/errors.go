package workflows

import (
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/temporalx"
)

// refuseField refuses a human step naming the field at fault: validators
// return it, so a bad submission never touches the history.
func refuseField(field string, code domain.Code, args ...any) error {
	return temporalx.Refuse(domain.FieldErr(field, code, args...))
}

// refuseText refuses a free-text field that is too long or holds a
// character no text may (domain.CheckText); nil when it is fine.
func refuseText(field, s string, limit int, multiline bool) error {
	if e := domain.CheckText(field, s, limit, multiline); e != nil {
		return temporalx.Refuse(e)
	}
	return nil
}

// refuseWith refuses a human step that no one field caused.
func refuseWith(code domain.Code, args ...any) error {
	return temporalx.Refuse(domain.Err(code, args...))
}
