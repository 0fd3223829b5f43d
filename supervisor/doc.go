// Package supervisor holds actorrpc's supervision policies: what the failure of each actor
// in the tree means. The trees are
//
//	client: root → channel actor → connection actor, call actors
//	server: root → server actor → connection actor → call actors
//
// No actor of actorrpc is restarted: a call actor that fails ends its call (INTERNAL), a
// connection actor that fails ends its calls (UNAVAILABLE) and its parent reconnects or
// forgets it. Every failure is published on the actor system's event stream as a *Failure,
// carrying the panic value and the stack, and logged at error level.
package supervisor
