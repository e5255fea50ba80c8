package hub

import (
	"net/http"
	"testing"
	"time"
)

// TestAskedWait: Retry-After seconds win, else the t= of the RateLimit header; nothing else is a wait.
func TestAskedWait(t *testing.T) {
	for _, c := range []struct {
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{map[string]string{"Retry-After": "2", "RateLimit": `"api";r=0;t=40`}, 2 * time.Second, true},
		{map[string]string{"RateLimit": `"resolvers";r=0;t=17`}, 17 * time.Second, true},
		{map[string]string{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0, false},
		{map[string]string{"RateLimit": `"api";r=5`}, 0, false},
		{nil, 0, false},
	} {
		h := http.Header{}
		for k, v := range c.header {
			h.Set(k, v)
		}
		if got, ok := askedWait(h); got != c.want || ok != c.ok {
			t.Errorf("%v: %v, %t; want %v, %t", c.header, got, ok, c.want, c.ok)
		}
	}
}
