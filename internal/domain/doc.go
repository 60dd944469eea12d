// Package domain holds verval's domain types: the stages a household's case
// passes through, the village officer's visit outcomes, decree, batch and
// task statuses, who did a step (Actor), the household's start input, and
// the one error type every layer speaks (Error, with a Code per reason).
//
// It imports nothing of verval's and nothing outside the standard library,
// so the workflows, the activities, the store, the office service and both
// doors (the JSON API and the pages) can all share it.
package domain
