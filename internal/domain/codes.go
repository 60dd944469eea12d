package domain

// The codes, by subject. Each has its kind and English message in the
// catalogue below; the pages' Indonesian texts are keyed by the same
// constants (api/web/i18n.go), and a test checks every code has both.
const (
	// Every request.
	CodeUnauthorized         Code = "auth.required"
	CodeForbidden            Code = "auth.forbidden"
	CodeNotFound             Code = "not_found"
	CodeUnavailable          Code = "unavailable"
	CodeBadRequest           Code = "request.invalid"
	CodeBodyTooLarge         Code = "request.too_large"
	CodeIdempotencyKeyReused Code = "request.idempotency_key_reused"
	CodeRequired             Code = "field.required"
	CodeTooLong              Code = "field.too_long"
	CodeTextChar             Code = "field.invisible_char"
	CodeDateMalformed        Code = "date.malformed"
	CodeDateFuture           Code = "date.future"
	CodeDateBefore           Code = "date.before_cycle"
	CodeOutsideRegion        Code = "region.outside"
	CodeFileTooLarge         Code = "file.too_large"
	CodeFileUnreadable       Code = "file.unreadable"
	CodeFileFormat           Code = "file.format"
	CodeUploadBusy           Code = "upload.busy"

	// A household's case.
	CodeCaseEnded        Code = "case.ended"
	CodeCaseEndedInStage Code = "case.ended_in_stage"
	CodeCaseCycleClosed  Code = "case.cycle_closed"
	CodeCaseBusy         Code = "case.busy"
	CodeListClosed       Code = "list.closed"

	// The village officer's visit result.
	CodeVisitOutcome          Code = "visit.outcome"
	CodeVisitDuplicateMissing Code = "visit.duplicate_missing"
	CodeVisitDuplicateSelf    Code = "visit.duplicate_self"
	CodeVisitDuplicateOnly    Code = "visit.duplicate_only"
	CodeVisitDuplicateUnknown Code = "visit.duplicate_unknown"
	CodeVisitIndicators       Code = "visit.indicators"
	CodeVisitNote             Code = "visit.note"
	CodeVisitBusy             Code = "visit.busy"
	CodeVisitSubmitted        Code = "visit.submitted"
	CodeVisitStale            Code = "visit.stale"

	// Reopening a verification, assigning a task.
	CodeReopenReason       Code = "reopen.reason"
	CodeReopenInDecree     Code = "reopen.in_decree"
	CodeReopenStillOpen    Code = "reopen.still_open"
	CodeReopenPastVerified Code = "reopen.past_verification"
	CodeAssigneeInvalid    Code = "task.assignee"

	// A household's members, corrected at the visit.
	CodeMemberChange     Code = "member.change"
	CodeMemberDate       Code = "member.date"
	CodeMemberName       Code = "member.name"
	CodeMemberSex        Code = "member.sex"
	CodeMemberNIK        Code = "member.nik"
	CodeMemberRelation   Code = "member.relation"
	CodeMemberOccupation Code = "member.occupation"
	CodeMemberGone       Code = "member.gone"
	CodeMembersLocked    Code = "member.locked"

	// The village meeting.
	CodeMeetingOtherVillage Code = "meeting.other_village"
	CodeMeetingNumber       Code = "meeting.number"
	CodeMeetingAttendees    Code = "meeting.attendees"
	CodeMeetingOpenTasks    Code = "meeting.open_tasks"
	CodeMeetingNothing      Code = "meeting.nothing_verified"
	CodeMeetingRecorded     Code = "meeting.already_recorded"

	// The decree (SK Bupati).
	CodeDecreeBusy           Code = "decree.busy"
	CodeDecreeStep           Code = "decree.step_not_allowed"
	CodeDecreeChanged        Code = "decree.status_changed"
	CodeDecreeWithdrawn      Code = "decree.withdrawn"
	CodeDecreeFinished       Code = "decree.finished"
	CodeDecreeReturnReason   Code = "decree.return_reason"
	CodeDecreeWithdrawReason Code = "decree.withdraw_reason"
	CodeDecreeNumber         Code = "decree.number"
	CodeDecreeNumberTaken    Code = "decree.number_taken"
	CodeDecreeNumberUsed     Code = "decree.number_used"
	CodeDecreeNothing        Code = "decree.nothing_waiting"
	CodeDecreeKind           Code = "decree.kind"
	CodeRevokeReason         Code = "decree.revoke_reason"
	CodeRevokeNone           Code = "decree.revoke_none"
	CodeRevokeNotSigned      Code = "decree.revoke_not_signed"

	// Kemensos proposals (batches) and answers.
	CodeProposalNeedsDecree      Code = "proposal.needs_decree"
	CodeProposalNothing          Code = "proposal.nothing_waiting"
	CodeProposalSubmitted        Code = "proposal.already_submitted"
	CodeProposalNotSubmitted     Code = "proposal.not_submitted"
	CodeProposalMonth            Code = "proposal.month"
	CodeProposalUnansweredReason Code = "proposal.unanswered_reason"
	CodeProposalAllAnswered      Code = "proposal.all_answered"
	CodeProposalSimulated        Code = "proposal.simulated"
	CodeProposalSimulatedUpload  Code = "proposal.simulated_upload"

	// The cycle.
	CodeCycleExists          Code = "cycle.exists"
	CodeCycleRegency         Code = "cycle.regency"
	CodeCycleRegencyUnknown  Code = "cycle.regency_unknown"
	CodeCycleYear            Code = "cycle.year"
	CodeCycleOpenedYear      Code = "cycle.opened_year"
	CodeCycleDays            Code = "cycle.verification_days"
	CodeCycleClosed          Code = "cycle.closed"
	CodeCycleScope           Code = "cycle.scope"
	CodeCycleScopeTaken      Code = "cycle.scope_taken"
	CodeCycleCloseReason     Code = "cycle.close_reason"
	CodeCycleIntakeRunning   Code = "cycle.intake_running"
	CodeCycleDecreeUnsigned  Code = "cycle.decree_unsigned"
	CodeCycleProposalUnsent  Code = "cycle.proposal_unsent"
	CodeCycleProposalWaiting Code = "cycle.proposal_waiting"

	// A household's identity correction.
	CodeIdentityNone     Code = "identity.none"
	CodeIdentityNumber   Code = "identity.number"
	CodeIdentitySameNIK  Code = "identity.same_nik"
	CodeIdentitySameKK   Code = "identity.same_kk"
	CodeIdentityInBatch  Code = "identity.in_batch"
	CodeIdentityKKTaken  Code = "identity.kk_taken"
	CodeEnrolmentProgram Code = "enrolment.programme"

	// Users.
	CodeUsername      Code = "user.username"
	CodeUsernameTaken Code = "user.username_taken"
	CodePasswordShort Code = "user.password_short"
	CodePasswordLong  Code = "user.password_long"
	CodeUserName      Code = "user.name"
	CodeUserRole      Code = "user.role"
	CodeAdminRegion   Code = "user.admin_region"
	CodeRegionFormat  Code = "user.region_format"
	CodeRegionUnknown Code = "user.region_unknown"
	CodeRegionOne     Code = "user.region_one"
	CodePhone         Code = "user.phone"
	// Usul: a household proposed from outside the file.
	CodeUsulInCycle       Code = "usul.in_cycle"
	CodeUsulDecided       Code = "usul.decided"
	CodeUsulVillageClosed Code = "usul.village_closed"
	CodeUsulName          Code = "usul.name"
	CodeUsulAddress       Code = "usul.address"
	CodeUsulMembers       Code = "usul.members"
	CodeUsulReason        Code = "usul.reason"
	CodeUsulChannel       Code = "usul.channel"

	// Sanggah: an objection to a household's decision.
	CodeSanggahKind       Code = "sanggah.kind"
	CodeSanggahReason     Code = "sanggah.reason"
	CodeSanggahObjector   Code = "sanggah.objector"
	CodeSanggahName       Code = "sanggah.name"
	CodeSanggahUndecided  Code = "sanggah.undecided"
	CodeSanggahKindStage  Code = "sanggah.kind_stage"
	CodeSanggahOpen       Code = "sanggah.open"
	CodeSanggahStatus     Code = "sanggah.status"
	CodeSanggahNote       Code = "sanggah.note"
	CodeSanggahDecision   Code = "sanggah.decision"
	CodeSanggahReverifier Code = "sanggah.reverifier"
	CodeSanggahNotYours   Code = "sanggah.not_yours"
	CodeSanggahPastDecree Code = "sanggah.past_decree"
	CodeSanggahPhotoLate  Code = "sanggah.photo_late"
	CodeCycleSanggahDays  Code = "cycle.sanggah_days"
	// A change to a decided household during the year.
	CodeChangeKind     Code = "change.kind"
	CodeChangeNotOpen  Code = "change.not_open"
	CodeChangePending  Code = "change.pending"
	CodeChangeNone     Code = "change.none"
	CodeChangeDesa     Code = "change.desa"
	CodeChangeHead     Code = "change.head"
	CodeChangeNote     Code = "change.note"
	CodeChangeDecision Code = "change.decision"
	CodeChangeMembers  Code = "change.members"
	CodeChangeEnrolled Code = "change.before_enrolment"
	CodeCycleNotClosed Code = "cycle.not_closed"
	// Photos: a visit's, an usul's or a sanggah's evidence.
	CodePhotoKind      Code = "photo.kind"
	CodePhotoNotImage  Code = "photo.not_image"
	CodePhotoTooLarge  Code = "photo.too_large"
	CodePhotoPixels    Code = "photo.pixels"
	CodePhotoLocation  Code = "photo.location"
	CodePhotoTakenAt   Code = "photo.taken_at"
	CodeVisitPhotos    Code = "visit.photos_missing"
	CodeVisitLocation  Code = "visit.location"
	CodePhotoOwnerKind Code = "photo.owner"
	// The account import.
	CodeImportSheetGone  Code = "import.sheet_gone"
	CodeImportColumns    Code = "import.columns"
	CodeImportDuplicate  Code = "import.duplicate"
	CodeImportRoleName   Code = "import.role"
	CodeImportInvalid    Code = "import.invalid"
	CodeImportEmpty      Code = "import.empty"
	CodeImportTooMany    Code = "import.too_many"
	CodeImportUnreadable Code = "import.unreadable"
	CodeRegionMany       Code = "user.region_many"
	CodeRegionRegency    Code = "user.region_regency"
	CodePasswordCommon   Code = "user.password_common"
	CodePasswordUsername Code = "user.password_username"
	CodePasswordSame     Code = "user.password_same"
	CodePasswordWrong    Code = "user.password_wrong"
	CodePasswordChange   Code = "auth.password_change"
	CodeAdminExists      Code = "user.admin_exists"
	CodeAccountSelf      Code = "user.self"
	CodeCrossOrigin      Code = "auth.cross_origin"
	CodeLoginBusy        Code = "auth.busy"
)

