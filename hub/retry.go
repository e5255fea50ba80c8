package hub

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Retries of transient answers, as huggingface_hub's http_backoff: 408, 429 and 5xx answers and connection
// failures are retried (Options.MaxRetries times), waiting Options.RetryWait, twice that, … (at most 8 times
// it), or what the hub asks for with Retry-After or the RateLimit header's t= (at most retryMaxHonoured).
const (
	defaultMaxRetries = 4
	defaultRetryWait  = time.Second
	retryMaxHonoured  = 60 * time.Second
)

var retryableStatuses = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}

// retryPolicy is Options' MaxRetries and RetryWait with the defaults applied.
func retryPolicy(o Options) (retries int, wait time.Duration) {
	retries, wait = o.MaxRetries, o.RetryWait
	switch {
	case retries == 0:
		retries = defaultMaxRetries
	case retries < 0:
		retries = 0
	}
	if wait <= 0 {
		wait = defaultRetryWait
	}
	return retries, wait
}

// do sends req (which has no body) with client, retrying transient failures; the last answer or error is
// returned. The context of req stops the waits.
func (c *hubClient) do(client *http.Client, req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := client.Do(req)
		if attempt >= c.retries || req.Context().Err() != nil || (err == nil && !slices.Contains(retryableStatuses, resp.StatusCode)) {
			return resp, err
		}
		wait := min(c.retryWait<<attempt, 8*c.retryWait)
		if err == nil {
			if d, ok := askedWait(resp.Header); ok {
				wait = min(d, retryMaxHonoured)
			}
			resp.Body.Close()
		}
		if serr := sleepCtx(req, wait); serr != nil {
			return nil, serr
		}
	}
}

// askedWait reads how long the server asks to wait: Retry-After in seconds, else the t= (seconds to the
// reset) of the IETF RateLimit header the hub sends with 429 answers.
func askedWait(h http.Header) (time.Duration, bool) {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	for _, part := range strings.Split(h.Get("RateLimit"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			if s, err := strconv.Atoi(v); err == nil && s >= 0 {
				return time.Duration(s) * time.Second, true
			}
		}
	}
	return 0, false
}

// sleepCtx waits d unless the request's context ends first.
func sleepCtx(req *http.Request, d time.Duration) error { return sleepFor(req.Context(), d) }

// sleepFor waits d unless ctx ends first.
func sleepFor(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
