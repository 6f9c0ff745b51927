package v1alpha1

// Annotations users put on platform-backed objects. Values are documented in the README
// and docs/api.md. The CRDs cannot check metadata, so the ValidatingAdmissionPolicy in
// config/policy refuses a value of these that the code below would ignore or misread;
// a change to how one is parsed needs the same change there (test/crd tests both).
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

// Labels users put on Secrets.
const (
	// LabelSecret, set to LabelSecretOptIn ("true") on a Secret, lets the operator read
	// it for any EnterpriseUser (spec.passwordSecretRef) or Webhook
	// (spec.signingSecretRef) in its namespace, and so send its value to the platform.
	// Without it the operator reads such a Secret only if it created the Secret for that
	// very object, and writes (a reset or generated password) only Secrets it created:
	// someone who may write EnterpriseUsers or Webhooks but not read Secrets cannot make
	// the operator ship an unrelated Secret (say db-credentials) to the platform. Only
	// Secrets with the label are watched (metadata only), so a labelled Secret that
	// appears, or gets the label, wakes the objects waiting for it.
	LabelSecret = "platform.enterprise-operator.dev/secret"

	// LabelSecretOptIn is the LabelSecret value that opts a Secret in.
	LabelSecretOptIn = "true"

	// LabelSecretGenerated is the LabelSecret value on the Secrets the operator creates
	// itself (an EnterpriseUser's generated password). It is not LabelSecretOptIn on
	// purpose: such a Secret belongs to the EnterpriseUser it was made for (its
	// ownerReference) and must not be readable or writable through any other object
	// that names it. The value only says where the Secret came from, so people can
	// find them (kubectl get secrets -l platform.enterprise-operator.dev/secret=generated).
	LabelSecretGenerated = "generated"
)