type entry struct {
	kind    Kind
	english string
}

// catalogue gives each code its kind and English message; %s takes the
// error's arguments in order.
var catalogue = map[Code]entry{
	CodeUnauthorized:         {KindUnauthorized, "login required"},
	CodeForbidden:            {KindForbidden, "your role may not do this"},
	CodeNotFound:             {KindNotFound, "not found"},
	CodeUnavailable:          {KindUnavailable, "service temporarily unavailable, try again shortly"},
	CodeBadRequest:           {KindBadRequest, "%s"},
	CodeIdempotencyKeyReused: {KindInvalid, "this Idempotency-Key was already used with a different request; send a new key"},
	CodeBodyTooLarge:         {KindTooLarge, "the request body is larger than %s; send less (files go to the upload routes)"},
	CodeRequired:             {KindInvalid, "is required"},
	CodeTooLong:              {KindInvalid, "is longer than %s characters"},
	CodeTextChar:             {KindInvalid, "holds the character %s (a control or invisible formatting character, or a line break in a one-line field); remove it"},
	CodeDateMalformed:        {KindInvalid, "must be a date as YYYY-MM-DD"},
	CodeDateFuture:           {KindInvalid, "cannot be in the future"},
	CodeDateBefore:           {KindInvalid, "cannot be before the cycle opened (%s)"},
	CodeOutsideRegion:        {KindInvalid, "is outside your region"},
	CodeFileTooLarge:         {KindInvalid, "is larger than %s"},
	CodeFileUnreadable:       {KindBadRequest, "could not be read completely; upload it again"},
	CodeFileFormat:           {KindInvalid, "%s"},
	CodeUploadBusy:           {KindUnavailable, "too many workbooks are being read at once; send the file again in a minute"},

	CodeCaseEnded:        {KindConflict, "this household's case has ended"},
	CodeCaseEndedInStage: {KindConflict, "the household's case has already ended (%s)"},
	CodeCaseCycleClosed:  {KindConflict, "the cycle is closed (tutup buku); this household's case has ended"},
	CodeCaseBusy:         {KindConflict, "the household is being updated; try again"},
	CodeListClosed:       {KindConflict, "the village meeting has closed this household's verification; ask the TKSK to reopen it"},

	CodeVisitOutcome:          {KindInvalid, "must be one of eligible, not_poor, not_found, deceased, moved, duplicate"},
	CodeVisitDuplicateMissing: {KindInvalid, "name the household this one duplicates"},
	CodeVisitDuplicateSelf:    {KindInvalid, "a household cannot duplicate itself"},
	CodeVisitDuplicateOnly:    {KindInvalid, "only for outcome duplicate"},
	CodeVisitDuplicateUnknown: {KindInvalid, "names no household of this cycle in your village"},
	CodeVisitIndicators:       {KindInvalid, "floor, wall and roof (jenisLantai, jenisDinding, jenisAtap) are required for outcome %s"},
	CodeVisitNote:             {KindInvalid, "explain what was found (who said so, where the family went)"},
	CodeVisitBusy:             {KindConflict, "another result for this household is being recorded; reload and try again"},
	CodeVisitSubmitted:        {KindConflict, "a result was already submitted for this household; to correct it, send version %s"},
	CodeMemberChange:          {KindInvalid, "must be born, died, moved_out or occupation"},
	CodeMemberDate:            {KindInvalid, "must be a date written YYYY-MM-DD, not in the future"},
	CodeMemberName:            {KindInvalid, "the new member's name is required (at most 200 characters)"},
	CodeMemberSex:             {KindInvalid, "must be L (laki-laki) or P (perempuan)"},
	CodeMemberNIK:             {KindInvalid, "must be a valid NIK of 16 digits not already in the household, or empty for a child who has none yet"},
	CodeMemberRelation:        {KindInvalid, "must be a relationship to the head other than kepala_keluarga, such as anak or cucu"},
	CodeMemberOccupation:      {KindInvalid, "say the new occupation (at most 200 characters)"},
	CodeMemberGone:            {KindConflict, "this member has already died or moved out"},
	CodeMembersLocked:         {KindConflict, "the village meeting has closed this household's list (or its cycle is closed): its members can no longer change"},
	CodeVisitStale:            {KindConflict, "the result changed since you loaded it (version %s, you sent %s); reload and try again"},

	CodeReopenReason:       {KindInvalid, "say why the verification is reopened"},
	CodeReopenInDecree:     {KindConflict, "the household is already in a signed decree; amend or revoke the decree instead"},
	CodeReopenStillOpen:    {KindConflict, "the verification is still open; the village can correct it without a reopen"},
	CodeReopenPastVerified: {KindConflict, "the household has moved past village verification (%s)"},
	CodeAssigneeInvalid:    {KindConflict, "assignee is not an active village officer of this desa"},

	CodeMeetingOtherVillage: {KindInvalid, "a village officer records only their own village's meeting"},
	CodeMeetingNumber:       {KindInvalid, "the berita acara number is required (at most 100 characters)"},
	CodeMeetingAttendees:    {KindInvalid, "must be the number of people present"},
	CodeMeetingOpenTasks:    {KindConflict, "%s households of this village still have no visit result"},
	CodeMeetingNothing:      {KindConflict, "this village has no verified households waiting for a meeting"},
	CodeMeetingRecorded:     {KindConflict, "this village's meeting is already recorded: its list is closed (a second recording, such as a double click, is refused)"},

	CodeDecreeBusy:           {KindConflict, "the decree is being updated; try again"},
	CodeDecreeStep:           {KindConflict, "the decree is %s, so it cannot be %s now"},
	CodeDecreeChanged:        {KindConflict, "decree is %s, not %s"},
	CodeDecreeWithdrawn:      {KindConflict, "the decree was withdrawn"},
	CodeDecreeFinished:       {KindConflict, "the decree is signed and has reached every household"},
	CodeDecreeReturnReason:   {KindInvalid, "say why the decree goes back to Dinsos"},
	CodeDecreeWithdrawReason: {KindInvalid, "say why the decree is withdrawn (at most 1000 characters)"},
	CodeDecreeNumber:         {KindInvalid, "the decree number is required (at most 100 characters)"},
	CodeDecreeNumberTaken:    {KindInvalid, "this decree number is already used in the regency"},
	CodeDecreeNumberUsed:     {KindConflict, "decree number %s is already used in this regency"},
	CodeDecreeNothing:        {KindConflict, "no household is waiting for a decree"},
	CodeDecreeKind:           {KindInvalid, "leave it empty for a list of eligible households, or revocation"},
	CodeRevokeReason:         {KindInvalid, "say why the households are revoked"},
	CodeRevokeNone:           {KindConflict, "name the households to revoke"},
	CodeRevokeNotSigned:      {KindConflict, "every household to revoke must be listed in a signed decree of this cycle and not revoked already"},

	CodeProposalNeedsDecree:      {KindConflict, "a proposal needs a signed decree of this cycle first"},
	CodeProposalNothing:          {KindConflict, "no household is waiting to be proposed"},
	CodeProposalSubmitted:        {KindConflict, "the proposal was already submitted"},
	CodeProposalNotSubmitted:     {KindConflict, "the proposal has not been submitted yet"},
	CodeProposalMonth:            {KindInvalid, "must be a month as YYYY-MM"},
	CodeProposalUnansweredReason: {KindInvalid, "say why Kemensos' answer is recorded as missing (at most %s characters)"},
	CodeProposalAllAnswered:      {KindConflict, "every household of the proposal already has an answer"},
	CodeProposalSimulated:        {KindConflict, "the simulated Kemensos answers this proposal by itself"},
	CodeProposalSimulatedUpload:  {KindConflict, "the simulated Kemensos answers this batch by itself (it was built with VERVAL_KEMENSOS=simulated): an answer file cannot be uploaded to it; if its answers do not come, resume the batch"},

	CodeCycleExists:          {KindConflict, "a cycle for regency %s and year %s already exists"},
	CodeCycleRegency:         {KindInvalid, "must be a regency or city code such as 35.05"},
	CodeCycleRegencyUnknown:  {KindInvalid, "names no regency or city in the 2025 Kemendagri list"},
	CodeCycleYear:            {KindInvalid, "must be a year such as 2026"},
	CodeCycleOpenedYear:      {KindInvalid, "must be a day of the cycle's year %s"},
	CodeCycleDays:            {KindInvalid, "must be between 1 and 365"},
	CodeCycleClosed:          {KindConflict, "the cycle is closed (tutup buku)"},
	CodeCycleScope:           {KindInvalid, "must be the highest desil that enters verification, from 1 to 5"},
	CodeCycleScopeTaken:      {KindConflict, "a file has already been taken into this cycle with its scope; the scope can change only before the first upload"},
	CodeCycleCloseReason:     {KindInvalid, "say why the cycle is closed (at most 500 characters)"},
	CodeCycleIntakeRunning:   {KindConflict, "an intake of this cycle is still running; close the cycle when it has finished"},
	CodeCycleDecreeUnsigned:  {KindConflict, "a decree of this cycle is not signed yet; have it signed or withdraw it before closing"},
	CodeCycleProposalUnsent:  {KindConflict, "a proposal batch of this cycle has not been sent to Kemensos; send it before closing"},
	CodeCycleProposalWaiting: {KindConflict, "a proposal batch of this cycle still waits for Kemensos' answer; upload it, or record that Kemensos did not answer, before closing"},

	CodeIdentityNone:     {KindInvalid, "give the corrected NIK, No KK or both"},
	CodeIdentityNumber:   {KindInvalid, "%s"},
	CodeIdentitySameNIK:  {KindInvalid, "is the NIK already recorded"},
	CodeIdentitySameKK:   {KindInvalid, "is the No KK already recorded"},
	CodeIdentityInBatch:  {KindConflict, "the household is in a batch waiting for Kemensos' answer, which names the recorded numbers; correct it after the answer"},
	CodeIdentityKKTaken:  {KindConflict, "another household of this cycle has this No KK"},
	CodeEnrolmentProgram: {KindBadRequest, "must be one of %s"},

	CodeUsername:          {KindInvalid, "3 to 64 characters: a lower-case letter, then letters, digits, '.', '_' or '-'"},
	CodeUsernameTaken:     {KindConflict, "username already taken"},
	CodePasswordShort:     {KindInvalid, "must be at least %s characters"},
	CodePasswordLong:      {KindInvalid, "must be at most %s bytes"},
	CodeUserName:          {KindInvalid, "required, at most 200 characters"},
	CodeUserRole:          {KindInvalid, "unknown role"},
	CodeAdminRegion:       {KindInvalid, "an administrator has no region"},
	CodeRegionFormat:      {KindInvalid, "role %s needs a %s-character dotted region code"},
	CodeRegionUnknown:     {KindInvalid, "not an official region code"},
	CodeRegionOne:         {KindInvalid, "role %s holds one region"},
	CodePhone:             {KindInvalid, "not a phone number (08..., 628... or +628...)"},
	CodeUsulInCycle:       {KindConflict, "the family is already in this cycle as %s (household %s)"},
	CodeUsulDecided:       {KindConflict, "the family is already in this cycle as %s (household %s) and its decision is taken: object to it with a sanggah"},
	CodeUsulVillageClosed: {KindConflict, "the desa's village meeting has closed its list; propose the family in the next cycle"},
	CodeUsulName:          {KindInvalid, "the head of the family's name is needed (at most 200 characters)"},
	CodeUsulAddress:       {KindInvalid, "the address is needed (at most 500 characters)"},
	CodeUsulMembers:       {KindInvalid, "the number of family members is from 1 to 30"},
	CodeChangeKind:        {KindInvalid, "the change is one of head_died, moved_desa, moved_out, graduated, withdrew, members_changed"},
	CodeChangeNotOpen:     {KindConflict, "the household's year is not open to changes (stage %s): only an enrolled household's is"},
	CodeChangePending:     {KindConflict, "a change of the household waits for the TKSK or Dinsos to confirm it"},
	CodeChangeNone:        {KindConflict, "the household has no change waiting for confirmation"},
	CodeChangeDesa:        {KindInvalid, "the new desa must be another desa of the regency %s"},
	CodeChangeHead:        {KindInvalid, "the new head must be a member present in the household"},
	CodeChangeNote:        {KindInvalid, "say what changed"},
	CodeChangeDecision:    {KindInvalid, "the decision is confirm or refuse; a refusal says why"},
	CodeChangeEnrolled:    {KindInvalid, "cannot be before the household was enrolled (%s): a change happens to an enrolled household"},
	CodeChangeMembers:     {KindInvalid, "a change of members lists 1 to %s changes (born, died, moved_out, occupation), each of a different member present other than the head (the head's death is head_died); other changes list none"},
	CodeCycleNotClosed:    {KindConflict, "next year's cycle opens from a closed cycle: close this one first (tutup buku), and let its close reach every household"},
	CodeUsulReason:        {KindInvalid, "say why the family is proposed (10 to 1000 characters)"},
	CodeUsulChannel:       {KindInvalid, "the channel is one of walk_in, letter, cek_bansos"},
	CodeSanggahKind:       {KindInvalid, "the kind is inclusion (on the list but well-off) or exclusion (left out but poor)"},
	CodeSanggahReason:     {KindInvalid, "say why the decision is wrong (10 to 1000 characters)"},
	CodeSanggahObjector:   {KindInvalid, "the objector is citizen, household or officer"},
	CodeSanggahName:       {KindInvalid, "the objector's name is needed (at most 200 characters)"},
	CodeSanggahUndecided:  {KindConflict, "the household's decision is not taken yet (stage %s): correct it at the visit"},
	CodeSanggahKindStage:  {KindConflict, "a %s objection does not fit the household's decision (stage %s)"},
	CodeSanggahOpen:       {KindConflict, "an objection to this household is already open (sanggah %s)"},
	CodeSanggahStatus:     {KindConflict, "the objection is %s; this step is for one that is %s"},
	CodeSanggahNote:       {KindInvalid, "say what was found or decided (at most 1000 characters)"},
	CodeSanggahDecision:   {KindInvalid, "the decision is upheld or rejected"},
	CodeSanggahReverifier: {KindInvalid, "the re-verification is by village or tksk"},
	CodeSanggahNotYours:   {KindForbidden, "this re-verification is for the %s"},
	CodeSanggahPastDecree: {KindConflict, "the household is no longer only waiting for its decree (stage %s): a revocation decree takes it off the list"},
	CodeSanggahPhotoLate:  {KindConflict, "the objection is %s: its evidence is attached before the decision (nothing was stored)"},
	CodeCycleSanggahDays:  {KindInvalid, "from 1 to 365 days"},
	CodePhotoKind:         {KindInvalid, "the photo's kind is one of front, inside, family_card, document"},
	CodePhotoNotImage:     {KindInvalid, "the file is not a JPEG or PNG photo; nothing was stored"},
	CodePhotoTooLarge:     {KindTooLarge, "the photo is larger than %s; take it again at a lower resolution (nothing was stored)"},
	CodePhotoPixels:       {KindInvalid, "the photo has more than %s million pixels; nothing was stored"},
	CodePhotoLocation:     {KindInvalid, "the location is latitude -90 to 90, longitude -180 to 180 and an accuracy of 0 to 100000 metres"},
	CodePhotoTakenAt:      {KindInvalid, "the time the photo was taken is an RFC 3339 time, not in the future"},
	CodeVisitPhotos:       {KindInvalid, "the outcome %s needs these photos first: %s"},
	CodeVisitLocation:     {KindInvalid, "the visit's location is latitude -90 to 90, longitude -180 to 180 and an accuracy of 0 to 100000 metres"},
	CodePhotoOwnerKind:    {KindBadRequest, "a photo belongs to a visit, an usul or a sanggah"},
	CodeImportSheetGone:   {KindConflict, "the one-time passwords were already downloaded, or expired after 24 hours: reset the passwords of the accounts that need one"},
	CodeImportColumns:     {KindInvalid, "the file lacks the columns %s"},
	CodeImportDuplicate:   {KindInvalid, "the username is also on row %s"},
	CodeImportRoleName:    {KindInvalid, "unknown role %s (village, psm, pendamping, tksk, dinsos, bupati)"},
	CodeImportInvalid:     {KindInvalid, "%s rows of the file have errors; nothing was created"},
	CodeImportEmpty:       {KindInvalid, "the file has no accounts"},
	CodeImportTooMany:     {KindInvalid, "at most %s accounts in one file"},
	CodeImportUnreadable:  {KindInvalid, "the file cannot be read as CSV or XLSX"},
	CodeRegionMany:        {KindInvalid, "an account holds at most %s regions"},
	CodeRegionRegency:     {KindInvalid, "an account's regions must lie in one regency"},
	CodePasswordCommon:    {KindInvalid, "is one of the passwords people commonly choose, which are guessed first; choose another"},
	CodePasswordUsername:  {KindInvalid, "must not be the username"},
	CodePasswordSame:      {KindInvalid, "must differ from the one-time password"},
	CodePasswordWrong:     {KindInvalid, "is not your current password"},
	CodePasswordChange:    {KindForbidden, "change your one-time password first (POST /api/v1/me/password)"},
	CodeAdminExists:       {KindConflict, "an administrator already exists; ask them for an account"},
	CodeAccountSelf:       {KindConflict, "you cannot disable your own account or change its role"},
	CodeCrossOrigin:       {KindForbidden, "cross-origin request refused"},
	CodeLoginBusy:         {KindUnavailable, "too many logins at once"},
}
