package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/wire"
)

// A unary call on a READY channel opens its stream on the connection directly
// (ChannelParams.Ready), not through the channel actor, and is not the channel's child. So
// the connection itself makes sure such a call always hears back:
//
//   - an OpenStream still in the mailbox when the actor stopped, which protoactor-go would
//     drop without a word, is answered as a stream that never left (connMailbox);
//   - once the channel is shut down, every stream and every open it could not serve ends
//     CANCELLED "channel closed", as a call of the channel's own would (notOpened);
//   - the channel's idle timer asks the connection whether it had streams (idleQuery).

// idleQuery asks a client connection whether it carries streams, and since when it has none.
type idleQuery struct{}

// idleReport answers idleQuery.
type idleReport struct {
	conn  *actor.PID
	busy  bool      // streams open or waiting to open
	since time.Time // when the last stream ended (zero: none ever did)
}

// connMailbox is the connection actor's mailbox, which the actor reaches (mailbox.afterStop).
// It is set when the actor is spawned, before its first message.
type connMailbox struct{ m *mailbox }

// channelClosed says the channel this client connection belongs to is shut down.
func (c *conn) channelClosed() bool {
	return c.p.ChannelState != nil && State(c.p.ChannelState.Load()) == Shutdown
}

// notOpened is the answer to an open the connection cannot serve: a stream that never left
// (the call may retry it elsewhere), or CANCELLED once the channel is shut down.
func (c *conn) notOpened(format string, args ...any) *StreamReset {
	if c.channelClosed() {
		return &StreamReset{Status: wire.NewStatus(wire.Canceled, "channel closed")}
	}
	return unprocessedReset(0, format, args...)
}

// afterStop answers a message that reached the mailbox after the actor stopped.
func (c *conn) afterStop(msg any) {
	env, ok := msg.(*actor.MessageEnvelope)
	if !ok || env.Sender == nil {
		return
	}
	if _, ok := env.Message.(*OpenStream); ok {
		c.sendReset(env.Sender, c.notOpened("connection closed before the stream was opened"))
	}
}

// onIdleQuery reports whether the connection carries streams, and since when it has none.
func (c *conn) onIdleQuery(ctx actor.Context) {
	busy := len(c.streams) > 0 || len(c.waitingOpens) > 0
	if ctx.Sender() != nil {
		ctx.Respond(&idleReport{conn: c.self, busy: busy, since: c.noStreamsSince})
	}
}
