package actorrpc_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing/synctest"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/actorrpc/actorrpc/actors"
	"github.com/actorrpc/actorrpc/examples/helloworld/hellopb"
)

// A frame script: the connection fuzz targets (FuzzServerConn, FuzzClientConn) read their
// input as a sequence of ops, each one frame (or a pause) whose type, flags, stream and
// payload come from the next bytes. Most ops write frames a real peer could send (a valid
// request or response, a gRPC-framed message) so that the fuzzer gets deep into the
// connection; the rest write what a careless or hostile peer sends.

// fuzzTrace prints the ops and the frames read (FUZZTRACE=1 in the environment), to follow a failing input.
var fuzzTrace = os.Getenv("FUZZTRACE") != ""

// fuzzInput hands out the fuzz input's bytes; past its end every byte is zero.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) more() bool { return len(in.b) > 0 }

func (in *fuzzInput) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	v := in.b[0]
	in.b = in.b[1:]
	return v
}

func (in *fuzzInput) u16() uint16 { return uint16(in.byte())<<8 | uint16(in.byte()) }
func (in *fuzzInput) u32() uint32 { return uint32(in.u16())<<16 | uint32(in.u16()) }

// take returns the next n bytes (fewer at the end of the input).
func (in *fuzzInput) take(n int) []byte {
	n = min(n, len(in.b))
	v := in.b[:n]
	in.b = in.b[n:]
	return bytes.Clone(v)
}

// Ops of a frame script, chosen by a byte modulo opCount.
const (
	opHeaders      = iota // a valid request (server fuzz) or response headers/trailers (client fuzz)
	opData                // DATA carrying a gRPC length-prefixed message
	opRSTStream           // RST_STREAM
	opWindowUpdate        // WINDOW_UPDATE
	opSettings            // SETTINGS or its ACK
	opPing                // PING or its ACK
	opGoAway              // GOAWAY
	opContinuation        // CONTINUATION
	opPriority            // PRIORITY
	opGarbage             // a frame of any type, flags and payload
	opOddHeaders          // HEADERS with fields from the input, or a raw HPACK block
	opPause               // let the peer catch up, or let fake time pass
	opRaw                 // raw bytes (completed to whole frames)
	opCount
)

// scriptWriter writes a frame script's frames to one side of a connection.
type scriptWriter struct {
	nc     net.Conn
	fr     *http2.Framer
	henc   *hpack.Encoder
	hbuf   bytes.Buffer
	client bool   // we play the client (FuzzServerConn)
	cur    uint32 // the stream most ops address
	maxID  uint32 // the highest stream id we opened (client role)
	err    error  // the first write error: the other side closed
}

func newScriptWriter(nc net.Conn, client bool) *scriptWriter {
	w := &scriptWriter{nc: nc, client: client, cur: 1}
	w.fr = http2.NewFramer(nc, nil)
	w.fr.AllowIllegalWrites = true
	w.henc = hpack.NewEncoder(&w.hbuf)
	return w
}

// write runs a frame write with a write deadline: a peer that stops reading our frames
// for a minute of fake time while it has not closed is a hang.
func (w *scriptWriter) write(fn func() error) {
	if w.err != nil {
		return
	}
	_ = w.nc.SetWriteDeadline(time.Now().Add(time.Minute))
	w.err = fn()
}

// streamID picks the stream an op addresses.
func (w *scriptWriter) streamID(v byte) uint32 {
	switch v % 8 {
	case 0, 1, 2:
		return w.cur
	case 3, 4:
		if w.client {
			w.cur = w.nextID()
			w.maxID = w.cur
		} else {
			w.cur = 2*uint32(v>>3%4) + 1 // one of the client's first streams
		}
		return w.cur
	case 5:
		return 0
	case 6:
		return w.cur + 1
	default:
		return uint32(v >> 3)
	}
}

// nextID is the lowest odd stream id above every id we opened (client role).
func (w *scriptWriter) nextID() uint32 {
	id := w.maxID + 1
	if id%2 == 0 {
		id++
	}
	return id
}

func (w *scriptWriter) encode(fields []hpack.HeaderField) []byte {
	w.hbuf.Reset()
	for _, f := range fields {
		_ = w.henc.WriteField(f)
	}
	return bytes.Clone(w.hbuf.Bytes())
}

