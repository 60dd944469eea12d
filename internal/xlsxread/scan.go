package xlsxread

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is a pull tokenizer for the worksheet and shared-strings XML.
// encoding/xml spends most of its time calling ReadByte through an
// interface and allocating every name, attribute and token; this one works
// on a byte window and hands out slices of it. Its well-formedness rules
// are encoding/xml's Decoder.Token in strict mode, rule for rule (names,
// entities, character references, newline folding, the characters XML
// allows, comments, CDATA, directives, the XML declaration, end tags that
// must match), because excelize reads through encoding/xml and we must
// return exactly what it returns. Differences, all on input encoding/xml
// would also reject or that no spreadsheet program writes: a declared
// encoding other than UTF-8 is an error (excelize transcodes it; and
// where a label such as "utf8" makes it transcode UTF-8 to UTF-8, it
// turns invalid bytes into U+FFFD where we report them), and a single
// token over maxToken bytes or nesting deeper than maxDepth is a limit
// error. Its messages never quote the input: sheets hold NIKs.

// tokenKind is what the scanner read last.
type tokenKind uint8

const (
	tokEOF   tokenKind = iota // the end of the input
	tokStart                  // a start tag; a self-closing tag gives tokStart then tokEnd
	tokEnd                    // an end tag
	tokText                   // character data or a CDATA section, decoded
	tokOther                  // a comment, processing instruction or directive
)

// attr is one attribute of a start tag; the slices are valid until the
// scanner moves on.
type attr struct {
	prefix, local, value []byte
}

// openElem is an element whose end tag has not been read yet. Its names
// are kept in scanner.names, since the window they were read from moves.
type openElem struct {
	start, colon, end int // names[start:colon] is the prefix, names[colon:end] the local name
	nsLen             int // len(scanner.ns) before the element's own declarations
}

// nsDecl is a namespace declaration in scope (xmlns or xmlns:prefix).
type nsDecl struct {
	prefix, uri string
}

const (
	// windowSize is the scanner's initial window; it grows only for a
	// token that does not fit.
	windowSize = 64 << 10
	// maxToken caps one token (a tag, a run of text, a comment). Excel
	// keeps a cell under 32,767 characters, so this is far above any real
	// sheet, and it bounds the window a hostile file can make us hold.
	maxToken = 4 << 20
	// maxDepth caps element nesting (a sheet nests five deep).
	maxDepth = 4096
)

// errEncoding is an XML declaration of an encoding other than UTF-8.
var errEncoding = errors.New("the XML declares an encoding other than UTF-8")

// syntaxError is malformed XML at an offset of the uncompressed part, or
// XML we do not take: cause is then ErrTooLarge (a token or nesting
// beyond our limits) or errEncoding.
type syntaxError struct {
	offset int64
	msg    string
	cause  error
}

func (e *syntaxError) Error() string {
	if e.cause != nil {
		return e.msg + " at byte " + strconv.FormatInt(e.offset, 10)
	}
	return "XML syntax error at byte " + strconv.FormatInt(e.offset, 10) + ": " + e.msg
}

// Unwrap returns the cause of an error that is not malformed XML.
func (e *syntaxError) Unwrap() error { return e.cause }

// errNeedMore says the window ends inside the current token.
var errNeedMore = errors.New("need more input")

// scanner reads XML tokens from r. Token data (prefix, local, attrs, text)
// is valid until the next call to next.
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int   // unread input is buf[pos:end]
	base     int64 // input offset of buf[0]
	eof      bool  // r has reported io.EOF
	err      error // sticky

	kind          tokenKind
	prefix, local []byte
	attrs         []attr
	text          []byte
	tokOff        int64 // input offset of the current token

	selfClosing bool // the last start tag was <x/>: its end comes next
	endNs       int  // after an end tag: len(ns) while the element was open
	stack       []openElem
	names       []byte
	ns          []nsDecl
	scratch     []byte // decoded text and attribute values
}

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, windowSize)}
}

// depth is the number of open elements, the current start tag included.
func (s *scanner) depth() int { return len(s.stack) }

func (s *scanner) fail(off int64, msg string) error {
	s.err = &syntaxError{offset: off, msg: msg}
	return s.err
}

