package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/verval/verval/internal/codec"
)

// assertNoPIIInClear searches everything a running stack's operators can
// read for the NIK, No KK and name of every family of the intake file:
// every workflow execution in the namespace (its listing with memo and
// search attributes, and every event of its history as raw protobuf bytes,
// payloads, failures and all), the verval process's log and the Temporal
// dev server's log. It fails on any hit.
//
// So that a search that sees nothing cannot pass, it also requires that
// every workflow type in wantTypes was listed, that every history held
// payloads encrypted by verval's codec (found by their metadata), and
// that both logs have content.
func assertNoPIIInClear(t *testing.T, s *stack, fams []family, wantTypes ...string) {
	t.Helper()
	assertNoPIIInClearWith(t, s, fams, nil, wantTypes...)
}

// assertNoPIIInClearWith is assertNoPIIInClear that also searches for
// others' data: the objectors' names and phone numbers of the sanggah.
func assertNoPIIInClearWith(t *testing.T, s *stack, fams []family, others []string, wantTypes ...string) {
	t.Helper()
	ctx := context.Background()
	var secrets []string
	for _, f := range fams {
		secrets = append(secrets, f.NIK, f.KK, f.Name)
	}
	secrets = append(secrets, others...)
	found := func(b []byte) string {
		for _, sec := range secrets {
			if bytes.Contains(b, []byte(sec)) {
				return sec
			}
		}
		return ""
	}
	// which names a secret by its kind only: the test output is a log too.
	which := func(sec string) string {
		for _, f := range fams {
			switch sec {
			case f.NIK:
				return "a NIK (" + f.ID + ")"
			case f.KK:
				return "a No KK (" + f.ID + ")"
			case f.Name:
				return "a name (" + f.ID + ")"
			}
		}
		for _, o := range others {
			if sec == o {
				return "an objector's name or phone"
			}
		}
		return "personal data"
	}

	types := map[string]int{}
	histories, encrypted := 0, 0
	var token []byte
	for {
		resp, err := s.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 1000, NextPageToken: token})
		if err != nil {
			t.Fatalf("list workflow executions: %v", err)
		}
		for _, info := range resp.Executions {
			wid, rid := info.GetExecution().GetWorkflowId(), info.GetExecution().GetRunId()
			types[info.GetType().GetName()]++
			raw, err := proto.Marshal(info)
			if err != nil {
				t.Fatal(err)
			}
			if sec := found(raw); sec != "" {
				t.Fatalf("workflow %s: its listing (ID, memo or search attributes) holds %s in clear text", wid, which(sec))
			}
			n, enc := 0, 0
			hist := s.temporal.GetWorkflowHistory(ctx, wid, rid, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for hist.HasNext() {
				ev, err := hist.Next()
				if err != nil {
					t.Fatalf("history of %s: %v", wid, err)
				}
				n++
				raw, err := proto.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				if sec := found(raw); sec != "" {
					t.Fatalf("workflow %s, history event %d (%s): holds %s in clear text", wid, ev.EventId, ev.EventType, which(sec))
				}
				// The text form too: failures' messages and stack traces are
				// strings, and this is what a UI shows.
				if sec := found([]byte(ev.String())); sec != "" {
					t.Fatalf("workflow %s, history event %d (%s): holds %s in clear text", wid, ev.EventId, ev.EventType, which(sec))
				}
				enc += countEncrypted(ev.ProtoReflect())
			}
			if n == 0 {
				t.Fatalf("workflow %s (%s): empty history; the search would prove nothing", wid, info.GetType().GetName())
			}
			if enc == 0 {
				t.Fatalf("workflow %s (%s): no payload encrypted by verval's codec in %d events; the search did not see the payloads", wid, info.GetType().GetName(), n)
			}
			histories++
			encrypted += enc
		}
		token = resp.NextPageToken
		if len(token) == 0 {
			break
		}
	}
	for _, wt := range wantTypes {
		if types[wt] == 0 {
			t.Fatalf("no %s execution listed (listed: %v); the search would miss its histories", wt, typeNames(types))
		}
	}

	// The logs: verval's own (the level the test set) and the Temporal
	// dev server's.
	serverLog, err := os.ReadFile(filepath.Join(s.env["VERVAL_DATA_DIR"], "temporal.log"))
	if err != nil {
		t.Fatalf("the Temporal server's log: %v", err)
	}
	for _, l := range []struct {
		name, text string
	}{{"verval", s.out.String()}, {"Temporal server", string(serverLog)}} {
		if strings.Count(l.text, "\n") < 5 {
			t.Fatalf("the %s log has %d lines; the search would prove nothing", l.name, strings.Count(l.text, "\n"))
		}
		if sec := found([]byte(l.text)); sec != "" {
			t.Fatalf("the %s log holds %s in clear text", l.name, which(sec))
		}
	}
	t.Logf("no personal data in clear: %d workflow histories (%v) with %d encrypted payloads, verval log %d bytes, Temporal server log %d bytes",
		histories, typeNames(types), encrypted, len(s.out.String()), len(serverLog))
}

// countEncrypted counts the payloads inside m (at any depth) that carry
// verval's encrypted encoding and a key id in their metadata.
func countEncrypted(m protoreflect.Message) int {
	if p, ok := m.Interface().(*commonpb.Payload); ok {
		md := p.GetMetadata()
		if string(md[converter.MetadataEncoding]) == codec.MetadataEncodingEncrypted && len(md[codec.MetadataEncryptionKeyID]) > 0 {
			return 1
		}
		return 0
	}
	n := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				n += countEncrypted(l.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				n += countEncrypted(mv.Message())
				return true
			})
		case fd.Message() != nil && !fd.IsMap():
			n += countEncrypted(v.Message())
		}
		return true
	})
	return n
}

func typeNames(types map[string]int) []string {
	var out []string
	for k := range types {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
