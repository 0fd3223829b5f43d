package main

import (
	"fmt"
	"io"
	"net"
	"time"
)

// messageSize is a 1 KiB message with a gRPC prefix and an HTTP/2 frame header, as in the
// ping-pong benchmark.
const messageSize = 1024 + 5 + 9

// runServer listens on a loopback port, prints its address, and echoes each message of each
// connection through handoffs goroutines.
func runServer(handoffs int) error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(lis.Addr())
	for {
		c, err := lis.Accept()
		if err != nil {
			return err
		}
		go echo(c, handoffs)
	}
}

// echo reads each message of c and writes it back. With one hand-off a handler goroutine
// writes the answer; with two, the handler passes it on to a writer goroutine.
func echo(c net.Conn, handoffs int) {
	defer c.Close()
	var write func([]byte)
	switch handoffs {
	case 0:
		write = func(b []byte) { _, _ = c.Write(b) }
	case 1:
		toHandler := relay(func(b []byte) { _, _ = c.Write(b) })
		defer close(toHandler)
		write = func(b []byte) { toHandler <- b }
	default:
		toWriter := relay(func(b []byte) { _, _ = c.Write(b) })
		defer close(toWriter)
		toHandler := relay(func(b []byte) { toWriter <- b })
		defer close(toHandler)
		write = func(b []byte) { toHandler <- b }
	}
	for {
		b := make([]byte, messageSize)
		if _, err := io.ReadFull(c, b); err != nil {
			return
		}
		write(b)
	}
}

// relay starts a goroutine that calls do for each message sent to the returned channel,
// until it is closed.
func relay(do func([]byte)) chan<- []byte {
	ch := make(chan []byte)
	go func() {
		for b := range ch {
			do(b)
		}
	}()
	return ch
}

// runClient sends a message, waits for its echo, and repeats for d; it prints round trips
// per second. With handoff, a reader goroutine reads each echo and passes it to the caller.
func runClient(addr string, handoff bool, d time.Duration) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	read := func(b []byte) error { _, err := io.ReadFull(c, b); return err }
	if handoff {
		// One slot: after the last round trip the reader's error (the connection closed
		// by the deferred Close) goes there, so the reader always returns.
		echoes := make(chan error, 1)
		go func() {
			b := make([]byte, messageSize)
			for {
				_, err := io.ReadFull(c, b)
				echoes <- err
				if err != nil {
					return
				}
			}
		}()
		read = func([]byte) error { return <-echoes }
	}
	msg := make([]byte, messageSize)
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if _, err := c.Write(msg); err != nil {
			return err
		}
		if err := read(msg); err != nil {
			return err
		}
		n++
	}
	fmt.Printf("%.0f\n", float64(n)/time.Since(start).Seconds())
	return nil
}