func (s *scanner) failLimit(off int64, msg string) error {
	s.err = &syntaxError{offset: off, msg: msg, cause: ErrTooLarge}
	return s.err
}

// fill reads more input, keeping buf[pos:end]; it grows the window when
// the current token fills it.
func (s *scanner) fill() error {
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxToken {
			return s.failLimit(s.base, "an XML token longer than 4 MiB")
		}
		nb := make([]byte, min(2*len(s.buf), maxToken))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for empty := 0; s.end < len(s.buf) && !s.eof; {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		switch {
		case err == io.EOF:
			s.eof = true
		case err != nil:
			s.err = err
			return err
		case n == 0:
			if empty++; empty == 100 {
				s.err = io.ErrNoProgress
				return s.err
			}
		}
	}
	return nil
}

// next reads the next token.
func (s *scanner) next() error {
	if s.err != nil {
		return s.err
	}
	if s.selfClosing {
		s.selfClosing = false
		s.kind = tokEnd
		s.pop()
		return nil
	}
	s.attrs = s.attrs[:0]
	s.scratch = s.scratch[:0]
	for {
		if s.pos == s.end {
			if !s.eof {
				if err := s.fill(); err != nil {
					return err
				}
				continue
			}
			if len(s.stack) > 0 {
				return s.fail(s.base+int64(s.pos), "unexpected EOF")
			}
			s.kind = tokEOF
			s.tokOff = s.base + int64(s.pos)
			return nil
		}
		s.tokOff = s.base + int64(s.pos)
		var n int
		var err error
		if s.buf[s.pos] == '<' {
			n, err = s.markup(s.buf[s.pos:s.end])
		} else {
			n, err = s.chardata(s.buf[s.pos:s.end])
		}
		if err == errNeedMore {
			if s.eof {
				return s.fail(s.base+int64(s.end), "unexpected EOF")
			}
			// Drop what the failed attempt decoded; it is redone.
			s.attrs = s.attrs[:0]
			s.scratch = s.scratch[:0]
			if err := s.fill(); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s.pos += n
		return nil
	}
}

// pop ends the innermost element: the token's names become its names and
// its namespace declarations go out of scope.
func (s *scanner) pop() {
	e := s.stack[len(s.stack)-1]
	s.stack = s.stack[:len(s.stack)-1]
	s.prefix = s.names[e.start:e.colon]
	s.local = s.names[e.colon:e.end]
	s.names = s.names[:e.start]
	s.endNs = len(s.ns)
	s.ns = s.ns[:e.nsLen]
}

// chardata reads text up to the next '<' (or the end of the input).
func (s *scanner) chardata(b []byte) (int, error) {
	i := bytes.IndexByte(b, '<')
	if i < 0 {
		if !s.eof {
			return 0, errNeedMore
		}
		i = len(b)
	}
	raw := b[:i]
	text, err := s.decodeText(raw, modeText)
	if err != nil {
		return 0, err
	}
	s.kind = tokText
	s.text = text
	return i, nil
}

// text decoding modes, after encoding/xml's Decoder.text.
const (
	modeText  = iota // character data: entities, no "]]>"
	modeAttr         // a quoted attribute value: entities, no '<'
	modeCDATA        // a CDATA section: taken literally
)

// plain[c] is true for bytes that need no work in character data.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = true
	}
	t['\t'], t['\n'] = true, true
	t['&'], t['<'], t[']'] = false, false, false
	return t
}()

