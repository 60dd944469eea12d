package api

import (
	"github.com/gin-gonic/gin"

	"github.com/verval/verval/internal/auth"
	"github.com/verval/verval/workflows"
)

// apiRoutes registers /api/v1. Every route but login and the OpenAPI
// document requires a session, and each says which roles may call it;
// region checks happen in the store queries, which only ever see rows
// inside the caller's region (another village's household is a 404).
func (s *Server) apiRoutes(g *gin.RouterGroup) {
	g.Use(s.timeout())
	g.POST("/login", s.login)
	g.GET("/openapi.json", s.openapi)

	a := g.Group("", s.authenticate())
	a.POST("/logout", s.logout)
	a.GET("/me", s.me)

	all := requireRoles(auth.Roles()...)
	office := requireRoles(auth.RoleDinsos, auth.RoleAdmin)
	field := requireRoles(auth.RoleVillage, auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin)
	supervisors := requireRoles(auth.RoleTKSK, auth.RoleDinsos, auth.RoleAdmin)
	watchers := requireRoles(auth.RoleTKSK, auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin)

	a.POST("/cycles", office, s.createCycle)
	a.GET("/cycles", all, s.listCycles)
	a.GET("/cycles/:id", all, s.getCycle)
	a.POST("/cycles/:id/intake", office, s.createIntake)
	a.GET("/cycles/:id/progress", all, s.progress)
	a.GET("/cycles/:id/stuck", watchers, s.stuck)
	a.POST("/cycles/:id/meetings", requireRoles(auth.RoleVillage), s.recordMeeting)
	a.GET("/intakes/:id", office, s.getIntake)
	a.GET("/intakes/:id/issues", office, s.intakeIssues)

	a.GET("/tasks", field, s.listTasks)
	a.GET("/tasks/:id", field, s.getTask)
	a.POST("/tasks/:id/result", requireRoles(auth.RoleVillage), s.submitResult)
	a.POST("/tasks/:id/reopen", supervisors, s.reopenTask)
	a.POST("/tasks/:id/assign", supervisors, s.assignTask)

	dinsos := requireRoles(auth.RoleDinsos)
	bupati := requireRoles(auth.RoleBupati)
	reviewers := requireRoles(auth.RoleDinsos, auth.RoleBupati, auth.RoleAdmin)
	a.POST("/cycles/:id/close", dinsos, s.closeCycle)
	a.POST("/cycles/:id/decrees", dinsos, s.draftDecree)
	a.GET("/cycles/:id/decrees", reviewers, s.listDecrees)
	a.GET("/decrees/:id", reviewers, s.getDecree)
	a.GET("/decrees/:id/attachment", reviewers, s.decreeAttachment)
	a.POST("/decrees/:id/submit", dinsos, s.decreeStep(workflows.UpdateDecreeSubmit))
	a.POST("/decrees/:id/revise", dinsos, s.decreeStep(workflows.UpdateDecreeRevise))
	a.POST("/decrees/:id/withdraw", dinsos, s.decreeStep(workflows.UpdateDecreeWithdraw))
	a.POST("/decrees/:id/return", bupati, s.decreeStep(workflows.UpdateDecreeReturn))
	a.POST("/decrees/:id/sign", bupati, s.decreeStep(workflows.UpdateDecreeSign))

	a.POST("/cycles/:id/proposals", dinsos, s.buildProposal)
	a.GET("/cycles/:id/proposals", office, s.listProposals)
	a.GET("/proposals/:id", office, s.getProposal)
	a.GET("/proposals/:id/file", dinsos, s.proposalFile)
	a.POST("/proposals/:id/submit", dinsos, s.submitProposal)
	a.POST("/proposals/:id/answers", dinsos, s.uploadAnswers)
	a.POST("/proposals/:id/unanswered", dinsos, s.markUnanswered)
	a.GET("/cycles/:id/report", watchers, s.report)
	a.GET("/cycles/:id/enrolments", office, s.enrolmentList)

	a.GET("/households/:id", all, s.getHousehold)
	a.GET("/households/:id/identity", requireRoles(auth.RoleDinsos, auth.RoleVillage), s.revealIdentity)
	a.POST("/households/:id/identity", dinsos, s.correctIdentity)
	a.GET("/notifications", all, s.listNotifications)
}
