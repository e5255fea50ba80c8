package cpukernels

import (
	"strings"
	"testing"
)

// TestLoadBLASFaults: a DEBERTA_BLAS path that does not exist is an error (reported before any work); a file
// that is no CBLAS library is a warning naming it, and the pure-Go path is used.
func TestLoadBLASFaults(t *testing.T) {
	for _, c := range []struct {
		env, wantErr, wantWarning, wantBLAS string
	}{
		{"/nonexistent/libblas.so", "DEBERTA_BLAS=/nonexistent/libblas.so", "", ""},
		{"libm.so.6", "", "DEBERTA_BLAS=libm.so.6 unusable: cblas: libm.so.6 has no symbol cblas_sgemm", ""},
		{"no-such-lib.so.9", "", "DEBERTA_BLAS=no-such-lib.so.9 unusable: cblas: cannot load no-such-lib.so.9", ""},
		{"off", "", "", "off"},
	} {
		t.Setenv(EnvBLAS, c.env)
		var st Status
		lib, err := loadBLAS(&st)
		if (err == nil) != (c.wantErr == "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%s: error %v, want %q", c.env, err, c.wantErr)
		}
		if !strings.Contains(st.Warning, c.wantWarning) || (c.wantWarning == "") != (st.Warning == "") {
			t.Errorf("%s: warning %q, want %q", c.env, st.Warning, c.wantWarning)
		}
		if lib != nil || st.BLAS != c.wantBLAS {
			t.Errorf("%s: library %v, status BLAS %q; want none, %q", c.env, lib, st.BLAS, c.wantBLAS)
		}
	}
}