// decodeText decodes raw text as encoding/xml does: entities and character
// references replaced, "\r\n" and a lone "\r" folded to "\n", and every
// character checked against XML's allowed range. The result is raw itself
// when nothing needed changing.
func (s *scanner) decodeText(raw []byte, mode int) ([]byte, error) {
	i := 0
	for i < len(raw) && plain[raw[i]] {
		i++
	}
	if i == len(raw) {
		return raw, nil
	}
	// Only copy when something must change; otherwise just check.
	if mode == modeCDATA || (bytes.IndexByte(raw[i:], '&') < 0 && bytes.IndexByte(raw[i:], '\r') < 0) {
		if mode == modeText && bytes.Contains(raw[i:], []byte("]]>")) {
			return nil, s.fail(s.tokOff, "unescaped ]]> not in CDATA section")
		}
		if mode == modeAttr && bytes.IndexByte(raw[i:], '<') >= 0 {
			return nil, s.fail(s.tokOff, "unescaped < inside quoted string")
		}
		if bytes.IndexByte(raw[i:], '\r') < 0 {
			if err := s.checkChars(raw[i:]); err != nil {
				return nil, err
			}
			return raw, nil
		}
	}
	start := len(s.scratch)
	out := append(s.scratch, raw[:i]...)
	var b0, b1 byte // the last two input bytes, as encoding/xml tracks them
	for i < len(raw) {
		c := raw[i]
		if mode == modeText && b0 == ']' && b1 == ']' && c == '>' {
			return nil, s.fail(s.tokOff, "unescaped ]]> not in CDATA section")
		}
		if mode == modeAttr && c == '<' {
			return nil, s.fail(s.tokOff, "unescaped < inside quoted string")
		}
		if c == '&' && mode != modeCDATA {
			var n int
			var ok bool
			out, n, ok = appendEntity(out, raw[i:])
			if !ok {
				return nil, s.fail(s.tokOff, "invalid character entity")
			}
			i += n
			b0, b1 = 0, 0
			continue
		}
		switch {
		case c == '\r':
			out = append(out, '\n')
		case b1 == '\r' && c == '\n':
			// "\r\n": the '\n' is already written
		default:
			out = append(out, c)
		}
		b0, b1 = b1, c
		i++
	}
	s.scratch = out
	text := out[start:]
	if err := s.checkChars(text); err != nil {
		return nil, err
	}
	return text, nil
}

// checkChars reports invalid UTF-8 or a character XML does not allow.
func (s *scanner) checkChars(b []byte) error {
	for len(b) > 0 {
		c := b[0]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return s.fail(s.tokOff, fmt.Sprintf("illegal character code %U", rune(c)))
			}
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			return s.fail(s.tokOff, "invalid UTF-8")
		}
		if !inCharacterRange(r) {
			return s.fail(s.tokOff, fmt.Sprintf("illegal character code %U", r))
		}
		b = b[size:]
	}
	return nil
}

// inCharacterRange is XML's Char production, as encoding/xml checks it.
func inCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// appendEntity decodes the entity or character reference at the start of
// b ('&'), as encoding/xml does with no custom entities: the five
// predefined ones and &#N; / &#xN; up to U+10FFFF (a surrogate becomes
// U+FFFD, as Go's string(rune) makes it). It returns the bytes consumed.
func appendEntity(out, b []byte) ([]byte, int, bool) {
	i := 1
	if i < len(b) && b[i] == '#' {
		i++
		base := 10
		if i < len(b) && b[i] == 'x' {
			base = 16
			i++
		}
		start := i
		for i < len(b) && (b[i] >= '0' && b[i] <= '9' ||
			base == 16 && (b[i] >= 'a' && b[i] <= 'f' || b[i] >= 'A' && b[i] <= 'F')) {
			i++
		}
		if i >= len(b) || b[i] != ';' || i == start {
			return out, 0, false
		}
		n, err := strconv.ParseUint(string(b[start:i]), base, 64)
		if err != nil || n > utf8.MaxRune {
			return out, 0, false
		}
		return utf8.AppendRune(out, rune(n)), i + 1, true
	}
	start := i
	for i < len(b) && (b[i] >= utf8.RuneSelf || isNameByte(b[i])) {
		i++
	}
	if i >= len(b) || b[i] != ';' {
		return out, 0, false
	}
	var c byte
	switch string(b[start:i]) {
	case "lt":
		c = '<'
	case "gt":
		c = '>'
	case "amp":
		c = '&'
	case "apos":
		c = '\''
	case "quot":
		c = '"'
	default:
		return out, 0, false
	}
	return append(out, c), i + 1, true
}

func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '_' || c == ':' || c == '.' || c == '-'
}

// nameByte and nameStart are the ASCII bytes of a name, and those that
// may start one (not a digit, '.' or '-').
var nameByte, nameStart = func() (in, start [256]bool) {
	for c := range 128 {
		in[c] = isNameByte(byte(c))
		start[c] = in[c] && !(c >= '0' && c <= '9') && c != '.' && c != '-'
	}
	return in, start
}()

