package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/stretchr/testify/mock"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/mocks"
	"google.golang.org/grpc"
	"gorm.io/gorm"

	"github.com/verval/verval/api"
	"github.com/verval/verval/api/web"
	"github.com/verval/verval/internal/codec"
	"github.com/verval/verval/internal/domain"
	"github.com/verval/verval/internal/objstore"
	"github.com/verval/verval/internal/office"
	"github.com/verval/verval/internal/pii"
	"github.com/verval/verval/internal/store"
	"github.com/verval/verval/internal/store/storetest"
	"github.com/verval/verval/workflows"
)

// This file holds what the OpenAPI and matrix tests share: a real
// api.Server on a real database with a mocked Temporal client, one helper
// per request, and a check of every response against the OpenAPI document.

// testCodecToken is the codec endpoint's bearer token in tests.
const testCodecToken = "codec-test-token"

// testAPI is a Server on a real database (SQLite or PostgreSQL) whose
// Temporal client is a mock that accepts every call the handlers make.
type testAPI struct {
	t        *testing.T
	db       *gorm.DB
	st       *store.Store
	clock    *storetest.Clock
	srv      *api.Server
	temporal *mocks.Client
	spec     *specRoutes
	// objects is the office's object store: what the photos left there.
	objects *objstore.Memory
	// secrets are strings no response may ever contain (full NIKs and No
	// KKs of the seeded households).
	secrets []string
	// namesHidden are the session tokens of the roles that never see a
	// family's name or address in clear (the administrator's); names are
	// the seeded families' names and addresses, which no answer to those
	// sessions, JSON, page or file, may contain.
	namesHidden map[string]bool
	names       []string
}

// newTestAPI builds the server at clock time start. The codec endpoint is
// mounted (with the real handler) so its routes are registered as in
// production.
func newTestAPI(t *testing.T, db *gorm.DB, start time.Time, opts ...func(*office.Deps)) *testAPI {
	t.Helper()
	clock := storetest.NewClock(start)
	st := storetest.NewStore(db, clock.Now)
	tc := newTemporalMock(t)
	objects := objstore.NewMemory()
	deps := office.Deps{Store: st, Temporal: tc, Log: storetest.Logger(t), Namespace: "default", ResetSticky: true, Now: clock.Now, Objects: objects}
	// opts change the office's dependencies, e.g. its enrolment rules.
	for _, o := range opts {
		o(&deps)
	}
	srv := api.New(api.Deps{
		Office: office.New(deps), Log: storetest.Logger(t),
		SessionTTL: 24 * time.Hour, TemporalUIURL: "http://temporal.test:8233", TemporalNamespace: "default",
		Codec: codec.Handler(pii.DevKeyring(), testCodecToken, nil, nil),
	})
	return &testAPI{t: t, db: db, st: st, clock: clock, srv: srv, temporal: tc, spec: loadSpecRoutes(t), objects: objects}
}

