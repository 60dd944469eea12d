package api

import (
	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/workflows"
)

// apiRoutes registers /api/v1. Every route but login and the OpenAPI
// document requires a session, and each names its office.Step, whose
// roles (office.Roles, one table for the API and the pages) may call it;
// region checks happen in the store queries, which only ever see rows
// inside the caller's region (another village's household is a 404).
func (s *Server) apiRoutes(g *gin.RouterGroup) {
	g.Use(s.timeout(), s.bodyLimit(maxJSONBody))
	g.POST("/login", s.login)
	g.GET("/openapi.json", s.openapi)
	// Login-free: an objector follows their sanggah by its receipt code.
	g.GET("/status/:code", s.sanggahStatus)

	a := g.Group("", s.authenticate())
	a.POST("/logout", s.logout)
	a.GET("/me", s.me)
	a.POST("/me/password", s.changePassword)

	a.POST("/cycles", may(office.StepCreateCycle), s.createCycle)
	a.GET("/cycles", may(office.StepReadCycles), s.listCycles)
	a.GET("/cycles/:id", may(office.StepReadCycles), s.getCycle)
	a.POST("/cycles/:id/scope", may(office.StepIntake), s.setCycleScope)
	a.POST("/cycles/:id/intake", may(office.StepIntake), s.createIntake)
	a.GET("/cycles/:id/progress", may(office.StepReadCycles), s.progress)
	a.GET("/cycles/:id/stuck", may(office.StepStuck), s.stuck)
	a.POST("/cycles/:id/meetings", may(office.StepRecordMeeting), s.recordMeeting)
	a.POST("/cycles/:id/usul", may(office.StepUsul), s.proposeHousehold)
	a.POST("/cycles/:id/sanggah", may(office.StepSanggah), s.fileSanggah)
	a.GET("/cycles/:id/sanggah", may(office.StepReadSanggah), s.listSanggah)
	a.GET("/sanggah/:id", may(office.StepReadSanggah), s.getSanggah)
	a.POST("/sanggah/:id/finding", may(office.StepSanggahFinding), s.sanggahFinding)
	a.POST("/sanggah/:id/decision", may(office.StepSanggahDecide), s.sanggahDecision)
	a.POST("/sanggah/:id/photos", may(office.StepSanggahPhoto), s.uploadPhotoTo(s.deps.Office.UploadSanggahPhoto))
	a.GET("/sanggah/:id/photos", may(office.StepReadPhotos), s.sanggahPhotos)
	a.GET("/intakes/:id", may(office.StepIntake), s.getIntake)
	a.GET("/intakes/:id/issues", may(office.StepIntake), s.intakeIssues)
	a.POST("/intakes/:id/resume", may(office.StepIntake), s.resumeIntake)

	a.GET("/tasks", may(office.StepReadTasks), s.listTasks)
	a.GET("/tasks/:id", may(office.StepReadTasks), s.getTask)
	a.POST("/tasks/:id/result", may(office.StepSubmitResult), s.submitResult)
	a.POST("/tasks/:id/reopen", may(office.StepReopen), s.reopenTask)
	a.POST("/tasks/:id/assign", may(office.StepAssign), s.assignTask)
	a.POST("/tasks/:id/members", may(office.StepSubmitResult), s.changeMember)
	a.POST("/tasks/:id/photos", may(office.StepSubmitResult), s.uploadVisitPhoto)
	a.GET("/tasks/:id/photos", may(office.StepReadPhotos), s.visitPhotos)
	a.POST("/households/:id/usul/photos", may(office.StepUsul), s.uploadPhotoTo(s.deps.Office.UploadUsulPhoto))
	a.GET("/photos/:id", may(office.StepReadPhotos), s.photo)
	a.GET("/cycles/:id/visit-flags", may(office.StepVisitFlags), s.visitFlags)
	a.GET("/cycles/:id/evidence", may(office.StepReport), s.evidence)

	a.POST("/cycles/:id/close", may(office.StepCloseCycle), s.closeCycle)
	a.POST("/cycles/:id/next", may(office.StepNextCycle), s.openNextCycle)
	a.POST("/cycles/:id/decrees", may(office.StepDraftDecree), s.draftDecree)
	a.GET("/cycles/:id/decrees", may(office.StepReadDecrees), s.listDecrees)
	a.GET("/decrees/:id", may(office.StepReadDecrees), s.getDecree)
	a.GET("/decrees/:id/attachment", may(office.StepReadDecrees), s.decreeAttachment)
	for _, update := range []string{workflows.UpdateDecreeSubmit, workflows.UpdateDecreeRevise, workflows.UpdateDecreeWithdraw,
		workflows.UpdateDecreeReturn, workflows.UpdateDecreeSign} {
		a.POST("/decrees/:id/"+decreePaths[update], may(office.DecreeStepOf(update)), s.decreeStep(update))
	}

	a.POST("/cycles/:id/proposals", may(office.StepProposals), s.buildProposal)
	a.GET("/cycles/:id/proposals", may(office.StepReadProposals), s.listProposals)
	a.GET("/proposals/:id", may(office.StepReadProposals), s.getProposal)
	a.GET("/proposals/:id/file", may(office.StepProposals), s.proposalFile)
	a.POST("/proposals/:id/submit", may(office.StepProposals), s.submitProposal)
	a.POST("/proposals/:id/answers", may(office.StepProposals), s.uploadAnswers)
	a.POST("/proposals/:id/unanswered", may(office.StepProposals), s.markUnanswered)
	a.POST("/proposals/:id/resume", may(office.StepProposals), s.resumeProposal)
	a.GET("/cycles/:id/report", may(office.StepReport), s.report)
	a.GET("/cycles/:id/changes", may(office.StepReport), s.changeReport)
	a.GET("/cycles/:id/year-on-year", may(office.StepReport), s.yearOnYear)
	a.GET("/cycles/:id/enrolments", may(office.StepReadProposals), s.enrolmentList)

	a.GET("/households/:id", may(office.StepReadHouseholds), s.getHousehold)
	a.GET("/households/:id/identity", may(office.StepRevealIdentity), s.revealIdentity)
	a.POST("/households/:id/identity", may(office.StepCorrectIdentity), s.correctIdentity)
	a.POST("/households/:id/changes", may(office.StepRecordChange), s.recordChange)
	a.POST("/households/:id/changes/decision", may(office.StepDecideChange), s.decideChange)
	a.GET("/notifications", may(office.StepReadCycles), s.listNotifications)

	a.GET("/users", may(office.StepAccounts), s.listUsers)
	a.POST("/users", may(office.StepAccounts), s.createUser)
	a.POST("/users/import", may(office.StepAccounts), s.importUsers)
	a.GET("/users/imports/:id/passwords", may(office.StepAccounts), s.userImportPasswords)
	a.POST("/users/:id/disable", may(office.StepAccounts), s.setUserDisabled(true))
	a.POST("/users/:id/enable", may(office.StepAccounts), s.setUserDisabled(false))
	a.POST("/users/:id/reset-password", may(office.StepAccounts), s.resetUserPassword)
	a.POST("/users/:id/role", may(office.StepAccounts), s.changeUserRole)
	a.POST("/users/:id/end-sessions", may(office.StepAccounts), s.endUserSessions)
}

// decreePaths are the review steps' route words.
var decreePaths = map[string]string{
	workflows.UpdateDecreeSubmit: "submit", workflows.UpdateDecreeRevise: "revise", workflows.UpdateDecreeWithdraw: "withdraw",
	workflows.UpdateDecreeReturn: "return", workflows.UpdateDecreeSign: "sign",
}
