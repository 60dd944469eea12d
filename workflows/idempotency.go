package workflows

// usedKeys are the Idempotency-Keys of a workflow's accepted Updates, each
// with the hash of the request it came with (office.idempotency makes
// both). A household and a decree keep one each. Only memory: it is rebuilt
// by replaying the accepted Updates, and changes no command.
type usedKeys map[string]string

// reused: key was accepted before with another request (the IETF
// Idempotency-Key draft's 422). The same key with the same request has the
// same Update ID, which Temporal answers with the first result without
// asking the validator.
func (k usedKeys) reused(key, hash string) bool {
	prev, ok := k[key]
	return key != "" && ok && prev != hash
}

// use remembers an accepted Update's key.
func (k *usedKeys) use(key, hash string) {
	if key == "" {
		return
	}
	if *k == nil {
		*k = usedKeys{}
	}
	(*k)[key] = hash
}