// writeBlock writes a header block as HEADERS and, if split, CONTINUATIONs of split bytes.
func (w *scriptWriter) writeBlock(id uint32, block []byte, end bool, split int, pad uint8) {
	frag := block
	if split > 0 && split < len(block) {
		frag = block[:split]
	}
	rest := block[len(frag):]
	if w.client {
		w.maxID = max(w.maxID, id)
	}
	w.write(func() error {
		return w.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag, EndStream: end, EndHeaders: len(rest) == 0, PadLength: pad})
	})
	for len(rest) > 0 {
		n := min(split, len(rest))
		frag, rest = rest[:n], rest[n:]
		w.write(func() error { return w.fr.WriteContinuation(id, len(rest) == 0, frag) })
	}
}

// fuzzPaths are the methods a request names: registered ones first.
var fuzzPaths = []string{
	hellopb.HelloService_SayHello_FullMethodName,
	"/test.Numbers/Echo", "/test.Numbers/Count", "/test.Numbers/Sum", "/test.Numbers/Flood",
	hellopb.HelloService_LotsOfReplies_FullMethodName, "/no.Such/Method", "bad",
}

var fuzzTimeouts = []string{"1n", "100m", "5S", "1H", "0S", "bogus", "99999999H", "2M"}

// requestFields is a gRPC request's headers, varied by v.
func requestFields(path string, v byte, in *fuzzInput) []hpack.HeaderField {
	fields := rawRequestHeaders(path)
	if v&1 != 0 {
		fields = append(fields, hpack.HeaderField{Name: "grpc-timeout", Value: fuzzTimeouts[in.byte()%8]})
	}
	if v&2 != 0 {
		fields = append(fields, hpack.HeaderField{Name: "grpc-encoding", Value: "gzip"}, hpack.HeaderField{Name: "grpc-accept-encoding", Value: "gzip"})
	}
	if v&4 != 0 {
		fields = withField(fields, "content-type", []string{"application/grpc+proto", "text/plain", "application/grpcx", ""}[in.byte()%4])
	}
	if v&8 != 0 {
		fields = append(fields, hpack.HeaderField{Name: "x-md-bin", Value: string(in.take(int(in.byte() % 16)))})
	}
	return fields
}

// responseFields is a gRPC response's headers (kind 0), trailers (1) or trailers-only
// response (2), varied by v.
func responseFields(kind, v byte, in *fuzzInput) []hpack.HeaderField {
	var fields []hpack.HeaderField
	if kind != 1 {
		status := []string{"200", "200", "200", "503", "404", "", "100", "429"}[v%8]
		if status != "" {
			fields = append(fields, hpack.HeaderField{Name: ":status", Value: status})
		}
		ct := []string{"application/grpc", "application/grpc+proto", "text/html", ""}[v>>3%4]
		if ct != "" {
			fields = append(fields, hpack.HeaderField{Name: "content-type", Value: ct})
		}
		if v&0x20 != 0 {
			fields = append(fields, hpack.HeaderField{Name: "grpc-encoding", Value: []string{"gzip", "identity", "snappy"}[in.byte()%3]})
		}
	}
	if kind != 0 {
		code := in.byte()
		fields = append(fields, hpack.HeaderField{Name: "grpc-status", Value: []string{"0", "1", "13", "14", "16", "17", "-1", "x"}[code%8]})
		if code&8 != 0 {
			fields = append(fields, hpack.HeaderField{Name: "grpc-message", Value: string(in.take(int(in.byte() % 16)))})
		}
		if code&16 != 0 {
			fields = append(fields, hpack.HeaderField{Name: "grpc-status-details-bin", Value: string(in.take(int(in.byte() % 16)))})
		}
	}
	return fields
}

// oddFieldNames are header names a peer should not send, or not there.
var oddFieldNames = []string{
	":method", ":path", ":scheme", ":authority", ":status", ":protocol", "content-type", "te",
	"grpc-timeout", "grpc-status", "grpc-message", "connection", "Upper", "", "x-bin", "grpc-encoding",
}

