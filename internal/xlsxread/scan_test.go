package xlsxread

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// xmlTokens is encoding/xml's reading of data (strict, no charset
// readers), one string per token: the oracle for the scanner.
func xmlTokens(data []byte) ([]string, error) {
	d := newXMLDecoder(bytes.NewReader(data))
	var toks []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return toks, nil
		}
		if err != nil {
			return toks, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var b strings.Builder
			fmt.Fprintf(&b, "<%s|%s", t.Name.Space, t.Name.Local)
			for _, a := range t.Attr {
				fmt.Fprintf(&b, " %s|%s=%q", a.Name.Space, a.Name.Local, a.Value)
			}
			toks = append(toks, b.String()+">")
		case xml.EndElement:
			toks = append(toks, fmt.Sprintf("</%s|%s>", t.Name.Space, t.Name.Local))
		case xml.CharData:
			toks = append(toks, "T"+strconv.Quote(string(t)))
		default:
			toks = append(toks, "O")
		}
	}
}

// newXMLDecoder is encoding/xml's decoder taking the UTF-8 labels we take
// (excelize's charset reader takes them too) and no other encoding.
func newXMLDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if isUTF8Label(label) {
			return r, nil
		}
		return nil, errors.New("not UTF-8")
	}
	return d
}

// scanTokens is the scanner's reading of r, in xmlTokens' form (name
// spaces resolved as Decoder.Token resolves them).
func scanTokens(r io.Reader) ([]string, error) {
	sc := newScanner(r)
	var toks []string
	for {
		if err := sc.next(); err != nil {
			return toks, err
		}
		switch sc.kind {
		case tokEOF:
			return toks, nil
		case tokStart:
			var b strings.Builder
			fmt.Fprintf(&b, "<%s|%s", sc.resolve(sc.prefix, sc.local, len(sc.ns)), sc.local)
			for _, a := range sc.attrs {
				space := "" // the default name space does not apply to attributes
				if len(a.prefix) > 0 {
					space = sc.resolve(a.prefix, a.local, len(sc.ns))
				}
				fmt.Fprintf(&b, " %s|%s=%q", space, a.local, a.value)
			}
			toks = append(toks, b.String()+">")
		case tokEnd:
			toks = append(toks, fmt.Sprintf("</%s|%s>", sc.resolve(sc.prefix, sc.local, sc.endNs), sc.local))
		case tokText:
			toks = append(toks, "T"+strconv.Quote(string(sc.text)))
		case tokOther:
			toks = append(toks, "O")
		}
	}
}

// checkScanner requires the scanner to read data as encoding/xml does:
// the same tokens, and an error exactly when encoding/xml has one (bar our
// limits), whether the input comes whole, a byte at a time or in halves.
func checkScanner(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := xmlTokens(data)
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(data),
		"bytewise": iotest.OneByteReader(bytes.NewReader(data)),
		"halves":   iotest.HalfReader(bytes.NewReader(data)),
	} {
		got, err := scanTokens(r)
		if errors.Is(err, ErrTooLarge) {
			continue
		}
		if errors.Is(err, errEncoding) && wantErr == nil {
			t.Fatalf("%s: encoding error without a CharsetReader", name)
		}
		if (err != nil) != (wantErr != nil) || !slices.Equal(got, want) {
			t.Fatalf("%s: scanner %q, error %v\nencoding/xml %q, error %v", name, got, err, want, wantErr)
		}
		var se *syntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("%s: error %T %v, want a syntax error", name, err, err)
		}
	}
}

