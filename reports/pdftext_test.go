// A copy of receiptdoc/pdftext_test.go's reader (test files are not importable).

package reports_test

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

// pdfText extracts the text a PDF shows, in drawing order, with runs joined
// by single spaces. It reads what maroto (gofpdf) writes and no more:
// content streams, raw or FlateDecode, whose text is shown with Tj or TJ in
// literal strings encoded in Windows-1252 (the built-in fonts). Image
// streams are skipped. Text that wraps over lines joins back with a space,
// so a sentence can be asserted whole.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var runs []string
	for _, s := range pdfStreams(t, pdf) {
		runs = append(runs, showText(s)...)
	}
	return strings.Join(strings.Fields(strings.Join(runs, " ")), " ")
}

var streamStart = regexp.MustCompile(`>>\s*stream\r?\n`)

// pdfStreams returns the decoded content streams of pdf.
func pdfStreams(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, loc := range streamStart.FindAllIndex(pdf, -1) {
		// The object's dictionary runs from its "obj" to the stream.
		objAt := bytes.LastIndex(pdf[:loc[0]], []byte(" obj"))
		require.GreaterOrEqual(t, objAt, 0, "stream without an object at %d", loc[0])
		dict := string(pdf[objAt:loc[1]])
		end := bytes.Index(pdf[loc[1]:], []byte("endstream"))
		require.GreaterOrEqual(t, end, 0, "unterminated stream at %d", loc[0])
		if strings.Contains(dict, "/Subtype /Image") {
			continue
		}
		data := pdf[loc[1] : loc[1]+end]
		if strings.Contains(dict, "/FlateDecode") {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			require.NoError(t, err, "stream at %d", loc[0])
			data, err = io.ReadAll(zr)
			require.NoError(t, err, "stream at %d", loc[0])
		}
		out = append(out, data)
	}
	return out
}

// showText returns the strings a content stream shows with Tj, TJ, ' and ".
func showText(s []byte) []string {
	var (
		out     []string
		pending []string // strings since the last operator
		inArray bool
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(':
			str, next := literalString(s, i)
			pending = append(pending, str)
			i = next - 1
		case c == '[':
			inArray, pending = true, nil
		case c == ']':
			inArray = false
		case c == '%': // a comment runs to the end of the line
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case isRegular(c):
			j := i
			for j < len(s) && isRegular(s[j]) {
				j++
			}
			switch op := string(s[i:j]); op {
			case "Tj", "TJ", "'", `"`:
				out = append(out, strings.Join(pending, ""))
				pending = nil
			default:
				if !inArray && !isOperand(op) {
					pending = nil
				}
			}
			i = j - 1
		}
	}
	return out
}

// literalString decodes the PDF literal string starting at s[start] == '('
// and returns it with the index just past its closing parenthesis.
func literalString(s []byte, start int) (string, int) {
	var b []byte
	depth := 0
	i := start
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case '\n', '\r': // a line continuation
			default:
				if e >= '0' && e <= '7' {
					v, n := 0, 0
					for ; n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7'; n++ {
						v = v*8 + int(s[i]-'0')
						i++
					}
					i--
					b = append(b, byte(v))
				} else {
					b = append(b, e)
				}
			}
		case c == '(':
			if depth > 0 {
				b = append(b, c)
			}
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				text, _ := charmap.Windows1252.NewDecoder().Bytes(b)
				return string(text), i + 1
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b), i
}

func isRegular(c byte) bool {
	return !strings.ContainsRune(" \t\r\n\f\x00()<>[]{}/%", rune(c))
}

// isOperand is a number, which may sit between the strings of a TJ array
// or before an operator without ending what is pending.
var number = regexp.MustCompile(`^[-+]?[0-9]*\.?[0-9]+$`)

func isOperand(tok string) bool { return number.MatchString(tok) }
