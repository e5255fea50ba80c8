package debertav3

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// configParser reads typed fields out of a config.json object, remembering the first error. Absent fields and
// JSON null keep the value already in the destination (the v3 default).
type configParser struct {
	raw map[string]json.RawMessage
	err error
}

// get returns the raw value of field, or nil when absent/null or after an earlier error.
func (p *configParser) get(field string) json.RawMessage {
	if p.err != nil {
		return nil
	}
	v, ok := p.raw[field]
	if !ok || string(v) == "null" {
		return nil
	}
	return v
}

func (p *configParser) fail(field string, v json.RawMessage, want string) {
	p.err = fmt.Errorf("config field %q: want %s, got %s", field, want, truncate(string(v), 60))
}

func (p *configParser) str(field string, dst *string) {
	if v := p.get(field); v != nil {
		if err := json.Unmarshal(v, dst); err != nil {
			p.fail(field, v, "a string")
		}
	}
}

func (p *configParser) strList(field string, dst *[]string) {
	if v := p.get(field); v != nil {
		if err := json.Unmarshal(v, dst); err != nil {
			p.fail(field, v, "a list of strings")
		}
	}
}

func (p *configParser) integer(field string, dst *int) {
	if v := p.get(field); v != nil {
		var f float64
		if err := json.Unmarshal(v, &f); err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<40 {
			p.fail(field, v, "an integer")
			return
		}
		*dst = int(f)
	}
}

func (p *configParser) float(field string, dst *float64) {
	if v := p.get(field); v != nil {
		if err := json.Unmarshal(v, dst); err != nil {
			p.fail(field, v, "a number")
		}
	}
}

func (p *configParser) boolean(field string, dst *bool) {
	if v := p.get(field); v != nil {
		if err := json.Unmarshal(v, dst); err != nil {
			p.fail(field, v, "true or false")
		}
	}
}

// attTypes reads pos_att_type / norm_rel_ebd, written either as "p2c|c2p" (Hub configs) or ["p2c","c2p"]
// (newer saves). "none" and "" mean the empty list.
func (p *configParser) attTypes(field string, dst *[]string) {
	v := p.get(field)
	if v == nil {
		return
	}
	var list []string
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		list = strings.Split(s, "|")
	} else if err := json.Unmarshal(v, &list); err != nil {
		p.fail(field, v, `a string like "p2c|c2p" or a list of strings`)
		return
	}
	out := []string{}
	for _, t := range list {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && t != "none" {
			out = append(out, t)
		}
	}
	*dst = out
}

// labels reads id2label, label2id and num_labels, checking they agree.
func (p *configParser) labels(cfg *Config) {
	if v := p.get("id2label"); v != nil {
		var m map[string]string
		if err := json.Unmarshal(v, &m); err != nil {
			p.fail("id2label", v, "an object {\"0\": \"LABEL\", ...}")
			return
		}
		cfg.ID2Label = make(map[int]string, len(m))
		for k, name := range m {
			i, err := labelIndex("id2label", k)
			if err != nil {
				p.err = err
				return
			}
			cfg.ID2Label[i] = name
		}
		for i := range cfg.ID2Label {
			if i >= len(cfg.ID2Label) {
				p.err = fmt.Errorf("config field \"id2label\": ids must be 0..%d, found %d", len(cfg.ID2Label)-1, i)
				return
			}
		}
		cfg.NumLabels = len(cfg.ID2Label)
	}
	if v := p.get("label2id"); v != nil {
		if err := json.Unmarshal(v, &cfg.Label2ID); err != nil {
			p.fail("label2id", v, "an object {\"LABEL\": 0, ...}")
			return
		}
		for name, id := range cfg.Label2ID {
			if cfg.ID2Label != nil && cfg.ID2Label[id] != name {
				p.err = fmt.Errorf("config fields \"label2id\" and \"id2label\" disagree on %q (id %d)", name, id)
				return
			}
		}
	}
	if v := p.get("num_labels"); v != nil {
		n := cfg.NumLabels
		p.integer("num_labels", &n)
		if p.err == nil && cfg.ID2Label != nil && n != len(cfg.ID2Label) {
			p.err = fmt.Errorf("config field \"num_labels\" (%d) disagrees with \"id2label\" (%d labels)", n, len(cfg.ID2Label))
			return
		}
		cfg.NumLabels = n
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
