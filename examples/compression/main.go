// Command compression sends a large, repetitive greeting with and without gzip: per
// channel (WithCompressor) and per call (UseCompressor). A net.Conn wrapper installed
// with WithContextDialer counts the bytes on the wire, so the program can show what
// compression saves; the server answers compressed requests with compressed responses.
//
//	go run ./examples/compression
//
// prints
//
//	payload: 100000 bytes of text
//	no compression:
//	  server got a compressed request: false
//	  request on the wire smaller than 1/10 of the payload: false
//	  response on the wire smaller than 1/10 of the payload: false
//	gzip for every call of the channel (WithCompressor):
//	  server got a compressed request: true
//	  request on the wire smaller than 1/10 of the payload: true
//	  response on the wire smaller than 1/10 of the payload: true
//	gzip for one call (UseCompressor):
//	  server got a compressed request: true
//	  request on the wire smaller than 1/10 of the payload: true
//	  response on the wire smaller than 1/10 of the payload: true
//	no compression for one call of a gzip channel (UseCompressor("identity")):
//	  server got a compressed request: false
//	  request on the wire smaller than 1/10 of the payload: false
//	  response on the wire smaller than 1/10 of the payload: false
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/actorrpc/actorrpc"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// payloadSize is the size of the greeting each call sends (and gets back).
const payloadSize = 100_000

// echo answers a greeting with itself and reports whether it arrived compressed.
type echo struct {
	hellopb.UnimplementedHelloServiceServer
	compressed chan<- bool
}

// SayHello echoes the greeting.
func (e echo) SayHello(ctx context.Context, req *hellopb.HelloRequest) (*hellopb.HelloResponse, error) {
	e.compressed <- actorrpc.ReceivedCompressed(ctx)
	return &hellopb.HelloResponse{Reply: req.GetGreeting()}, nil
}

// meter counts the bytes a channel's connections write and read.
type meter struct{ written, read atomic.Int64 }

// dial opens a TCP connection whose traffic the meter counts.
func (m *meter) dial(ctx context.Context, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &meteredConn{Conn: conn, m: m}, nil
}

// meteredConn is a net.Conn that adds what it writes and reads to its meter.
type meteredConn struct {
	net.Conn
	m *meter
}

// Write writes and counts.
func (c *meteredConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.m.written.Add(int64(n))
	return n, err
}

// Read reads and counts.
func (c *meteredConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.m.read.Add(int64(n))
	return n, err
}

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	compressed := make(chan bool, 1)
	srv := actorrpc.NewServer()
	hellopb.RegisterHelloServiceServer(srv, echo{compressed: compressed})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	defer func() {
		srv.Stop()
		<-served
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Println("payload:", payloadSize, "bytes of text")
	cases := []struct {
		title string
		dial  []actorrpc.DialOption
		call  []actorrpc.CallOption
	}{
		{title: "no compression"},
		{title: "gzip for every call of the channel (WithCompressor)", dial: []actorrpc.DialOption{actorrpc.WithCompressor("gzip")}},
		{title: "gzip for one call (UseCompressor)", call: []actorrpc.CallOption{actorrpc.UseCompressor("gzip")}},
		{title: `no compression for one call of a gzip channel (UseCompressor("identity"))`,
			dial: []actorrpc.DialOption{actorrpc.WithCompressor("gzip")}, call: []actorrpc.CallOption{actorrpc.UseCompressor("identity")}},
	}
	for _, c := range cases {
		fmt.Println(c.title + ":")
		if err := measure(ctx, lis.Addr().String(), c.dial, c.call, compressed); err != nil {
			return err
		}
	}
	return nil
}

// measure makes one call on a new metered channel and prints what went over the wire.
func measure(ctx context.Context, addr string, dialOpts []actorrpc.DialOption, callOpts []actorrpc.CallOption, compressed <-chan bool) error {
	var m meter
	ch, err := actorrpc.Dial(addr, append(dialOpts, actorrpc.WithContextDialer(m.dial))...)
	if err != nil {
		return err
	}
	defer ch.Close()
	greeting := strings.Repeat("hello, compression! ", payloadSize/20)
	written, read := m.written.Load(), m.read.Load()
	resp, err := hellopb.NewHelloServiceClient(ch).SayHello(ctx, &hellopb.HelloRequest{Greeting: greeting}, callOpts...)
	if err != nil {
		return err
	}
	if resp.GetReply() != greeting {
		return fmt.Errorf("the reply differs from the greeting")
	}
	written, read = m.written.Load()-written, m.read.Load()-read
	fmt.Println("  server got a compressed request:", <-compressed)
	fmt.Println("  request on the wire smaller than 1/10 of the payload:", written < payloadSize/10)
	fmt.Println("  response on the wire smaller than 1/10 of the payload:", read < payloadSize/10)
	return nil
}