// message is a gRPC length-prefixed message, varied by v: valid or not, compressed flag,
// a length prefix that lies.
func message(v byte, in *fuzzInput) []byte {
	var payload []byte
	switch v % 4 {
	case 0, 1:
		payload, _ = proto.Marshal(wrapperspb.Int32(int32(in.u16())))
	case 2:
		payload, _ = proto.Marshal(&hellopb.HelloRequest{Greeting: string(in.take(int(in.byte() % 32)))})
	default:
		payload = in.take(int(in.byte() % 32))
	}
	if v&4 != 0 {
		payload = bytes.Repeat([]byte{0x0a}, int(in.u16()%16385)) // big: flow control
	}
	flag := byte(0)
	if v&8 != 0 {
		flag = 1
	}
	msg := rawMsg(flag, payload)
	if v&16 != 0 {
		binary.BigEndian.PutUint32(msg[1:], in.u32())
	}
	if v&32 != 0 && len(msg) > 2 {
		msg = msg[:len(msg)/2] // a message cut across frames
	}
	return msg
}

// step reads one op from in and writes its frames. It returns false once the input ends
// or the other side has closed.
func (w *scriptWriter) step(in *fuzzInput) bool {
	if !in.more() || w.err != nil {
		return false
	}
	op, v := in.byte()%opCount, in.byte()
	if fuzzTrace {
		fmt.Printf("op %d v %#x\n", op, v)
	}
	switch op {
	case opHeaders:
		id := w.streamID(in.byte())
		var fields []hpack.HeaderField
		if w.client {
			fields = requestFields(fuzzPaths[v%8], v>>3, in)
		} else {
			fields = responseFields(v%3, in.byte(), in)
		}
		split := 0
		if v&0x40 != 0 {
			split = int(in.byte()%32) + 1
		}
		w.writeBlock(id, w.encode(fields), v&0x80 != 0 || (!w.client && v%3 != 0), split, 0)
	case opData:
		id := w.streamID(in.byte())
		msg := message(in.byte(), in)
		if v&2 != 0 {
			w.write(func() error { return w.fr.WriteDataPadded(id, v&1 != 0, msg, make([]byte, in.byte())) })
		} else {
			w.write(func() error { return w.fr.WriteData(id, v&1 != 0, msg) })
		}
	case opRSTStream:
		id := w.streamID(v)
		code := http2.ErrCode(in.byte() % 16)
		w.write(func() error { return w.fr.WriteRSTStream(id, code) })
	case opWindowUpdate:
		id := w.streamID(v)
		inc := in.u32()
		if inc&0x80000000 == 0 {
			inc %= 1 << 20 // mostly modest
		}
		w.write(func() error { return w.fr.WriteWindowUpdate(id, inc&0x7fffffff) })
	case opSettings:
		if v&1 != 0 {
			w.write(func() error { return w.fr.WriteSettingsAck() })
			return true
		}
		var settings []http2.Setting
		for range v >> 1 % 4 {
			id := http2.SettingID(in.byte() % 9)
			val := in.u32()
			switch id {
			case http2.SettingMaxFrameSize:
				val = 16384 + val%(1<<24-16384) // mostly valid
			case http2.SettingInitialWindowSize:
				val %= 1 << 21
			}
			if in.byte() == 0xff {
				val = in.u32() // anything
			}
			settings = append(settings, http2.Setting{ID: id, Val: val})
		}
		w.write(func() error { return w.fr.WriteSettings(settings...) })
	case opPing:
		var data [8]byte
		copy(data[:], in.take(8))
		w.write(func() error { return w.fr.WritePing(v&1 != 0, data) })
	case opGoAway:
		last := in.u32() & 0x7fffffff
		code := http2.ErrCode(in.byte() % 16)
		if v&1 != 0 {
			last = w.cur
		}
		debug := in.take(int(v >> 1 % 16))
		w.write(func() error { return w.fr.WriteGoAway(last, code, debug) })
	case opContinuation:
		id := w.streamID(in.byte())
		var frag []byte
		if v&1 != 0 {
			frag = w.encode([]hpack.HeaderField{{Name: "x-more", Value: string(in.take(int(in.byte() % 16)))}})
		} else {
			frag = in.take(int(in.byte() % 16))
		}
		w.write(func() error { return w.fr.WriteContinuation(id, v&2 != 0, frag) })
	case opPriority:
		id := w.streamID(v)
		p := http2.PriorityParam{StreamDep: in.u32() & 0x7fffffff, Exclusive: v&1 != 0, Weight: in.byte()}
		if v&2 != 0 {
			p.StreamDep = id // depends on itself
		}
		w.write(func() error { return w.fr.WritePriority(id, p) })
	case opGarbage:
		typ := http2.FrameType(v % 16)
		if v >= 0xf0 {
			typ = http2.FrameType(v) // unknown types up to 0xff
		}
		flags := http2.Flags(in.byte())
		id := w.streamID(in.byte())
		payload := in.take(int(in.byte() % 32))
		w.write(func() error { return w.fr.WriteRawFrame(typ, flags, id, payload) })
	case opOddHeaders:
		id := w.streamID(in.byte())
		var block []byte
		if v&1 != 0 {
			block = in.take(int(in.byte() % 32)) // not HPACK, or not this table's
		} else {
			var fields []hpack.HeaderField
			for range v >> 1 % 8 {
				name := oddFieldNames[in.byte()%16]
				fields = append(fields, hpack.HeaderField{Name: name, Value: string(in.take(int(in.byte() % 12)))})
			}
			if v&0x10 != 0 && w.client {
				fields = append(rawRequestHeaders(fuzzPaths[0]), fields...)
			}
			block = w.encode(fields)
		}
		w.writeBlock(id, block, v&0x20 != 0, 0, in.byte()%4)
	case opPause:
		if v&1 == 0 {
			synctest.Wait()
		} else {
			time.Sleep(time.Duration(v>>1) * 500 * time.Millisecond)
		}
	case opRaw:
		raw := completeFrames(in.take(int(v)*16 + int(in.byte()%16)))
		w.write(func() error { _, err := w.nc.Write(raw); return err })
	}
	return w.err == nil
}