// scannerCases are XML snippets, well formed or not, for the scanner.
var scannerCases = []string{
	`<a/>`, `<a b="1" c='2'/>`, `<a>t</a>`, `<a >x</a >`, "<a\tb = 'x'\n/>", `<a b="1"c="2"/>`,
	`<?xml version="1.0"?><a/>`, `<?xml version='1.0' encoding='utf-8' standalone='yes'?><a/>`,
	`<?xml encoding="UTF-8"?><a/>`, `<?xml version="1.1"?><a/>`, `<?xml encoding="ISO-8859-1"?><a/>`,
	`<?XML encoding="latin1"?><a/>`, `<?xml?><a/>`, `<? a?>`, `<?a`, `<?pi x?y ?>`,
	`<!-- c --><a/>`, `<!---->`, `<!--->`, `<!-- a -- b -->`, `<!- x>`, `<!--`,
	`<!DOCTYPE a [<!ENTITY x "y">]><a/>`, `<!DOCTYPE a [ <!-- > --> ]><a/>`, `<!DOCTYPE a "quoted > here"><a/>`,
	`<!>x>`, `<!<x>>y>`, `<!DOCTYPE a [<!ELEMENT a ANY>`,
	`<a><![CDATA[<&>]]></a>`, "<a><![CDATA[\r\n]]]]></a>", `<a><![CDAT[x]]></a>`, `<a><![CDATA[x</a>`,
	`<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x10FFFF;&#xD800;&#0000065;</a>`,
	`<a>&#;</a>`, `<a>&#x;</a>`, `<a>&#0;</a>`, `<a>&#1;</a>`, `<a>&#x110000;</a>`, `<a>&#99999999999999999999;</a>`,
	`<a>&#X41;</a>`, `<a>&#65x;</a>`, `<a>&amp</a>`, `<a>&bogus;</a>`, `<a>&;</a>`, `<a>& b</a>`, `<a>&am:p;</a>`, "<a>&é;</a>",
	"<a>\r\n\r</a>", "<a>x\r</a>", "<a>\r&amp;\n</a>", "<a>&#13;\n</a>", `<a b="&#13;&#10;"/>`, "<a b=\"\r\n\t\"/>",
	"<a>\x01</a>", "<a>\xff</a>", "<a>\xef\xbf\xbe</a>", "<a>\ufffd é 日本 😀</a>", "\ufeff<a/>",
	`<a>]]</a>`, `<a>]]&gt;</a>`, `<a>]]></a>`, `<a>]&amp;]></a>`, `<a b="]]>"/>`,
	`<x:a xmlns:x="u"><x:b/></x:a>`, `<a xmlns="d"><b xmlns=""/><c/></a>`, `<a xml:lang="en"/>`,
	`<a xmlns:x="u" x:b="1" y:c="2" xmlns:y="v"/>`, `<x:a xmlns:x="u"><x:a xmlns:x="w"></x:a></x:a>`,
	`<xmlns:a/>`, `<xmlns/>`, `<a xmlns:="x"/>`, `<a:b:c/>`, `<a:/>`, `<:a/>`, `<a b:c:d="1"/>`,
	`<é/>`, "<\xc3\x28/>", `<a·b/>`, `<·a/>`, `<a 1b="x"/>`, `<1a/>`, `<-a/>`, `<.a/>`, `<_a.-1/>`,
	`text<a/>tail`, `<a/><b/>`, `<a>`, `</a>`, `<a></b>`, `<x:a></y:a>`, `<a></a></a>`,
	`<a b=c/>`, `<a b/>`, `<a b="<"/>`, `<a b="x`, `<a/ >`, `<a b="1" b="2"/>`, `<`, `<a`, `<a b`, `<a b=`, `</`, `</a`,
	`<a>x</a  `, `<a>x</a b>`, `<a>x</ a>`,
}

// TestScannerMatchesEncodingXML runs the scanner and encoding/xml side by
// side over XML that is well formed and XML that is not.
func TestScannerMatchesEncodingXML(t *testing.T) {
	for _, c := range scannerCases {
		t.Run(c, func(t *testing.T) { checkScanner(t, []byte(c)) })
	}
	// Tokens across the window's edge, and a window that must grow.
	long := `<a b="` + strings.Repeat("v&amp;", 30_000) + `">` + strings.Repeat("x&lt;y\r\n", 20_000) +
		`<!--` + strings.Repeat("-", 100_000) + ` --><![CDATA[` + strings.Repeat("]", 70_000) + `]]></a>`
	t.Run("long tokens", func(t *testing.T) { checkScanner(t, []byte(long)) })
}

// FuzzScanner holds the scanner to encoding/xml on arbitrary input.
func FuzzScanner(f *testing.F) {
	for _, c := range scannerCases {
		f.Add([]byte(c))
	}
	f.Add([]byte(sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkScanner(t, data)
	})
}
