// Package snapshot serves the operator's reads of the platform from paginated lists.
//
// The platform sends no watch events, so drift is found by reading. Reading every
// object with its own GET costs one request per object per resync interval and, after
// a restart, one per object at once; a SaaS platform allows perhaps 10 requests a
// second per credential. A Set keeps, per (credential, enterprise), the last full list
// of one kind: every object of that kind in that enterprise reads itself from it while
// it is fresh enough for that object, so a resync round or a restart costs pages, not
// objects. A natural-key lookup before a create uses the same list, so creating an
// object costs the create alone.
//
// What keeps it correct:
//   - Age: an object reads a list no older than it asks (half its resync interval), so
//     drift made on the platform is still seen within about one resync.
//   - The operator's own writes: every write it makes goes through the Set (Put,
//     Remove, Stale), so the list never shows an object as it was before that write;
//     a reading older than an object's last write is not used (Need.Since).
//   - Absence is confirmed: an object bound to an id the list lacks is read with a GET
//     before it is called gone, because a list read page by page can miss an item
//     that moved between pages. Before a create, absence from the list is trusted only
//     for kinds whose natural key the platform keeps unique (a duplicate is refused
//     with 409, and the caller looks again with Invalidate); an object whose earlier
//     create may have succeeded unanswered is always looked up directly (Need.Direct).
//   - Memory: a list holds what the drift checks need, one per (credential,
//     enterprise, kind), and is dropped when nobody read it for Set.Idle.
package snapshot