// completeFrames pads raw bytes so that they end on a frame boundary, unless the last
// frame is larger than the side under test accepts (SETTINGS_MAX_FRAME_SIZE, by default
// actors.DefaultMaxFrameSize): it then closes the connection at the frame's header and
// waits for no more bytes.
func completeFrames(raw []byte) []byte {
	i := 0
	for i+9 <= len(raw) {
		i += 9 + (int(raw[i])<<16 | int(raw[i+1])<<8 | int(raw[i+2]))
	}
	if i < len(raw) { // a partial frame header: complete it with zeros
		raw = append(raw, make([]byte, 9-(len(raw)-i))...)
		i += 9 + (int(raw[i])<<16 | int(raw[i+1])<<8 | int(raw[i+2]))
	}
	if i > len(raw) && i-len(raw) <= actors.DefaultMaxFrameSize {
		raw = append(raw, make([]byte, i-len(raw))...)
	}
	return raw
}

// frameLog reads the frames the side under test sends, without decoding header blocks,
// until the connection ends. It notes what the fuzz targets check.
type frameLog struct {
	fr   *http2.Framer
	done chan struct{} // closed once reading ended
	data atomic.Int64  // DATA payload bytes read

	mu         sync.Mutex
	pings      map[[8]byte]bool // PING ACKs read
	answered   map[uint32]bool  // streams with HEADERS or RST_STREAM read
	goAway     bool             // a GOAWAY was read; goAwayLast is its last stream id
	goAwayLast uint32
	bad        error // a frame no peer should send
	frames     int
}

func startFrameLog(nc net.Conn) *frameLog {
	l := &frameLog{fr: http2.NewFramer(nil, nc), done: make(chan struct{}), pings: map[[8]byte]bool{}, answered: map[uint32]bool{}}
	l.fr.SetMaxReadFrameSize(1<<24 - 1)
	go func() {
		defer close(l.done)
		for {
			f, err := l.fr.ReadFrame()
			if err != nil {
				if _, ok := err.(http2.ConnectionError); ok {
					l.mu.Lock()
					l.bad = err
					l.mu.Unlock()
				}
				return
			}
			l.note(f)
		}
	}()
	return l
}

func (l *frameLog) note(f http2.Frame) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.frames++
	if fuzzTrace {
		fmt.Printf("read %v\n", f)
	}
	switch f := f.(type) {
	case *http2.DataFrame:
		l.data.Add(int64(f.Length))
	case *http2.PingFrame:
		if f.IsAck() {
			l.pings[f.Data] = true
		}
	case *http2.HeadersFrame:
		l.answered[f.StreamID] = true
	case *http2.RSTStreamFrame:
		l.answered[f.StreamID] = true
	case *http2.GoAwayFrame:
		l.goAway, l.goAwayLast = true, f.LastStreamID
	}
}

func (l *frameLog) closed() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}
