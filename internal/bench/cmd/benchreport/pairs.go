package main

import (
	"fmt"
	"strings"
)

// The two runtimes; each has a server and a client program named after it.
const (
	actorrpc = "actorrpc"
	grpcgo   = "grpcgo"
)

// pair is one client × server pairing.
type pair struct{ client, server string }

func (p pair) String() string { return p.client + " → " + p.server }

func (p pair) flagName() string { return p.client + "-" + p.server }

// baseline is the pairing every ratio is taken against.
var baseline = pair{grpcgo, grpcgo}

// allPairs are the pairings in report order, the baseline first.
var allPairs = []pair{baseline, {actorrpc, actorrpc}, {grpcgo, actorrpc}, {actorrpc, grpcgo}}

func pairNames() string {
	var names []string
	for _, p := range allPairs {
		names = append(names, p.flagName())
	}
	return strings.Join(names, ",")
}

func parsePairs(s string) ([]pair, error) {
	if s == "" {
		return allPairs, nil
	}
	var ps []pair
next:
	for name := range strings.SplitSeq(s, ",") {
		for _, p := range allPairs {
			if p.flagName() == strings.TrimSpace(name) {
				ps = append(ps, p)
				continue next
			}
		}
		return nil, fmt.Errorf("unknown pairing %q; want one of %s", name, pairNames())
	}
	return ps, nil
}
