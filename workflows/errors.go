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

// refuseWith refuses a human step that no one field caused.
func refuseWith(code domain.Code, args ...any) error {
	return temporalx.Refuse(domain.Err(code, args...))
}
