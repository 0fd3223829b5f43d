package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"testing"
)

// TestEchoAnswersEveryMessage checks that each hand-off variant of the server echoes every
// message, in order, and stops when the connection closes.
func TestEchoAnswersEveryMessage(t *testing.T) {
	for _, handoffs := range []int{0, 1, 2} {
		t.Run(fmt.Sprintf("handoffs=%d", handoffs), func(t *testing.T) {
			client, server := net.Pipe()
			done := make(chan struct{})
			go func() { echo(server, handoffs); close(done) }()
			for i := range 3 {
				msg := bytes.Repeat([]byte{byte(i + 1)}, messageSize)
				if _, err := client.Write(msg); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				got := make([]byte, messageSize)
				if _, err := io.ReadFull(client, got); err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
				if !bytes.Equal(got, msg) {
					t.Fatalf("echo %d: got bytes of %d; want %d", i, got[0], msg[0])
				}
			}
			client.Close()
			<-done
		})
	}
}
