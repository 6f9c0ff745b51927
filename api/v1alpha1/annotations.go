package v1alpha1

// Annotations users put on platform-backed objects. Values are documented in the README.
const (
	// AnnotationPaused, set to "true", stops every platform call for the object; status
	// says so (Synced=False, reason Paused). Removing it resumes reconciliation.
	AnnotationPaused = "platform.enterprise-operator.dev/paused"

	// AnnotationExternalID adopts an existing platform object by its id instead of
	// creating one. Once status.externalID is set it is only informational.
	AnnotationExternalID = "platform.enterprise-operator.dev/external-id"

	// AnnotationResyncInterval overrides the manager's default resync interval for one
	// object, as a Go duration ("30s", "10m"); the operator adds jitter.
	AnnotationResyncInterval = "platform.enterprise-operator.dev/resync-interval"

	// AnnotationResetPassword, on an EnterpriseUser, resets the user's password once per
	// distinct value (use a timestamp) and writes the temporary password to the user's
	// password Secret.
	AnnotationResetPassword = "platform.enterprise-operator.dev/reset-password"

	// AnnotationTestWebhook, on a Webhook, runs the platform's webhook test once per
	// distinct value and records the outcome in status.lastTest.
	AnnotationTestWebhook = "platform.enterprise-operator.dev/test"

	// AnnotationRecheckDomain, on a Domain, asks the platform to re-check the DNS
	// verification record once per distinct value.
	AnnotationRecheckDomain = "platform.enterprise-operator.dev/recheck"

	// AnnotationCreatePending is written by the operator, together with its finalizer,
	// just before it first asks the platform to create the object (the value is the
	// time, RFC 3339). It is how a deletion knows the platform may hold an object whose
	// create answer was lost: without it and without status.externalID, nothing of the
	// object ever reached the platform and the finalizer is released at once, whatever
	// its dependencies say. Crossplane's external-create-pending plays the same part.
	AnnotationCreatePending = "platform.enterprise-operator.dev/create-pending"

	// OwnerRecordLabel is the label of the reserved third-party identifier the operator
	// keeps on every enterprise it creates or adopts; its id is the owning Enterprise
	// object as "<namespace>/<name>". An Enterprise adopts a platform enterprise (by the
	// external-id annotation) only when this record names it, or when the enterprise
	// has no record and its PlatformConfig's spec.adoption grants its namespace. It is
	// never shown in spec, status.drift or compared as drift; spec may not use it.
	OwnerRecordLabel = "platform.enterprise-operator.dev/owner"

	// Finalizer keeps a platform-backed object until its platform object is deleted
	// (or orphaned, per deletionPolicy).
	Finalizer = "platform.enterprise-operator.dev/finalizer"
)