// newTemporalMock answers every Temporal call the handlers make with
// success: health checks pass, workflow starts succeed, and Updates return
// the stage the workflow would report. Expectations are Maybe: which calls
// a request must (or must not) cause is asserted per request from the
// mock's recorded calls.
func newTemporalMock(t *testing.T) *mocks.Client {
	t.Helper()
	tc := mocks.NewClient(t)
	tc.On("CheckHealth", mock.Anything, mock.Anything).Return(&client.CheckHealthResponse{}, nil).Maybe()
	tc.On("ExecuteWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(nil, nil).Maybe()
	h := &mocks.WorkflowUpdateHandle{}
	h.On("Get", mock.Anything, mock.Anything).Return(func(_ context.Context, v any) error {
		switch r := v.(type) {
		case *workflows.VerificationResponse:
			*r = workflows.VerificationResponse{Version: 1, Stage: domain.StageVerified}
		case *workflows.ReopenResponse:
			*r = workflows.ReopenResponse{Stage: domain.StageAwaitingVerification, DueAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
		case *workflows.DecreeState:
			*r = workflows.DecreeState{Status: domain.DecreeSubmitted}
		case *workflows.SanggahState:
			*r = workflows.SanggahState{Status: domain.SanggahAwaitingDecision}
		case *workflows.ChangeResponse:
			*r = workflows.ChangeResponse{ChangeID: 1, Stage: domain.StageEnrolled}
		default:
			t.Errorf("Update result of unexpected type %T", v)
		}
		return nil
	}).Maybe()
	tc.On("UpdateWorkflow", mock.Anything, mock.Anything).Return(h, nil).Maybe()
	tc.On("SignalWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(nil).Maybe()
	tc.On("SignalWithStartWorkflow", mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(nil, nil).Maybe()
	tc.On("WorkflowService").Return(stickyResets{}).Maybe()
	return tc
}

// stickyResets answers ResetStickyTaskQueue, the one frontend call the API
// makes directly (before an Update, see workflows.Cases); any other call
// panics on the nil embedded interface.
type stickyResets struct {
	workflowservice.WorkflowServiceClient
}

func (stickyResets) ResetStickyTaskQueue(context.Context, *workflowservice.ResetStickyTaskQueueRequest, ...grpc.CallOption) (*workflowservice.ResetStickyTaskQueueResponse, error) {
	return &workflowservice.ResetStickyTaskQueueResponse{}, nil
}

// apiRequest is one request to the server.
type apiRequest struct {
	method string
	// route is the gin pattern the request should match, e.g.
	// /api/v1/tasks/:id; it selects the OpenAPI operation the response is
	// checked against.
	route string
	// path is the URL path with its query.
	path  string
	token string
	// cookie, when set, is sent as the web pages' session cookie.
	cookie string
	// form, when not nil, is sent URL-encoded, as a page's form posts.
	form url.Values
	// json, when not nil, is sent JSON-encoded.
	json any
	// raw and contentType are sent as they are when json is nil.
	raw         []byte
	contentType string
	header      map[string]string
	// fullIDs marks the answers allowed to hold full NIK and No KK
	// numbers: the SIKS-NG upload file Dinsos sends to Kemensos, and the
	// audited reveal of one household's numbers.
	fullIDs bool
}

// apiResponse is the server's answer and the Temporal calls it caused.
type apiResponse struct {
	code     int
	header   http.Header
	body     []byte
	temporal []mock.Call
	// requestToken is the session token the request carried.
	requestToken string
}

// decode unmarshals the body into v, failing the test if it is not JSON.
func (r *apiResponse) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.shown(), err)
	}
}

// temporalCalls returns the recorded calls of one Temporal method.
func (r *apiResponse) temporalCalls(method string) []mock.Call {
	var out []mock.Call
	for _, c := range r.temporal {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// do sends req and checks what every response must satisfy: no full NIK
// or No KK in it, and (for documented routes) a status and body the
// OpenAPI document describes.
func (a *testAPI) do(req apiRequest) *apiResponse {
	a.t.Helper()
	raw, ct := req.raw, req.contentType
	switch {
	case req.json != nil:
		var err error
		if raw, err = json.Marshal(req.json); err != nil {
			a.t.Fatal(err)
		}
		ct = "application/json"
	case req.form != nil:
		raw, ct = []byte(req.form.Encode()), "application/x-www-form-urlencoded"
	}
	build := func() *http.Request {
		var body io.Reader
		if raw != nil {
			body = bytes.NewReader(raw)
		}
		hr := httptest.NewRequestWithContext(a.t.Context(), req.method, req.path, body)
		if ct != "" {
			hr.Header.Set("Content-Type", ct)
		}
		if req.token != "" {
			hr.Header.Set("Authorization", "Bearer "+req.token)
		}
		if req.cookie != "" {
			hr.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: req.cookie})
		}
		for k, v := range req.header {
			hr.Header.Set(k, v)
		}
		return hr
	}
	hr := build()
	before := len(a.temporal.Calls)
	w := httptest.NewRecorder()
	a.srv.Handler().ServeHTTP(w, hr)
	resp := &apiResponse{code: w.Code, header: w.Result().Header, body: w.Body.Bytes(), temporal: append([]mock.Call(nil), a.temporal.Calls[before:]...)}

	// Downloads are searched cell by cell: an XLSX is compressed.
	text := string(resp.body)
	if strings.Contains(resp.header.Get("Content-Type"), "spreadsheetml") {
		text = strings.Join(xlsxCells(a.t, resp.body), "\n")
	}
	for _, s := range a.secrets {
		if !req.fullIDs && strings.Contains(text, s) {
			a.t.Errorf("%s %s answered a full NIK or No KK: %.500s", req.method, req.path, text)
		}
	}
	if a.namesHidden[req.token] || a.namesHidden[req.cookie] {
		if clear := a.namesIn(text); clear != "" {
			a.t.Errorf("%s %s answered an administrator the name or address %q in clear: %.500s", req.method, req.path, clear, text)
		}
	}
	if err := a.spec.validate(a.t.Context(), req, hr, resp); err != nil {
		a.t.Errorf("%s %s: %d response does not match the OpenAPI document: %v\nbody: %s", req.method, req.path, resp.code, err, resp.shown())
	}
	// A request the server accepted must be one the document describes.
	if resp.code < 300 {
		if err := a.spec.validateRequest(a.t.Context(), req, build()); err != nil {
			a.t.Errorf("%s %s was accepted but does not match the OpenAPI document: %v", req.method, req.path, err)
		}
	}
	return resp
}

// namesIn returns the first seeded name or address text contains, or "".
// A page escapes HTML, so the escaped forms are looked for too.
func (a *testAPI) namesIn(text string) string {
	for _, n := range a.names {
		if strings.Contains(text, n) || strings.Contains(text, html.EscapeString(n)) {
			return n
		}
	}
	return ""
}

// xlsxCells returns every cell of every sheet of an XLSX file.
func xlsxCells(t *testing.T, body []byte) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Errorf("not an XLSX file: %v", err)
		return nil
	}
	defer f.Close()
	var out []string
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Errorf("sheet %s: %v", sh, err)
		}
		for _, r := range rows {
			out = append(out, r...)
		}
	}
	return out
}