func isSpace(c byte) bool { return c == ' ' || c == '\r' || c == '\n' || c == '\t' }

// isName reports whether b is an XML name by encoding/xml's rules.
func isName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		c := b[0]
		// The first character may not be a digit, '.' or '-'.
		return isNameByte(c) && !(c >= '0' && c <= '9') && c != '.' && c != '-'
	}
	return isNonASCIIName(b)
}

// isNonASCIIName asks encoding/xml itself, whose Unicode name tables are
// not exported: such names are rare enough that the cost does not matter.
// ':' becomes '_' (both are name characters anywhere) so that the tag is
// not taken apart as prefix:local.
func isNonASCIIName(b []byte) bool {
	doc := make([]byte, 0, len(b)+3)
	doc = append(doc, '<')
	for _, c := range b {
		if c == ':' {
			c = '_'
		}
		doc = append(doc, c)
	}
	doc = append(doc, '/', '>')
	_, err := xml.NewDecoder(bytes.NewReader(doc)).RawToken()
	return err == nil
}

// readName reads a name at b[i:] the way encoding/xml does (ASCII name
// bytes and any byte from 0x80 up), checks it, and splits it into prefix
// and local name. ok is false when there is no name at i, or when it has
// more than one colon; both are errors for the caller to word.
func (s *scanner) readName(b []byte, i int) (prefix, local []byte, next int, ok bool, err error) {
	j, ascii, colon := i, true, -1
	for ; j < len(b); j++ {
		c := b[j]
		if c >= utf8.RuneSelf {
			ascii = false
			continue
		}
		if !nameByte[c] {
			break
		}
		if c == ':' && colon < 0 {
			colon = j - i
		}
	}
	if j == len(b) {
		return nil, nil, 0, false, errNeedMore
	}
	if j == i {
		return nil, nil, j, false, nil
	}
	name := b[i:j]
	if ascii && !nameStart[name[0]] || !ascii && !isNonASCIIName(name) {
		return nil, nil, 0, false, s.fail(s.tokOff, "invalid XML name")
	}
	switch {
	case colon < 0:
		return nil, name, j, true, nil
	case bytes.IndexByte(name[colon+1:], ':') >= 0:
		return nil, nil, j, false, nil
	case colon == 0 || colon == len(name)-1:
		return nil, name, j, true, nil // "a:" and ":a" are local names
	}
	return name[:colon], name[colon+1:], j, true, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// markup reads the markup that starts at b[0] ('<').
func (s *scanner) markup(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, errNeedMore
	}
	switch b[1] {
	case '/':
		return s.endTag(b)
	case '?':
		return s.procInst(b)
	case '!':
		return s.bang(b)
	}
	return s.startTag(b)
}

func (s *scanner) endTag(b []byte) (int, error) {
	prefix, local, i, ok, err := s.readName(b, 2)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.fail(s.tokOff, "expected element name after </")
	}
	i = skipSpace(b, i)
	if i == len(b) {
		return 0, errNeedMore
	}
	if b[i] != '>' {
		return 0, s.fail(s.tokOff, "invalid characters between </name and >")
	}
	if len(s.stack) == 0 {
		return 0, s.fail(s.tokOff, "unexpected end element")
	}
	e := s.stack[len(s.stack)-1]
	if !bytes.Equal(s.names[e.colon:e.end], local) {
		return 0, s.fail(s.tokOff, "element closed by an end tag of another name")
	}
	if !bytes.Equal(s.names[e.start:e.colon], prefix) {
		return 0, s.fail(s.tokOff, "element closed by an end tag in another name space")
	}
	s.pop()
	s.kind = tokEnd
	s.prefix, s.local = prefix, local
	return i + 1, nil
}

