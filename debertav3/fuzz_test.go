package debertav3

import "testing"

// FuzzParseConfig: any bytes give a config within the limits or an error, never a panic; a config that parses
// also marshals and parses back.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"hidden_size": 32, "num_attention_heads": 2, "num_hidden_layers": 2, "intermediate_size": 64, "vocab_size": 100}`))
	f.Add([]byte(`{"num_hidden_layers": 1000000}`))
	f.Add([]byte(`{"id2label": {"0": "a", "1": "b"}, "pos_att_type": ["p2c", "c2p"], "position_buckets": 256}`))
	f.Add([]byte(`{"vocab_size": 16777216, "hidden_size": 65536, "num_attention_heads": 1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data)
		if err != nil {
			return
		}
		if n := cfg.approxParameters(); n > MaxParameters || n <= 0 {
			t.Fatalf("accepted a config of %d parameters", n)
		}
		b, err := cfg.MarshalHF(Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseConfig(b); err != nil {
			t.Fatalf("marshalled config does not parse: %v\n%s", err, b)
		}
	})
}
