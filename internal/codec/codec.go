// Package codec encrypts every Temporal payload and failure verval writes,
// so that workflow inputs, results, signals, updates, memos and error
// messages that carry a NIK or No KK are ciphertext in Temporal's database
// and Web UI. It builds on internal/pii: same keys, same ciphertext format,
// same rotation.
//
// The worker, the API's client and the codec server (Handler) must all use
// the same keyring; otherwise histories written by one cannot be read by the
// others.
package codec

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/verval/verval/internal/pii"
)

const (
	// MetadataEncodingEncrypted is the payload encoding of encrypted payloads.
	MetadataEncodingEncrypted = "binary/encrypted"
	// MetadataEncryptionKeyID is the payload metadata key naming the key id.
	MetadataEncryptionKeyID = "encryption-key-id"
)

// payloadAD is the associated data of every payload ciphertext. It separates
// payloads from database columns: a sealed NIK column cannot be replayed as
// a payload, nor a payload pasted into a column, even under the same key.
var payloadAD = []byte("verval/temporal-payload")

// Codec is a converter.PayloadCodec that seals whole payloads (metadata and
// data) with the keyring's active key and opens them with any of its keys.
type Codec struct {
	keys *pii.Keyring
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns a Codec over k.
func NewCodec(k *pii.Keyring) *Codec { return &Codec{keys: k} }

// Encode implements converter.PayloadCodec: every payload is encrypted, the
// original encoding hidden inside the ciphertext.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload: %w", err)
		}
		sealed, err := c.keys.SealBytes(plain, payloadAD)
		if err != nil {
			return nil, fmt.Errorf("codec: encrypt payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(MetadataEncodingEncrypted),
				MetadataEncryptionKeyID:    []byte(c.keys.ActiveKeyID()),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode implements converter.PayloadCodec. Payloads not marked
// binary/encrypted pass through unchanged, so histories written before
// encryption was turned on still decode.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != MetadataEncodingEncrypted {
			out[i] = p
			continue
		}
		sealed := pii.Sealed(p.GetData())
		// The key id inside the ciphertext is authenticated; the metadata
		// copy is for humans and tools. A mismatch means someone edited it.
		if metaID, ok := p.GetMetadata()[MetadataEncryptionKeyID]; ok {
			id, err := sealed.KeyID()
			if err != nil {
				return nil, fmt.Errorf("codec: payload %d: %w", i, err)
			}
			if id != string(metaID) {
				return nil, fmt.Errorf("codec: payload %d: metadata key id %q does not match ciphertext key id %q", i, metaID, id)
			}
		}
		plain, err := c.keys.OpenBytes(sealed, payloadAD)
		if err != nil {
			return nil, fmt.Errorf("codec: payload %d: %w", i, err)
		}
		var decoded commonpb.Payload
		if err := proto.Unmarshal(plain, &decoded); err != nil {
			return nil, fmt.Errorf("codec: payload %d: unmarshal decrypted payload: %w", i, err)
		}
		out[i] = &decoded
	}
	return out, nil
}

// NewDataConverter returns the default data converter with every payload
// encrypted by a Codec over k.
func NewDataConverter(k *pii.Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(k))
}

// NewFailureConverter returns a failure converter that moves error messages
// and stack traces into an encrypted payload (EncodeCommonAttributes), since
// an error message like "NIK 3201... already registered" is PII too.
func NewFailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          dc,
		EncodeCommonAttributes: true,
	})
}

// ClientOptions returns the data and failure converters for client.Options
// (DataConverter, FailureConverter); the worker inherits them from the client.
func ClientOptions(k *pii.Keyring) (converter.DataConverter, converter.FailureConverter) {
	dc := NewDataConverter(k)
	return dc, NewFailureConverter(dc)
}
