package data

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SpamLabels returns the labels of SpamAssassin in a fixed order.
func SpamLabels() []string { return []string{"ham", "spam"} }

// SpamAssassin reads spam-vs-ham examples from the fetched SpamAssassin corpus (dir as Fetch returns it): one
// example per message file package/data/<folder>/<name>.txt (the raw RFC 822 message; the .json twins are not
// read), ID and Group "<folder>/<name>" ("spam-1/00001.7848dde101aa985090474a91ec93fcf0"), Labels "ham" or
// "spam", in folder then name order. hard=false reads easy-ham-1 and easy-ham-2 against spam-1 and spam-2;
// hard=true reads hard-ham-1 against spam-1 and spam-2. Text is MessageText of the message; messages whose
// text is empty (19 spam messages of the real corpus: image-only HTML) are left out. Texts are not truncated.
// The real corpus gives 3 900 ham + 1 877 spam (easy; mean 1 685 bytes) and 250 ham + 1 877 spam (hard).
func SpamAssassin(dir string, hard bool) ([]ClassExample, error) {
	type folder struct{ name, label string }
	folders := []folder{{"easy-ham-1", "ham"}, {"easy-ham-2", "ham"}}
	if hard {
		folders = []folder{{"hard-ham-1", "ham"}}
	}
	folders = append(folders, folder{"spam-1", "spam"}, folder{"spam-2", "spam"})
	var out []ClassExample
	for _, fo := range folders {
		files, err := filepath.Glob(filepath.Join(dir, "package", "data", fo.name, "*.txt"))
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("data: no messages in %s (fetch spam-assassin first)",
				filepath.Join(dir, "package", "data", fo.name))
		}
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("data: %w", err)
			}
			text := MessageText(b)
			if text == "" {
				continue
			}
			id := fo.name + "/" + strings.TrimSuffix(filepath.Base(f), ".txt")
			out = append(out, ClassExample{ID: id, Group: id, Text: text, Labels: []string{fo.label}})
		}
	}
	return out, nil
}

// maxMIMEDepth bounds the nesting of multipart bodies MessageText follows.
const maxMIMEDepth = 8

// MessageText extracts the body text of a raw RFC 822 message without its headers, leniently (it never
// fails):
//   - headers end at the first blank line (a leading mbox "From " line is skipped; folded lines are joined);
//   - a multipart body (multipart/*, any boundary) is cut at its boundary lines and each part read the same
//     way, up to 8 levels; parts with Content-Disposition: attachment and non-text parts are skipped;
//   - the text/plain parts are kept; only when there is none are the text/html parts kept, with script and
//     style elements, comments and tags removed and entities decoded (stripHTML); a text/plain part that holds
//     "<html" or "<body" (spam often mislabels HTML) is stripped the same way;
//   - a declared Content-Transfer-Encoding quoted-printable or base64 is decoded (the raw bytes are kept when
//     decoding fails);
//   - bytes that are not valid UTF-8 are read as Latin-1 (the corpus's usual 8-bit charset), whatever the
//     declared charset;
//   - white space (newlines included) is collapsed into single spaces.
func MessageText(msg []byte) string {
	plain, htmlParts := []string{}, []string{}
	collectParts(msg, 0, &plain, &htmlParts)
	var text string
	if len(plain) > 0 {
		for i, p := range plain {
			if looksHTML(p) {
				plain[i] = stripHTML(p)
			}
		}
		text = strings.Join(plain, "\n")
	} else {
		for i, h := range htmlParts {
			htmlParts[i] = stripHTML(h)
		}
		text = strings.Join(htmlParts, "\n")
	}
	return strings.Join(strings.Fields(text), " ")
}

// splitEntity cuts a MIME entity into its (lower-case-keyed, unfolded) headers and its body.
func splitEntity(b []byte) (map[string]string, []byte) {
	headers := map[string]string{}
	if bytes.HasPrefix(b, []byte("From ")) {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		} else {
			return headers, nil
		}
	}
	last := ""
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		var line []byte
		if i < 0 {
			line, b = b, nil
		} else {
			line, b = b[:i], b[i+1:]
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			return headers, b
		}
		if line[0] == ' ' || line[0] == '\t' {
			if last != "" {
				headers[last] += " " + string(bytes.TrimSpace(line))
			}
			continue
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			last = ""
			continue
		}
		last = strings.ToLower(string(bytes.TrimSpace(k)))
		if _, seen := headers[last]; seen { // the first of repeated headers wins
			last = ""
			continue
		}
		headers[last] = string(bytes.TrimSpace(v))
	}
	return headers, nil
}

