package actors

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// headerReader decodes the header blocks the reader goroutine reads, as x/net's Framer does
// with ReadMetaHeaders set (Framer.readMetaFrame), with the same checks, but without its
// allocations per block (a MetaHeadersFrame, a closure and the variables it captures, a
// growing field slice): the emit func is bound once and fields collect in a reused slice,
// copied once into the message that carries them. It belongs to the reader goroutine.
//
// The checks, as the Framer makes them:
//   - the header list may not exceed SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2);
//     past it the block is still decoded (HPACK state must stay in step) and marked
//     truncated; a fragment larger than twice the room left is a connection error;
//   - field names are lowercase tokens, values have no forbidden bytes, pseudo-header
//     fields come first and are known and unique, and a block is a request's or a
//     response's (RFC 9113 §8.2.1, §8.3): else a stream error of type PROTOCOL_ERROR;
//     a CONTINUATION after an invalid field is a connection error;
//   - an HPACK decoding error is a connection error of type COMPRESSION_ERROR (§4.3).
//
// CONTINUATION order (only CONTINUATION of the same stream until END_HEADERS) is the
// Framer's own check, made on every frame header it reads.
type headerReader struct {
	fr      *http2.Framer
	dec     *hpack.Decoder
	maxList uint32

	// One block's decoding state.
	fields         []hpack.HeaderField // reused; copied out per block
	headersRemain  uint32
	trailersRemain uint32
	sawRegular     bool
	truncated      bool
	invalid        error
}

func newHeaderReader(fr *http2.Framer, tableSize, maxHeaderList uint32) *headerReader {
	h := &headerReader{fr: fr, maxList: maxHeaderList}
	if h.maxList == 0 {
		h.maxList = 16 << 20 // the Framer's default
	}
	h.dec = hpack.NewDecoder(tableSize, h.emit)
	if v := int(h.maxList); v > 0 {
		h.dec.SetMaxStringLength(v)
	}
	return h
}

// emit takes one decoded field (the Framer's readMetaFrame emit func).
func (h *headerReader) emit(hf hpack.HeaderField) {
	if !httpguts.ValidHeaderFieldValue(hf.Value) {
		// Don't include the value in the error: it may be sensitive.
		h.invalid = fmt.Errorf("invalid header field value for %q", hf.Name)
	}
	if strings.HasPrefix(hf.Name, ":") {
		if h.sawRegular {
			h.invalid = errPseudoAfterRegular
		}
	} else {
		h.sawRegular = true
		if !validWireHeaderFieldName(hf.Name) {
			h.invalid = fmt.Errorf("invalid header field name %q", hf.Name)
		}
	}
	if h.invalid != nil {
		h.dec.SetEmitEnabled(false)
		return
	}
	remain, size := &h.headersRemain, hf.Size()
	if hf.Name == "trailer" {
		// As the Framer: each declared trailer counts as a field of its own.
		remain = &h.trailersRemain
		n := uint32(strings.Count(hf.Value, ",") + 1)
		size = uint32(len(hf.Value)) - n + 1 + n*hpack.HeaderField{}.Size()
	}
	if size > *remain {
		h.dec.SetEmitEnabled(false)
		h.truncated = true
		h.headersRemain, h.trailersRemain = 0, 0
		return
	}
	*remain -= size
	h.fields = append(h.fields, hf)
}

var errPseudoAfterRegular = errors.New("pseudo header field after regular")

// read decodes the block that HEADERS frame f starts, reading its CONTINUATION frames, into
// a frameMsg of type HEADERS. f is valid only until the next read, so what is needed of it
// is taken first.
func (h *headerReader) read(f *http2.HeadersFrame) (*frameMsg, error) {
	hdr := f.Header()
	m := &frameMsg{typ: http2.FrameHeaders, streamID: hdr.StreamID, flags: hdr.Flags, length: hdr.Length}
	m.selfDep = f.HasPriority() && f.Priority.StreamDep == hdr.StreamID
	h.fields = h.fields[:0]
	h.headersRemain, h.trailersRemain = h.maxList, h.maxList
	h.sawRegular, h.truncated, h.invalid = false, false, nil
	h.dec.SetEmitEnabled(true)

	frag, ended := f.HeaderBlockFragment(), f.HeadersEnded()
	for {
		// As the Framer: a fragment far larger than the room left, or any fragment after an
		// invalid field, closes the connection rather than be decoded for nothing.
		if int64(len(frag)) > 2*int64(h.headersRemain+h.trailersRemain) {
			return nil, fmt.Errorf("%w: header list larger than SETTINGS_MAX_HEADER_LIST_SIZE (%d)",
				http2.ConnectionError(http2.ErrCodeProtocol), h.maxList)
		}
		if h.invalid != nil {
			return nil, fmt.Errorf("%w: CONTINUATION after an invalid header: %v", http2.ConnectionError(http2.ErrCodeProtocol), h.invalid)
		}
		if _, err := h.dec.Write(frag); err != nil {
			return nil, fmt.Errorf("%w: %v", http2.ConnectionError(http2.ErrCodeCompression), err)
		}
		if ended {
			break
		}
		next, err := h.fr.ReadFrame()
		if err != nil {
			return nil, err
		}
		cf := next.(*http2.ContinuationFrame) // the Framer checks the frame order
		frag, ended = cf.HeaderBlockFragment(), cf.HeadersEnded()
	}
	if err := h.dec.Close(); err != nil {
		return nil, fmt.Errorf("%w: %v", http2.ConnectionError(http2.ErrCodeCompression), err)
	}
	if h.invalid != nil {
		return nil, http2.StreamError{StreamID: hdr.StreamID, Code: http2.ErrCodeProtocol, Cause: h.invalid}
	}
	if err := checkPseudos(h.fields); err != nil {
		return nil, http2.StreamError{StreamID: hdr.StreamID, Code: http2.ErrCodeProtocol, Cause: err}
	}
	m.headersFact.Fields = append(make([]hpack.HeaderField, 0, len(h.fields)), h.fields...)
	m.truncated = h.truncated
	clear(h.fields) // the reused slice keeps no strings alive
	return m, nil
}

// checkPseudos checks the leading pseudo-header fields: known, unique, and all of a
// request or all of a response (the Framer's MetaHeadersFrame.checkPseudos).
func checkPseudos(fields []hpack.HeaderField) error {
	var isRequest, isResponse bool
	for i, hf := range fields {
		if !strings.HasPrefix(hf.Name, ":") {
			break
		}
		switch hf.Name {
		case ":method", ":path", ":scheme", ":authority", ":protocol":
			isRequest = true
		case ":status":
			isResponse = true
		default:
			return fmt.Errorf("invalid pseudo-header %q", hf.Name)
		}
		for _, prev := range fields[:i] {
			if hf.Name == prev.Name {
				return fmt.Errorf("duplicate pseudo-header %q", hf.Name)
			}
		}
	}
	if isRequest && isResponse {
		return errors.New("mix of request and response pseudo headers")
	}
	return nil
}

// validWireHeaderFieldName reports whether v is a valid header field name as sent on the
// wire: a token without uppercase letters (RFC 9113 §8.2.1).
func validWireHeaderFieldName(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if !httpguts.IsTokenRune(r) || ('A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}
