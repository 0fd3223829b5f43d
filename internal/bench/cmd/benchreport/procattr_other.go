//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing where there is no parent-death signal: stop servers that
// outlive an interrupted report by hand.
func dieWithParent(*exec.Cmd) {}
