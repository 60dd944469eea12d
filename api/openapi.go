package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// openapiYAML is the API's OpenAPI 3 document; a test checks it against the
// routes actually registered.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI parses and validates the embedded document.
func OpenAPI() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, err
	}
	return doc, nil
}

// openapiJSON renders the document once per server.
type openapiJSON struct {
	once sync.Once
	body []byte
	err  error
}

func (o *openapiJSON) get() ([]byte, error) {
	o.once.Do(func() {
		doc, err := OpenAPI()
		if err != nil {
			o.err = err
			return
		}
		o.body, o.err = json.Marshal(doc)
	})
	return o.body, o.err
}

// openapi serves the OpenAPI document as JSON.
func (s *Server) openapi(c *gin.Context) {
	body, err := s.spec.get()
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", body)
}
