package rawh2_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/actorrpc/actorrpc/internal/rawh2"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startH2Server serves h with golang.org/x/net/http2 over cleartext TCP until the test
// ends.
func startH2Server(t *testing.T, h http.HandlerFunc) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http2.Server{}
	var wg sync.WaitGroup
	conns := make(chan net.Conn, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := lis.Accept()
			if err != nil {
				return
			}
			conns <- nc
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.ServeConn(nc, &http2.ServeConnOpts{Handler: h})
			}()
		}
	}()
	t.Cleanup(func() {
		_ = lis.Close()
		for {
			select {
			case nc := <-conns:
				_ = nc.Close()
				continue
			default:
			}
			break
		}
		wg.Wait()
	})
	return lis.Addr().String()
}

func request(path string, extra ...hpack.HeaderField) []hpack.HeaderField {
	return append([]hpack.HeaderField{
		{Name: ":method", Value: "POST"},
		{Name: ":scheme", Value: "http"},
		{Name: ":path", Value: path},
		{Name: ":authority", Value: "example.com"},
	}, extra...)
}

func TestDialAgainstXNetServer(t *testing.T) {
	addr := startH2Server(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("x-len", strconv.Itoa(len(r.Header.Values("x-pad"))))
		w.Header().Set("Trailer", "x-trailer")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		w.Header().Set("x-trailer", "done")
	})
	p := rawh2.Dial(t, addr, http2.Setting{ID: http2.SettingInitialWindowSize, Val: 65535})

	t.Run("ping", func(t *testing.T) {
		data := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
		p.WritePing(false, data)
		for {
			f, err := p.ReadFrame()
			require.NoError(t, err)
			if f.Type == http2.FramePing {
				assert.True(t, f.IsAck(), "got %v; want PING ACK", f)
				assert.Equal(t, data[:], f.Data, "got PING payload %x; want %x", f.Data, data)
				return
			}
		}
	})

	t.Run("echo with continuation and flow control", func(t *testing.T) {
		var pads []hpack.HeaderField
		for range 3 {
			pads = append(pads, hpack.HeaderField{Name: "x-pad", Value: strings.Repeat("p", 100)})
		}
		p.WriteHeadersSplit(1, false, 50, request("/echo", pads...)...)
		body := bytes.Repeat([]byte("0123456789"), 27183)
		require.True(t, p.SendData(1, true, body))
		s := p.ReadUntilStreamEnd(1)
		require.True(t, s.Ended, "got stream reset %v; want END_STREAM", s.ResetCode)
		st, _ := rawh2.Field(s.Headers, ":status")
		assert.Equal(t, "200", st)
		n, _ := rawh2.Field(s.Headers, "x-len")
		assert.Equal(t, "3", n, "got %s x-pad headers echoed; want 3", n)
		assert.Equal(t, len(body), len(s.Data), "got %d bytes echoed; want %d", len(s.Data), len(body))
		tr, _ := rawh2.Field(s.Trailers, "x-trailer")
		assert.Equal(t, "done", tr)
	})
}

func TestAcceptAgainstXNetTransport(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer lis.Close()
	tr := &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	type result struct {
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Post("http://"+lis.Addr().String()+"/x", "text/plain", strings.NewReader("hello"))
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{body: string(b), err: err}
	}()

	p := rawh2.Accept(t, lis, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 10})
	h := p.ReadHeaders(1)
	path, _ := rawh2.Field(h, ":path")
	assert.Equal(t, "/x", path)
	s := p.ReadUntilStreamEnd(1)
	assert.Equal(t, "hello", string(s.Data))
	p.WriteHeaders(1, false, hpack.HeaderField{Name: ":status", Value: "200"})
	require.True(t, p.SendData(1, true, []byte("world")))
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, "world", r.body)
	// Closing our side ends the transport's connection goroutines.
	p.Close()
}
