package codec_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/verval/verval/internal/codec"
	"github.com/verval/verval/internal/pii"
)

const (
	testNIK  = "3201012345670001"
	testKK   = "3201019876540002"
	testName = "Siti Aminah"
)

// household mimics a workflow input carrying personal data.
type household struct {
	NIK  string
	NoKK string
	Name string
}

var (
	keyA    = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xA1}, 32))
	keyB    = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xB2}, 32))
	hashKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xC3}, 32))
)

func keyring(t *testing.T, keys string) *pii.Keyring {
	t.Helper()
	k, err := pii.ParseKeyring(keys, hashKey)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

// wire returns everything Temporal would store for the payloads.
func wire(t *testing.T, ps ...*commonpb.Payload) []byte {
	t.Helper()
	b, err := proto.Marshal(&commonpb.Payloads{Payloads: ps})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertNoPII(t *testing.T, b []byte) {
	t.Helper()
	for _, s := range []string{testNIK, testKK, testName} {
		if bytes.Contains(b, []byte(s)) {
			t.Fatalf("clear-text personal data %q found in encoded bytes", s)
		}
	}
}

func jsonPayload(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCodecRoundTrip(t *testing.T) {
	c := codec.NewCodec(keyring(t, "a:"+keyA))
	in := []*commonpb.Payload{
		jsonPayload(t, household{testNIK, testKK, testName}),
		jsonPayload(t, nil),
		jsonPayload(t, []byte{0, 1, 2}),
		{}, // empty payload
	}
	enc, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	assertNoPII(t, wire(t, enc...))
	for i, p := range enc {
		if got := string(p.Metadata[converter.MetadataEncoding]); got != codec.MetadataEncodingEncrypted {
			t.Errorf("payload %d encoding = %q", i, got)
		}
		if got := string(p.Metadata[codec.MetadataEncryptionKeyID]); got != "a" {
			t.Errorf("payload %d key id = %q", i, got)
		}
		if len(p.Metadata) != 2 {
			t.Errorf("payload %d leaks metadata: %v", i, p.Metadata)
		}
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !proto.Equal(in[i], dec[i]) {
			t.Errorf("payload %d: got %v, want %v", i, dec[i], in[i])
		}
	}
	// Inputs must not be mutated (PayloadCodec contract).
	if string(in[0].Metadata[converter.MetadataEncoding]) != converter.MetadataEncodingJSON {
		t.Fatal("Encode mutated its input")
	}
}

func TestCodecRotation(t *testing.T) {
	old := codec.NewCodec(keyring(t, "a:"+keyA))
	encA, err := old.Encode([]*commonpb.Payload{jsonPayload(t, testNIK)})
	if err != nil {
		t.Fatal(err)
	}

	rotated := codec.NewCodec(keyring(t, "b:"+keyB+",a:"+keyA))
	decoded, err := rotated.Decode(encA)
	if err != nil {
		t.Fatalf("old history after rotation: %v", err)
	}
	var got string
	if err := converter.GetDefaultDataConverter().FromPayload(decoded[0], &got); err != nil || got != testNIK {
		t.Fatalf("decoded %q, %v", got, err)
	}
	encB, _ := rotated.Encode(decoded)
	if id := string(encB[0].Metadata[codec.MetadataEncryptionKeyID]); id != "b" {
		t.Fatalf("new payload key id = %q, want b", id)
	}

	retired := codec.NewCodec(keyring(t, "b:"+keyB))
	if _, err := retired.Decode(encA); !errors.Is(err, pii.ErrUnknownKey) {
		t.Fatalf("Decode with retired key: %v, want ErrUnknownKey", err)
	}
	if _, err := retired.Decode(encB); err != nil {
		t.Fatalf("Decode new payload: %v", err)
	}
}

func TestCodecPassesThroughUnencrypted(t *testing.T) {
	c := codec.NewCodec(keyring(t, "a:"+keyA))
	plain := []*commonpb.Payload{
		jsonPayload(t, household{NIK: "legacy"}),
		{Metadata: map[string][]byte{converter.MetadataEncoding: []byte("binary/zlib")}, Data: []byte{1, 2}},
		{},
	}
	dec, err := c.Decode(plain)
	if err != nil {
		t.Fatal(err)
	}
	for i := range plain {
		if !proto.Equal(plain[i], dec[i]) {
			t.Errorf("payload %d changed: %v", i, dec[i])
		}
	}
}

func TestCodecRejectsTampering(t *testing.T) {
	c := codec.NewCodec(keyring(t, "a:"+keyA+",b:"+keyB))
	enc, _ := c.Encode([]*commonpb.Payload{jsonPayload(t, testNIK)})

	flipped := proto.Clone(enc[0]).(*commonpb.Payload)
	flipped.Data[len(flipped.Data)-1] ^= 1
	if _, err := c.Decode([]*commonpb.Payload{flipped}); !errors.Is(err, pii.ErrDecrypt) {
		t.Errorf("flipped byte: %v, want ErrDecrypt", err)
	}

	relabelled := proto.Clone(enc[0]).(*commonpb.Payload)
	relabelled.Metadata[codec.MetadataEncryptionKeyID] = []byte("b")
	if _, err := c.Decode([]*commonpb.Payload{relabelled}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("edited key id metadata: %v", err)
	}

	// A database column ciphertext (same key) is not a valid payload.
	column, _ := keyring(t, "a:"+keyA).Seal(testNIK, "households.nik")
	forged := &commonpb.Payload{
		Metadata: map[string][]byte{converter.MetadataEncoding: []byte(codec.MetadataEncodingEncrypted)},
		Data:     column,
	}
	if _, err := c.Decode([]*commonpb.Payload{forged}); !errors.Is(err, pii.ErrDecrypt) {
		t.Errorf("column ciphertext as payload: %v, want ErrDecrypt", err)
	}
}

func TestDataConverterEndToEnd(t *testing.T) {
	dc := codec.NewDataConverter(keyring(t, "a:"+keyA))
	in := household{testNIK, testKK, testName}

	p, err := dc.ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	assertNoPII(t, wire(t, p))

	var out household
	if err := dc.FromPayload(p, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Fatalf("round trip = %+v, want %+v", out, in)
	}

	ps, err := dc.ToPayloads(in, testNIK, 42)
	if err != nil {
		t.Fatal(err)
	}
	assertNoPII(t, wire(t, ps.Payloads...))
	var (
		h household
		s string
		n int
	)
	if err := dc.FromPayloads(ps, &h, &s, &n); err != nil || h != in || s != testNIK || n != 42 {
		t.Fatalf("FromPayloads = %+v %q %d, %v", h, s, n, err)
	}

	// A payload written before encryption was enabled still decodes.
	legacy, _ := converter.GetDefaultDataConverter().ToPayload(in)
	out = household{}
	if err := dc.FromPayload(legacy, &out); err != nil || out != in {
		t.Fatalf("legacy payload = %+v, %v", out, err)
	}
}

func TestFailureConverterEncryptsMessages(t *testing.T) {
	_, fc := codec.ClientOptions(keyring(t, "a:"+keyA))
	msg := "NIK " + testNIK + " sudah terdaftar di KK " + testKK
	appErr := temporal.NewNonRetryableApplicationError(msg, "DuplicateNIK", nil, household{NIK: testNIK})

	failure := fc.ErrorToFailure(appErr)
	b, err := proto.Marshal(failure)
	if err != nil {
		t.Fatal(err)
	}
	assertNoPII(t, b)
	if strings.Contains(failure.GetMessage(), testNIK) || failure.GetEncodedAttributes() == nil {
		t.Fatalf("message not moved to encrypted attributes: %q", failure.GetMessage())
	}
	if got := string(failure.GetEncodedAttributes().GetMetadata()[converter.MetadataEncoding]); got != codec.MetadataEncodingEncrypted {
		t.Fatalf("encoded attributes encoding = %q", got)
	}

	back := fc.FailureToError(failure)
	var decoded *temporal.ApplicationError
	if !errors.As(back, &decoded) {
		t.Fatalf("FailureToError = %T", back)
	}
	if decoded.Message() != msg || decoded.Type() != "DuplicateNIK" || !decoded.NonRetryable() {
		t.Fatalf("decoded %q %q %v", decoded.Message(), decoded.Type(), decoded.NonRetryable())
	}
	var details household
	if err := decoded.Details(&details); err != nil || details.NIK != testNIK {
		t.Fatalf("details = %+v, %v", details, err)
	}
}
