// Package managed is the one reconciler every platform-backed kind shares.
//
// A kind supplies only a Connector (resolve its dependencies and hand back an
// External bound to a platform client) and an External (Observe / Create / Update /
// Delete against the platform, plus its field mapping). This package owns everything
// else, so every kind behaves the same way: the finalizer is added before any platform
// call; status is patched once per reconcile, and only when it changed; conditions
// Ready and Synced carry named reasons and observedGeneration; status.observedGeneration
// moves when the spec was fully applied or when it stalled (the generation has its
// verdict, so kstatus reads Failed), and Reconciling says an object is still on its
// way, as Flux's kstatus expects; errors follow one taxonomy (stalling,
// waiting, generic); resync is jittered; pause and ObserveOnly never write to the
// platform; deletion says what blocks it instead of hanging silently.
//
// The shape follows crossplane-runtime's managed reconciler (ExternalClient) and
// cluster-api's Reconcile (get, finalizer, deferred patch, delete or normal). Its steps
// on the object itself (EnsureFinalizer, ReleaseFinalizer, PatchStatus) and its
// conflict policy (RequeueConflict) are exported for PlatformConfig's reconciler, which
// has no platform object but must hold its finalizer and write its status the same way.
package managed