func (s *scanner) startTag(b []byte) (int, error) {
	prefix, local, i, ok, err := s.readName(b, 1)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, s.fail(s.tokOff, "expected element name after <")
	}
	empty := false
	for {
		i = skipSpace(b, i)
		if i == len(b) {
			return 0, errNeedMore
		}
		if b[i] == '/' {
			if i+1 == len(b) {
				return 0, errNeedMore
			}
			if b[i+1] != '>' {
				return 0, s.fail(s.tokOff, "expected /> in element")
			}
			empty = true
			i += 2
			break
		}
		if b[i] == '>' {
			i++
			break
		}
		var a attr
		a.prefix, a.local, i, ok, err = s.readName(b, i)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, s.fail(s.tokOff, "expected attribute name in element")
		}
		i = skipSpace(b, i)
		if i == len(b) {
			return 0, errNeedMore
		}
		if b[i] != '=' {
			return 0, s.fail(s.tokOff, "attribute name without = in element")
		}
		i = skipSpace(b, i+1)
		if i == len(b) {
			return 0, errNeedMore
		}
		q := b[i]
		if q != '"' && q != '\'' {
			return 0, s.fail(s.tokOff, "unquoted or missing attribute value in element")
		}
		j := bytes.IndexByte(b[i+1:], q)
		if j < 0 {
			if bytes.IndexByte(b[i+1:], '<') >= 0 {
				return 0, s.fail(s.tokOff, "unescaped < inside quoted string")
			}
			return 0, errNeedMore
		}
		if a.value, err = s.decodeText(b[i+1:i+1+j], modeAttr); err != nil {
			return 0, err
		}
		s.attrs = append(s.attrs, a)
		i += j + 2
	}
	if len(s.stack) >= maxDepth {
		return 0, s.failLimit(s.tokOff, "XML elements nested more than 4096 deep")
	}
	// The element is open from here: push its name and bring its namespace
	// declarations into scope, as Decoder.Token does.
	e := openElem{start: len(s.names), nsLen: len(s.ns)}
	s.names = append(s.names, prefix...)
	e.colon = len(s.names)
	s.names = append(s.names, local...)
	e.end = len(s.names)
	s.stack = append(s.stack, e)
	for _, a := range s.attrs {
		switch {
		case string(a.prefix) == "xmlns":
			s.ns = append(s.ns, nsDecl{prefix: string(a.local), uri: string(a.value)})
		case len(a.prefix) == 0 && string(a.local) == "xmlns":
			s.ns = append(s.ns, nsDecl{uri: string(a.value)})
		}
	}
	s.kind = tokStart
	s.prefix, s.local = prefix, local
	s.selfClosing = empty
	return i, nil
}

// procInst reads <?target ...?>. An XML declaration must say version 1.0
// (or nothing) and UTF-8 (or nothing): excelize would transcode another
// encoding, which no spreadsheet program writes.
func (s *scanner) procInst(b []byte) (int, error) {
	i := 2
	j := i
	for j < len(b) && (b[j] >= utf8.RuneSelf || isNameByte(b[j])) {
		j++
	}
	if j == len(b) {
		return 0, errNeedMore
	}
	if j == i || !isName(b[i:j]) {
		return 0, s.fail(s.tokOff, "expected target name after <?")
	}
	target := b[i:j]
	i = skipSpace(b, j)
	end := bytes.Index(b[i:], []byte("?>"))
	if end < 0 {
		return 0, errNeedMore
	}
	if string(target) == "xml" {
		content := string(b[i : i+end])
		if ver := procInstParam("version", content); ver != "" && ver != "1.0" {
			return 0, s.fail(s.tokOff, "unsupported XML version; only version 1.0 is supported")
		}
		if enc := procInstParam("encoding", content); enc != "" && !isUTF8Label(enc) {
			s.err = &syntaxError{offset: s.tokOff, msg: errEncoding.Error(), cause: errEncoding}
			return 0, s.err
		}
	}
	s.kind = tokOther
	return i + end + 2, nil
}

// isUTF8Label reports whether an encoding label names UTF-8, by the
// WHATWG Encoding Standard's labels that excelize's charset reader takes.
func isUTF8Label(label string) bool {
	switch strings.ToLower(strings.Trim(label, "\t\n\r\f ")) {
	case "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8":
		return true
	}
	return false
}

