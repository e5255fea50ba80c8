package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// TableOptions says how ReadTable reads a GLUE-style TSV, a CSV or a JSONL file.
type TableOptions struct {
	// Format is "tsv", "csv" or "jsonl"; "" takes it from the extension (.tsv, .csv, .jsonl, .json).
	Format string
	// TextColumn, PairColumn, LabelColumn and IDColumn are column names (header / JSON keys), or 0-based column
	// indices as decimal strings for TSV/CSV (required without a header). TextColumn and LabelColumn are
	// required; PairColumn and IDColumn are optional ("").
	TextColumn, PairColumn, LabelColumn, IDColumn string
	// NoHeader says a TSV/CSV file has no header row (columns must then be indices).
	NoHeader bool
	// LabelSeparator, for multi-label tasks, splits the label field on it ("" = single label).
	LabelSeparator string
	// Regression says the label field is a number (ClassExample.Value); Labels stays nil.
	Regression bool
}

// ReadTable reads labelled examples from a table file.
//
// TSV is GLUE style: one row per line, fields separated by tabs and never quoted (GLUE's processors read
// with quotechar=None), so a `"` is an ordinary character; lines are split by hand, a trailing "\r" is dropped
// and blank lines are skipped. CSV follows RFC 4180 (encoding/csv, strict quotes): quoted fields may hold
// commas, newlines and doubled quotes. JSONL holds one object per line (blank lines skipped); its fields are
// strings, or numbers, kept as written ("1", "0.5"); a label may also be an array of strings (multi-label).
// A UTF-8 byte order mark is dropped. Text, pair, labels and ID are trimmed of surrounding white space.
//
// ID is the IDColumn's value, else "<basename>:<line>"; Group is the ID. Errors name the file, the line and
// the column: an unknown column, a short row, an empty text, label or ID, a label that is not a number for
// Regression (NaN and infinities included), invalid JSON, a duplicate ID. An empty pair field is allowed.
func ReadTable(path string, opts TableOptions) ([]ClassExample, error) {
	format := opts.Format
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".tsv":
			format = "tsv"
		case ".csv":
			format = "csv"
		case ".jsonl", ".json":
			format = "jsonl"
		default:
			return nil, fmt.Errorf("data: %s: unknown table format (set TableOptions.Format to tsv, csv or jsonl)", path)
		}
	}
	if opts.TextColumn == "" || opts.LabelColumn == "" {
		return nil, fmt.Errorf("data: %s: TableOptions needs TextColumn and LabelColumn", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	t := tableReader{path: path, base: filepath.Base(path), opts: opts, ids: map[string]int{}}
	switch format {
	case "tsv":
		err = t.readDelimited(tsvRows(b))
	case "csv":
		err = t.readDelimited(csvRows(b))
	case "jsonl":
		err = t.readJSONL(b)
	default:
		return nil, fmt.Errorf("data: %s: unknown table format %q (tsv, csv or jsonl)", path, format)
	}
	if err != nil {
		return nil, err
	}
	return t.out, nil
}

// tableReader accumulates the examples of one file.
type tableReader struct {
	path, base string
	opts       TableOptions
	ids        map[string]int // ID → line, to reject duplicates
	out        []ClassExample
}

// row is one record of a delimited file with the line it starts on; err reports a parse error instead.
type row struct {
	line   int
	fields []string
	err    error
}

// tsvRows splits GLUE-style TSV: no quoting, blank lines skipped.
func tsvRows(b []byte) func(yield func(row) bool) {
	return func(yield func(row) bool) {
		for i, l := range strings.Split(string(b), "\n") {
			l = strings.TrimSuffix(l, "\r")
			if strings.TrimSpace(l) == "" {
				continue
			}
			if !yield(row{line: i + 1, fields: strings.Split(l, "\t")}) {
				return
			}
		}
	}
}

// csvRows parses RFC 4180 CSV; encoding/csv skips blank lines and accepts CRLF.
func csvRows(b []byte) func(yield func(row) bool) {
	return func(yield func(row) bool) {
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					err = fmt.Errorf("line %d, column %d: %w", pe.Line, pe.Column, pe.Err)
				}
				yield(row{err: err})
				return
			}
			line, _ := r.FieldPos(0)
			if !yield(row{line: line, fields: rec}) {
				return
			}
		}
	}
}