// collectParts appends the decoded text/plain and text/html leaves of a MIME entity.
func collectParts(entity []byte, depth int, plain, htmlParts *[]string) {
	headers, body := splitEntity(entity)
	if depth > 0 && strings.HasPrefix(strings.ToLower(headers["content-disposition"]), "attachment") {
		return
	}
	mediaType, params := "text/plain", map[string]string{}
	if ct := headers["content-type"]; ct != "" {
		if mt, p, err := mime.ParseMediaType(ct); err == nil {
			mediaType, params = mt, p
		} else if f := strings.FieldsFunc(ct, func(r rune) bool { return r == ';' || unicode.IsSpace(r) }); len(f) > 0 {
			mediaType = strings.ToLower(f[0])
			if m := boundaryRE.FindStringSubmatch(ct); m != nil {
				params["boundary"] = m[1]
			}
		}
	}
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		if params["boundary"] == "" || depth >= maxMIMEDepth {
			return
		}
		for _, part := range splitMultipart(body, params["boundary"]) {
			collectParts(part, depth+1, plain, htmlParts)
		}
	case mediaType == "text/plain" || mediaType == "text":
		*plain = append(*plain, decodeBody(body, headers["content-transfer-encoding"]))
	case mediaType == "text/html":
		*htmlParts = append(*htmlParts, decodeBody(body, headers["content-transfer-encoding"]))
	}
}

var boundaryRE = regexp.MustCompile(`(?i)boundary\s*=\s*"?([^";\s]+)"?`)

// splitMultipart returns the parts between "--boundary" lines; the preamble and epilogue are dropped, and a
// missing closing line ends the last part at the end of the body. White space is ignored when lines are
// compared with the boundary (some spam writes "--= Multipart Boundary" for the boundary "=Multipart Boundary").
func splitMultipart(body []byte, boundary string) [][]byte {
	delim := noSpace([]byte("--" + boundary))
	var parts [][]byte
	var cur []byte
	in := false
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		var line []byte
		if i < 0 {
			line, body = body, nil
		} else {
			line, body = body[:i+1], body[i+1:]
		}
		t := noSpace(line)
		if bytes.HasPrefix(t, delim) {
			rest := t[len(delim):]
			if len(rest) == 0 || bytes.Equal(rest, []byte("--")) {
				if in {
					parts = append(parts, cur)
				}
				cur, in = nil, len(rest) == 0
				if !in {
					return parts
				}
				continue
			}
		}
		if in {
			cur = append(cur, line...)
		}
	}
	if in {
		parts = append(parts, cur)
	}
	return parts
}

// decodeBody undoes a quoted-printable or base64 transfer encoding and turns non-UTF-8 bytes into Latin-1.
func decodeBody(body []byte, encoding string) string {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		if d, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body))); err == nil {
			body = d
		}
	case "base64":
		clean := bytes.TrimRight(noSpace(body), "=")
		if d, err := base64.RawStdEncoding.DecodeString(string(clean)); err == nil {
			body = d
		}
	}
	if utf8.Valid(body) {
		return string(body)
	}
	r := make([]rune, len(body))
	for i, c := range body {
		r[i] = rune(c)
	}
	return string(r)
}

var (
	htmlDropRE = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)\s*>|<!--.*?-->`)
	htmlTagRE  = regexp.MustCompile(`(?s)<[!/?a-zA-Z][^>]*>`)
	// htmlInlineRE matches tags inside a run of text, which leave nothing (other tags leave a space).
	htmlInlineRE = regexp.MustCompile(`(?i)^</?(a|b|i|u|em|strong|span|font|small|big|sub|sup|tt)\b`)
)

// stripHTML removes scripts, styles, comments and tags (inline tags such as b, i, a, span, font leave
// nothing, the others a space) and decodes entities.
func stripHTML(s string) string {
	s = htmlDropRE.ReplaceAllString(s, " ")
	s = htmlTagRE.ReplaceAllStringFunc(s, func(tag string) string {
		if htmlInlineRE.MatchString(tag) {
			return ""
		}
		return " "
	})
	return html.UnescapeString(s)
}

// noSpace returns b without white space.
func noSpace(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, b)
}

// looksHTML says whether a text/plain part is HTML in disguise.
func looksHTML(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "<html") || strings.Contains(l, "<body")
}
