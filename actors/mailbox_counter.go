package actors

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// mailboxCounter counts messages posted to and received by one actor's mailbox, so the
// actor can tell inside Receive that nothing else is queued and flush its writes then.
// (protoactor-go calls MailboxEmpty after it marks the mailbox idle, when the next Receive
// may already run elsewhere, so that hook must not touch actor state.)
// protoactor-go's actor.Unbounded(counter) and the runtime mailbox's
// unboundedMailbox(counter) call these hooks at the same points (TestMailboxMiddleware),
// so either mailbox can carry it.
type mailboxCounter struct {
	posted   atomic.Int64
	received atomic.Int64
}

var _ actor.MailboxMiddleware = (*mailboxCounter)(nil)

func (m *mailboxCounter) MailboxStarted()         {}
func (m *mailboxCounter) MessagePosted(any)       { m.posted.Add(1) }
func (m *mailboxCounter) MessageReceived(any)     { m.received.Add(1) }
func (m *mailboxCounter) MailboxEmpty()           {}
func (m *mailboxCounter) onlyCurrentQueued() bool { return m.posted.Load()-m.received.Load() <= 1 }
