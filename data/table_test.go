package data

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tableFile writes content into a fresh temporary folder and returns the path.
func tableFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadTable(t *testing.T) {
	single := TableOptions{TextColumn: "sentence", LabelColumn: "label"}
	pair := TableOptions{TextColumn: "q1", PairColumn: "q2", LabelColumn: "label", IDColumn: "id"}
	tests := []struct {
		name, file, content string
		opts                TableOptions
		want                []ClassExample
	}{
		{"tsv glue quotes literal", "train.tsv", "sentence\tlabel\n\"it's\" a \"quote\t1\nno quote\t0\n", single,
			[]ClassExample{
				{ID: "train.tsv:2", Group: "train.tsv:2", Text: `"it's" a "quote`, Labels: []string{"1"}},
				{ID: "train.tsv:3", Group: "train.tsv:3", Text: "no quote", Labels: []string{"0"}},
			}},
		{"tsv bom crlf blank lines", "x.tsv", "\ufeffsentence\tlabel\r\n\r\nhello\tpos\r\n", single,
			[]ClassExample{{ID: "x.tsv:3", Group: "x.tsv:3", Text: "hello", Labels: []string{"pos"}}}},
		{"tsv pair id empty pair", "p.tsv", "id\tq1\tq2\tlabel\n7\ta?\tb?\t1\n8\tc?\t\t0\n", pair,
			[]ClassExample{
				{ID: "7", Group: "7", Text: "a?", Pair: "b?", Labels: []string{"1"}},
				{ID: "8", Group: "8", Text: "c?", Labels: []string{"0"}},
			}},
		{"tsv no header indices", "n.tsv", "x\tfirst\t1\ny\tsecond\t0\n",
			TableOptions{TextColumn: "1", LabelColumn: "2", NoHeader: true},
			[]ClassExample{
				{ID: "n.tsv:1", Group: "n.tsv:1", Text: "first", Labels: []string{"1"}},
				{ID: "n.tsv:2", Group: "n.tsv:2", Text: "second", Labels: []string{"0"}},
			}},
		{"csv quoting", "d.csv", "label,sentence\npos,\"a, b\"\nneg,\"line1\nline2 \"\"q\"\"\"\r\n", single,
			[]ClassExample{
				{ID: "d.csv:2", Group: "d.csv:2", Text: "a, b", Labels: []string{"pos"}},
				{ID: "d.csv:3", Group: "d.csv:3", Text: "line1\nline2 \"q\"", Labels: []string{"neg"}},
			}},
		{"csv multi-label", "m.csv", "sentence,label\nhi,a| b |\n", TableOptions{TextColumn: "sentence",
			LabelColumn: "label", LabelSeparator: "|"},
			[]ClassExample{{ID: "m.csv:2", Group: "m.csv:2", Text: "hi", Labels: []string{"a", "b"}}}},
		{"csv regression", "r.csv", "sentence,label\nhi,0.5\nho,-2e1\n", TableOptions{TextColumn: "sentence",
			LabelColumn: "label", Regression: true},
			[]ClassExample{
				{ID: "r.csv:2", Group: "r.csv:2", Text: "hi", Value: 0.5},
				{ID: "r.csv:3", Group: "r.csv:3", Text: "ho", Value: -20},
			}},
		{"jsonl numbers arrays blank", "j.jsonl", "{\"sentence\":\"a\",\"label\":1}\n\n{\"sentence\":\"b\",\"label\":[\"x\",2]}\n",
			single, []ClassExample{
				{ID: "j.jsonl:1", Group: "j.jsonl:1", Text: "a", Labels: []string{"1"}},
				{ID: "j.jsonl:3", Group: "j.jsonl:3", Text: "b", Labels: []string{"x", "2"}},
			}},
		{"json regression id", "j.json", "{\"q1\":\"a\",\"q2\":\"b\",\"label\":0.25,\"id\":3}\n",
			TableOptions{TextColumn: "q1", PairColumn: "q2", LabelColumn: "label", IDColumn: "id", Regression: true},
			[]ClassExample{{ID: "3", Group: "3", Text: "a", Pair: "b", Value: 0.25}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTable(tableFile(t, tc.file, tc.content), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestReadTableErrors(t *testing.T) {
	single := TableOptions{TextColumn: "sentence", LabelColumn: "label"}
	tests := []struct {
		name, file, content string
		opts                TableOptions
		want                string // substring of the error, after the file name
	}{
		{"unknown column", "a.tsv", "text\tlabel\nx\t1\n", single, `a.tsv:1: no column "sentence"`},
		{"short row", "a.tsv", "sentence\tlabel\nx\n", single, `a.tsv:2: short row: 1 fields, no column "label"`},
		{"empty text", "a.tsv", "sentence\tlabel\nx\t1\n \t1\n", single, `a.tsv:3: empty text in column "sentence"`},
		{"empty label", "a.csv", "sentence,label\nx,\n", single, `a.csv:2: empty label in column "label"`},
		{"empty multi-label", "a.csv", "sentence,label\nx,|\n", TableOptions{TextColumn: "sentence",
			LabelColumn: "label", LabelSeparator: "|"}, `a.csv:2: empty label`},
		{"bad regression", "a.csv", "sentence,label\nx,1\ny,high\n", TableOptions{TextColumn: "sentence",
			LabelColumn: "label", Regression: true}, `a.csv:3: column "label": regression label "high" is not a finite number`},
		{"nan regression", "a.csv", "sentence,label\nx,NaN\n", TableOptions{TextColumn: "sentence",
			LabelColumn: "label", Regression: true}, `a.csv:2: column "label"`},
		{"bad csv quote", "a.csv", "sentence,label\n\"x,1\n", single, `a.csv: line 2, column`},
		{"bare csv quote", "a.csv", "sentence,label\na \"b\",1\n", single, `a.csv: line 2, column`},
		{"name without header", "a.tsv", "x\t1\n", TableOptions{TextColumn: "sentence", LabelColumn: "1",
			NoHeader: true}, `column "sentence" must be a 0-based index`},
		{"invalid json", "a.jsonl", "{\"sentence\":\"x\",\"label\":\"1\"}\n{\"sentence\":\n", single, `a.jsonl:2: invalid JSON`},
		{"json not object", "a.jsonl", "[1,2]\n", single, `a.jsonl:1: invalid JSON`},
		{"json two values", "a.jsonl", "{\"sentence\":\"x\",\"label\":\"1\"} {}\n", single, `a.jsonl:1: invalid JSON`},
		{"json missing field", "a.jsonl", "{\"sentence\":\"x\"}\n", single, `a.jsonl:1: no field "label"`},
		{"json bool label", "a.jsonl", "{\"sentence\":\"x\",\"label\":true}\n", single, `a.jsonl:1: field "label": true is not a string or a number`},
		{"json object text", "a.jsonl", "{\"sentence\":{},\"label\":1}\n", single, `a.jsonl:1: field "sentence"`},
		{"duplicate id", "a.tsv", "id\tsentence\tlabel\n1\tx\ta\n1\ty\tb\n", TableOptions{TextColumn: "sentence",
			LabelColumn: "label", IDColumn: "id"}, `a.tsv:3: id "1" already used on line 2`},
		{"empty id", "a.tsv", "id\tsentence\tlabel\n\tx\ta\n", TableOptions{TextColumn: "sentence",
			LabelColumn: "label", IDColumn: "id"}, `a.tsv:2: empty id in column "id"`},
		{"empty file", "a.tsv", "", single, `a.tsv: empty table`},
		{"unknown extension", "a.txt", "x", single, `a.txt: unknown table format`},
		{"missing options", "a.tsv", "x", TableOptions{TextColumn: "x"}, `needs TextColumn and LabelColumn`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTable(tableFile(t, tc.file, tc.content), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "data: ") {
				t.Errorf("error %q does not start with data:", err)
			}
		})
	}
	if _, err := ReadTable(filepath.Join(t.TempDir(), "missing.tsv"), single); err == nil {
		t.Error("no error for a missing file")
	}
}

// FuzzReadTable checks that ReadTable never panics on any bytes and that every example it returns has a text
// and labels (or, for regression, a finite value).
func FuzzReadTable(f *testing.F) {
	f.Add([]byte("sentence\tlabel\nhello\t1\n"), uint8(0))
	f.Add([]byte("sentence,label\n\"a,\"\"b\"\"\",x|y\n"), uint8(1))
	f.Add([]byte("{\"sentence\":\"a\",\"label\":[1,\"b\"]}\n"), uint8(2))
	f.Add([]byte("0\t1\t2\nq\tp\t0.5\n"), uint8(3))
	f.Fuzz(func(t *testing.T, content []byte, mode uint8) {
		exts := []string{"t.tsv", "t.csv", "t.jsonl"}
		opts := TableOptions{TextColumn: "sentence", LabelColumn: "label"}
		switch mode % 4 {
		case 1:
			opts.LabelSeparator = "|"
		case 2:
			opts.PairColumn, opts.IDColumn = "pair", "id"
		case 3:
			opts = TableOptions{TextColumn: "0", PairColumn: "1", LabelColumn: "2", NoHeader: mode%8 == 3,
				Regression: true}
		}
		p := filepath.Join(t.TempDir(), exts[int(mode/4)%3])
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadTable(p, opts)
		if err != nil {
			return
		}
		ids := map[string]bool{}
		for _, ex := range got {
			if strings.TrimSpace(ex.Text) == "" || ex.ID == "" || ex.Group == "" || ids[ex.ID] {
				t.Fatalf("bad example %#v", ex)
			}
			ids[ex.ID] = true
			if opts.Regression != (len(ex.Labels) == 0) {
				t.Fatalf("labels %q with Regression=%v", ex.Labels, opts.Regression)
			}
			for _, l := range ex.Labels {
				if strings.TrimSpace(l) == "" {
					t.Fatalf("empty label in %#v", ex)
				}
			}
		}
	})
}
