package actors

// flowIn tracks a receive window: how much the peer may still send, and how much we have
// consumed but not yet returned with WINDOW_UPDATE.
type flowIn struct {
	window  int64 // what the peer may still send
	unacked int64 // consumed, not yet returned
}

// take accounts for n received bytes; false means the peer overran the window.
func (f *flowIn) take(n int64) bool {
	if n > f.window {
		return false
	}
	f.window -= n
	return true
}

// consume marks n bytes as consumed and returns the increment to announce now, if any:
// updates are batched until a quarter of the full window is owed (as grpc-go does).
func (f *flowIn) consume(n, full int64) uint32 {
	f.unacked += n
	if f.unacked < full/4 {
		return 0
	}
	inc := f.unacked
	f.unacked = 0
	f.window += inc
	return uint32(inc)
}
