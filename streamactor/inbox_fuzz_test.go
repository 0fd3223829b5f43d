package streamactor

import (
	"bytes"
	"testing"

	"github.com/actorrpc/actorrpc/wire"
)

// FuzzInboxFeed cuts a stream's bytes into up to three DATA payloads, each in a pooled
// buffer as the connection delivers them, and checks that the inbox yields the messages
// wire.Decoder yields for the same bytes in one piece, in order, and stops at its error;
// every message is released as RecvMsg releases it.
func FuzzInboxFeed(f *testing.F) {
	one := wire.AppendMessage(nil, bytes.Repeat([]byte{7}, 600), false)
	two := wire.AppendMessage(wire.AppendMessage(nil, []byte("hello"), false), bytes.Repeat([]byte{9}, 700), false)
	f.Add(one, uint16(0), uint16(0))
	f.Add(two, uint16(3), uint16(20))
	f.Add(two, uint16(10), uint16(600))
	f.Add([]byte{0, 0, 0, 0, 5, 'a'}, uint16(2), uint16(4))
	f.Add([]byte{2, 0, 0, 0, 0}, uint16(0), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, cut1, cut2 uint16) {
		const maxSize = 4096
		var ref wire.Decoder
		ref.MaxSize = maxSize
		ref.Feed(data)
		var want [][]byte
		var wantCompressed []bool
		var wantErr bool
		for {
			p, compressed, ok, err := ref.Next()
			if err != nil {
				wantErr = true
				break
			}
			if !ok {
				break
			}
			want = append(want, bytes.Clone(p))
			wantCompressed = append(wantCompressed, compressed)
		}

		a, b := int(cut1)%(len(data)+1), int(cut2)%(len(data)+1)
		a, b = min(a, b), max(a, b)
		var in inbox
		in.dec.MaxSize = maxSize
		var got [][]byte
		var gotErr, undecodable bool
		for _, chunk := range [][]byte{data[:a], data[a:b], data[b:]} {
			if len(chunk) == 0 || undecodable {
				continue
			}
			buf := wire.GetBuffer(len(chunk))[:len(chunk)]
			copy(buf, chunk)
			if _, err := in.feed(buf); err != nil {
				gotErr = true
				break
			}
			for in.queued() > 0 {
				r := in.take()
				if r.Err != nil {
					// no grpc-encoding here: a compressed message cannot be decoded, and
					// the stream ends there
					if i := len(got); i >= len(want) || !wantCompressed[i] {
						t.Fatalf("take: %v for a message sent uncompressed", r.Err)
					}
					undecodable = true
					break
				}
				got = append(got, bytes.Clone(r.Payload))
				r.Release()
			}
		}
		if undecodable {
			want, wantErr = want[:len(got)], false
		}
		if len(got) > len(want) || (!wantErr && len(got) != len(want)) {
			t.Fatalf("got %d messages; want %d (decoder error: %v)", len(got), len(want), wantErr)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("message %d: got %x; want %x", i, got[i], want[i])
			}
		}
		if wantErr && !gotErr && len(got) == len(want) && in.dec.Buffered() == 0 {
			t.Fatalf("decoder reported an error; the inbox took every byte without one")
		}
		if gotErr && !wantErr {
			t.Fatalf("inbox reported an error the decoder did not")
		}
	})
}
