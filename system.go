package actorrpc

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/actorrpc/actorrpc/actors"
)

// NewActorSystem returns an actor system with protoactor-go's own logging silenced, for
// WithActorSystem and for the actors that serve methods or consume streams. Channels and
// Servers that are given none share one such system.
func NewActorSystem() *actor.ActorSystem { return actors.NewSystem() }