// xlsxRows returns the rows of an XLSX file's sheet (its first when
// sheet is ""), failing the test when there is no such sheet.
func xlsxRows(t *testing.T, body []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not an XLSX file: %v", err)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %q: %v", sheet, err)
	}
	return rows
}

// want fails the test unless the response has status code.
func (r *apiResponse) want(t *testing.T, what string, code int) bool {
	t.Helper()
	if r.code != code {
		t.Errorf("%s: status %d, want %d; body %s", what, r.code, code, r.shown())
		return false
	}
	return true
}

// shown is the body for a failure message: text cut short, binary summed up.
func (r *apiResponse) shown() string {
	if !utf8.Valid(r.body) {
		return fmt.Sprintf("<%d bytes of %s>", len(r.body), r.header.Get("Content-Type"))
	}
	if len(r.body) > 2000 {
		return string(r.body[:2000]) + "..."
	}
	return string(r.body)
}

// login returns a new session token for username, straight from the store.
func (a *testAPI) login(username, password string) string {
	a.t.Helper()
	token, _, _, err := a.st.Login(a.t.Context(), username, password, time.Hour)
	if err != nil {
		a.t.Fatalf("login %s: %v", username, err)
	}
	return token
}

// specRoutes is the OpenAPI document made strict for testing, indexed by
// operation.
type specRoutes struct {
	doc *openapi3.T
	// ops maps "METHOD /openapi/path" to its operation.
	ops map[string]*routers.Route
}

// loadSpecRoutes loads the document and makes every object schema that
// does not say otherwise refuse unknown properties: the published document
// stays open to additions, but a handler answering a field the document
// does not describe fails the tests.
func loadSpecRoutes(t *testing.T) *specRoutes {
	t.Helper()
	doc, err := api.OpenAPI()
	if err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("OpenAPI document is invalid: %v", err)
	}
	seen := map[*openapi3.Schema]bool{}
	for _, s := range doc.Components.Schemas {
		closeSchema(s, seen)
	}
	sr := &specRoutes{doc: doc, ops: map[string]*routers.Route{}}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			sr.ops[method+" "+path] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			if op.RequestBody != nil {
				for _, mt := range op.RequestBody.Value.Content {
					closeSchema(mt.Schema, seen)
				}
			}
			for _, r := range op.Responses.Map() {
				for _, mt := range r.Value.Content {
					closeSchema(mt.Schema, seen)
				}
			}
		}
	}
	return sr
}

func closeSchema(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		no := false
		s.AdditionalProperties.Has = &no
	}
	for _, p := range s.Properties {
		closeSchema(p, seen)
	}
	closeSchema(s.Items, seen)
	closeSchema(s.AdditionalProperties.Schema, seen)
}

// ginPathParam matches gin's :name and *name path parameters.
var ginPathParam = regexp.MustCompile(`[:*]([A-Za-z_][A-Za-z0-9_]*)`)

// openapiPath turns a gin route pattern into an OpenAPI path:
// /tasks/:id becomes /tasks/{id}.
func openapiPath(ginPath string) string {
	return ginPathParam.ReplaceAllString(ginPath, "{$1}")
}

// validate checks a response against the operation of req.route, when the
// document has one (the codec endpoint is left out of it). Statuses the
// operation does not list are errors.
func (sr *specRoutes) validate(ctx context.Context, req apiRequest, hr *http.Request, resp *apiResponse) error {
	route, ok := sr.ops[req.method+" "+openapiPath(req.route)]
	if !ok {
		return nil
	}
	params := pathParams(req.route, hr.URL.Path)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route},
		Status:                 resp.code,
		Header:                 resp.header,
		Body:                   io.NopCloser(bytes.NewReader(resp.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return openapi3filter.ValidateResponse(ctx, in)
}

// validateRequest checks a request against the operation of req.route,
// when the document has one.
func (sr *specRoutes) validateRequest(ctx context.Context, req apiRequest, hr *http.Request) error {
	route, ok := sr.ops[req.method+" "+openapiPath(req.route)]
	if !ok {
		return nil
	}
	params := pathParams(req.route, hr.URL.Path)
	return openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{
		Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	})
}

// pathParams are the path's :id and :code segments, by name.
func pathParams(route, path string) map[string]string {
	params := map[string]string{}
	for _, name := range []string{"id", "code"} {
		if v := pathParam(route, path, name); v != "" {
			params[name] = v
		}
	}
	return params
}

// pathParam extracts the :name segment of path matched against the gin
// pattern route.
func pathParam(route, path, name string) string {
	rs, ps := strings.Split(route, "/"), strings.Split(path, "/")
	for i, seg := range rs {
		if seg == ":"+name && i < len(ps) {
			return ps[i]
		}
	}
	return ""
}
