package main

import (
	"os"
	"testing"
)

// asCLI is the environment variable that makes this test binary run as the deberta command (the crash tests
// start it as a child process to kill it).
const asCLI = "DEBERTA_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(asCLI) == "1" {
		os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
