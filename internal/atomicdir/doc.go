// Package atomicdir writes output folders and files so that an interruption at any point — an error, a panic,
// Ctrl-C or kill -9 — leaves either the previous content or the complete new one, never a mix.
//
// Write builds a folder in a hidden temporary sibling (".NAME.tmp-PID-RANDOM") and renames it into place once
// complete; an existing non-empty folder is only replaced when the caller allows it (the commands' --overwrite).
// On Linux the replacement is one atomic rename exchange; elsewhere two renames. Temporary siblings left by a
// killed process are removed by the next Write of the same folder. WriteFile does the same for one file.
package atomicdir