// column resolves a column name or index against the header (nil without one); "" gives -1.
func (t *tableReader) column(name string, header []string, line int) (int, error) {
	if name == "" {
		return -1, nil
	}
	for i, h := range header {
		if strings.TrimSpace(h) == name {
			return i, nil
		}
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 0 {
		return i, nil
	}
	if header == nil {
		return 0, fmt.Errorf("data: %s: column %q must be a 0-based index in a file without header", t.path, name)
	}
	return 0, fmt.Errorf("data: %s:%d: no column %q in the header %q", t.path, line, name, header)
}

// readDelimited reads TSV or CSV rows.
func (t *tableReader) readDelimited(rows func(yield func(row) bool)) error {
	var header []string
	var cols [4]int // text, pair, label, id
	ready := false
	var err error
	for r := range rows {
		if r.err != nil {
			return fmt.Errorf("data: %s: %w", t.path, r.err)
		}
		if !ready {
			if !t.opts.NoHeader {
				header = r.fields
			}
			for i, name := range []string{t.opts.TextColumn, t.opts.PairColumn, t.opts.LabelColumn, t.opts.IDColumn} {
				if cols[i], err = t.column(name, header, r.line); err != nil {
					return err
				}
			}
			ready = true
			if !t.opts.NoHeader {
				continue
			}
		}
		get := func(which int) (string, bool) {
			c := cols[which]
			if c < 0 {
				return "", true
			}
			if c >= len(r.fields) {
				return "", false
			}
			return r.fields[c], true
		}
		var vals [4]string
		for i := range vals {
			v, ok := get(i)
			if !ok {
				return fmt.Errorf("data: %s:%d: short row: %d fields, no column %q", t.path, r.line, len(r.fields),
					t.columnName(i))
			}
			vals[i] = v
		}
		if err := t.add(r.line, vals[0], vals[1], vals[3], []string{vals[2]}, false); err != nil {
			return err
		}
	}
	if !ready {
		return fmt.Errorf("data: %s: empty table", t.path)
	}
	return nil
}

// columnName returns the option naming column which (0 text, 1 pair, 2 label, 3 ID).
func (t *tableReader) columnName(which int) string {
	return [...]string{t.opts.TextColumn, t.opts.PairColumn, t.opts.LabelColumn, t.opts.IDColumn}[which]
}

// add validates one record and appends its example. labels holds the raw label field(s); listed says they
// came from a JSON array (one label each, no separator splitting).
func (t *tableReader) add(line int, text, pair, id string, labels []string, listed bool) error {
	where := fmt.Sprintf("data: %s:%d", t.path, line)
	ex := ClassExample{Text: strings.TrimSpace(text), Pair: strings.TrimSpace(pair)}
	if ex.Text == "" {
		return fmt.Errorf("%s: empty text in column %q", where, t.opts.TextColumn)
	}
	if t.opts.Regression {
		if listed {
			return fmt.Errorf("%s: column %q: a regression label must be one number", where, t.opts.LabelColumn)
		}
		s := strings.TrimSpace(labels[0])
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: column %q: regression label %q is not a finite number", where, t.opts.LabelColumn, s)
		}
		ex.Value = v
	} else {
		for _, l := range labels {
			parts := []string{l}
			if t.opts.LabelSeparator != "" && !listed {
				parts = strings.Split(l, t.opts.LabelSeparator)
			}
			for _, p := range parts {
				if p = strings.TrimSpace(p); p != "" {
					ex.Labels = append(ex.Labels, p)
				}
			}
		}
		if len(ex.Labels) == 0 {
			return fmt.Errorf("%s: empty label in column %q", where, t.opts.LabelColumn)
		}
	}
	if t.opts.IDColumn != "" {
		ex.ID = strings.TrimSpace(id)
		if ex.ID == "" {
			return fmt.Errorf("%s: empty id in column %q", where, t.opts.IDColumn)
		}
	} else {
		ex.ID = fmt.Sprintf("%s:%d", t.base, line)
	}
	if prev, dup := t.ids[ex.ID]; dup {
		return fmt.Errorf("%s: id %q already used on line %d", where, ex.ID, prev)
	}
	t.ids[ex.ID] = line
	ex.Group = ex.ID
	t.out = append(t.out, ex)
	return nil
}

// readJSONL reads one JSON object per line.
func (t *tableReader) readJSONL(b []byte) error {
	for i, l := range bytes.Split(b, []byte("\n")) {
		line := i + 1
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		d := json.NewDecoder(bytes.NewReader(l))
		if err := d.Decode(&obj); err != nil {
			return fmt.Errorf("data: %s:%d: invalid JSON: %w", t.path, line, err)
		}
		if obj == nil {
			return fmt.Errorf("data: %s:%d: not a JSON object", t.path, line)
		}
		if _, err := d.Token(); err != io.EOF {
			return fmt.Errorf("data: %s:%d: invalid JSON: more than one value on the line", t.path, line)
		}
		var vals [4]string
		for k, key := range []string{t.opts.TextColumn, t.opts.PairColumn, t.opts.IDColumn} {
			if key == "" {
				continue
			}
			raw, ok := obj[key]
			if !ok {
				if k == 1 { // a missing pair is an empty pair
					continue
				}
				return fmt.Errorf("data: %s:%d: no field %q", t.path, line, key)
			}
			s, err := jsonScalar(raw)
			if err != nil {
				return fmt.Errorf("data: %s:%d: field %q: %w", t.path, line, key, err)
			}
			vals[k] = s
		}
		raw, ok := obj[t.opts.LabelColumn]
		if !ok {
			return fmt.Errorf("data: %s:%d: no field %q", t.path, line, t.opts.LabelColumn)
		}
		labels, listed, err := jsonLabels(raw)
		if err != nil {
			return fmt.Errorf("data: %s:%d: field %q: %w", t.path, line, t.opts.LabelColumn, err)
		}
		if err := t.add(line, vals[0], vals[1], vals[2], labels, listed); err != nil {
			return err
		}
	}
	if len(t.out) == 0 {
		return fmt.Errorf("data: %s: empty table", t.path)
	}
	return nil
}

// jsonScalar turns a JSON string, number or null into a string (numbers as written, null as "").
func jsonScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0, string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
	return "", fmt.Errorf("%s is not a string or a number", raw)
}

// jsonLabels reads a label field: a scalar (listed=false) or an array of scalars (listed=true).
func jsonLabels(raw json.RawMessage) (labels []string, listed bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, true, err
		}
		for _, it := range items {
			s, err := jsonScalar(it)
			if err != nil {
				return nil, true, err
			}
			labels = append(labels, s)
		}
		return labels, true, nil
	}
	s, err := jsonScalar(raw)
	return []string{s}, false, err
}