// procInstParam is encoding/xml's reading of param="value" in a
// processing instruction.
func procInstParam(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// bang reads a comment, a CDATA section or a directive (<!DOCTYPE ...>).
func (s *scanner) bang(b []byte) (int, error) {
	if len(b) < 3 {
		return 0, errNeedMore
	}
	switch b[2] {
	case '-':
		if len(b) < 4 {
			return 0, errNeedMore
		}
		if b[3] != '-' {
			return 0, s.fail(s.tokOff, "invalid sequence <!- not part of <!--")
		}
		k := bytes.Index(b[4:], []byte("--"))
		if k < 0 || 4+k+2 >= len(b) {
			return 0, errNeedMore
		}
		if b[4+k+2] != '>' {
			return 0, s.fail(s.tokOff, `invalid sequence "--" not allowed in comments`)
		}
		s.kind = tokOther
		return 4 + k + 3, nil
	case '[':
		const open = "<![CDATA["
		for i := 3; i < len(open); i++ {
			if i == len(b) {
				return 0, errNeedMore
			}
			if b[i] != open[i] {
				return 0, s.fail(s.tokOff, "invalid <![ sequence")
			}
		}
		k := bytes.Index(b[len(open):], []byte("]]>"))
		if k < 0 {
			if s.eof {
				return 0, s.fail(s.tokOff, "unexpected EOF in CDATA section")
			}
			return 0, errNeedMore
		}
		text, err := s.decodeText(b[len(open):len(open)+k], modeCDATA)
		if err != nil {
			return 0, err
		}
		s.kind = tokText
		s.text = text
		return len(open) + k + 3, nil
	}
	return s.directive(b)
}

// directive skips <!...> the way encoding/xml does: quotes hide '>',
// nested '<' and '>' count, and comments inside are skipped. (The byte
// right after "<!" is taken as is, as encoding/xml takes it.)
func (s *scanner) directive(b []byte) (int, error) {
	var inquote byte
	depth := 0
	i := 2
	for {
		i++
		if i >= len(b) {
			return 0, errNeedMore
		}
		c := b[i]
		if inquote == 0 && c == '>' && depth == 0 {
			s.kind = tokOther
			return i + 1, nil
		}
	handle:
		switch {
		case c == inquote:
			inquote = 0
		case inquote != 0:
		case c == '\'' || c == '"':
			inquote = c
		case c == '>':
			depth--
		case c == '<':
			for _, want := range []byte("!--") {
				i++
				if i >= len(b) {
					return 0, errNeedMore
				}
				c = b[i]
				if c != want {
					depth++
					goto handle
				}
			}
			k := bytes.Index(b[i+1:], []byte("-->"))
			if k < 0 {
				return 0, errNeedMore
			}
			i += 1 + k + 2
		}
	}
}

// children calls visit at the start tag of each child of the element
// whose start tag was just read, and returns true when that element ends.
// visit reads its child through to the child's end tag (skip does), or
// returns false to stop there, the rest of the element unread.
func (s *scanner) children(visit func() (bool, error)) (bool, error) {
	d := len(s.stack)
	for {
		if err := s.next(); err != nil {
			return false, err
		}
		switch s.kind {
		case tokEnd:
			if len(s.stack) < d {
				return true, nil
			}
		case tokStart:
			if ok, err := visit(); err != nil || !ok {
				return false, err
			}
		}
	}
}

// skip reads to the end of the element whose start tag was just read.
func (s *scanner) skip() error {
	d := len(s.stack)
	for {
		if err := s.next(); err != nil {
			return err
		}
		if s.kind == tokEnd && len(s.stack) < d {
			return nil
		}
	}
}

// resolve translates a prefix to its namespace the way Decoder.Token does,
// with the declarations ns[:n] in scope. After an end tag, n may be endNs:
// the element's own declarations are still in ns's backing array, as
// Token still has them in scope when it translates the end tag.
func (s *scanner) resolve(prefix, local []byte, n int) string {
	switch {
	case string(prefix) == "xmlns":
		return "xmlns"
	case len(prefix) == 0 && string(local) == "xmlns":
		return ""
	case string(prefix) == "xml":
		return "http://www.w3.org/XML/1998/namespace"
	}
	ns := s.ns[:n]
	for i := n - 1; i >= 0; i-- {
		if ns[i].prefix == string(prefix) {
			return ns[i].uri
		}
	}
	return string(prefix) // an undeclared prefix stands for itself; no prefix is ""
}
