package v1alpha1

// Condition types. Every platform-backed kind has Ready and Synced; some add their own.
const (
	// ConditionReady is True when the platform object exists, matches the spec and is
	// usable (for a Domain: verified). `kubectl wait --for=condition=Ready` waits on it.
	ConditionReady = "Ready"
	// ConditionSynced is True when the last reconcile reached the platform and applied
	// (or, with ObserveOnly, compared) the spec without error.
	ConditionSynced = "Synced"
	// ConditionStalled is True when reconciliation stopped because the user has to change
	// something (the platform rejected the spec, the credentials may not do it). It is
	// what kstatus (Flux) reads to report Failed (status.observedGeneration then names
	// the stalled generation, as Flux's own controllers do); it is removed once that clears.
	ConditionStalled = "Stalled"
	// ConditionReconciling is True while the object is on its way: a spec generation not
	// applied yet (being applied, retried or waiting), or Ready not True for a reason the
	// operator works through by itself (creating, waiting for a dependency, retrying,
	// waiting for DNS verification, deleting). It is absent once the generation is
	// applied and Ready, while Stalled, and while paused or resting in a verdict only a
	// person changes (ObserveOnly Drifted/NotFound, a Domain's VerificationFailed);
	// kstatus (Flux) reads it to report InProgress.
	ConditionReconciling = "Reconciling"
	// ConditionVerified (Domain) mirrors the platform's DNS verification state.
	ConditionVerified = "Verified"
	// ConditionSuspended (EnterpriseUser) is True while the user is suspended on the platform.
	ConditionSuspended = "Suspended"
)

// Condition reasons. They are part of the API: the README explains each, and Argo CD /
// kstatus health is computed from them.
const (
	// ReasonAvailable: the platform object exists and matches the spec.
	ReasonAvailable = "Available"
	// ReasonCreating: the platform object is being created.
	ReasonCreating = "Creating"
	// ReasonDeleting: the platform object is being deleted.
	ReasonDeleting = "Deleting"
	// ReasonReconcileSuccess: the last reconcile succeeded.
	ReasonReconcileSuccess = "ReconcileSuccess"
	// ReasonReconcileError: the last reconcile failed with an error that is retried with backoff.
	ReasonReconcileError = "ReconcileError"
	// ReasonInvalidSpec: the platform rejected the spec (4xx); nothing is retried until
	// the spec or a referenced Secret changes. The message carries the platform's words
	// and its requestId.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonForbidden: the credentials may not do this (403), e.g. an unmanaged company.
	ReasonForbidden = "Forbidden"
	// ReasonUnauthorized: the platform refused the credentials (401).
	ReasonUnauthorized = "Unauthorized"
	// ReasonRateLimited: the platform answered 429; the operator waits as told.
	ReasonRateLimited = "RateLimited"
	// ReasonWaitingForDependency: a referenced object is missing or not Ready yet.
	ReasonWaitingForDependency = "WaitingForDependency"
	// ReasonNewGeneration (Reconciling only): the spec changed and the operator has not
	// reached a verdict on the new generation yet.
	ReasonNewGeneration = "NewGeneration"
	// ReasonPaused: the paused annotation is set; no platform call is made.
	ReasonPaused = "Paused"
	// ReasonObserveOnly: managementPolicy is ObserveOnly and the platform matches the spec.
	ReasonObserveOnly = "ObserveOnly"
	// ReasonDrifted: managementPolicy is ObserveOnly and the platform differs from the spec.
	ReasonDrifted = "Drifted"
	// ReasonNotFound: with ObserveOnly, no platform object matches.
	ReasonNotFound = "NotFound"
	// ReasonDeletionBlocked: deletion cannot finish; the message says what blocks it.
	ReasonDeletionBlocked = "DeletionBlocked"
	// ReasonVerificationPending: the Domain's DNS record has not been found yet.
	ReasonVerificationPending = "VerificationPending"
	// ReasonVerified: the Domain is verified.
	ReasonVerified = "Verified"
	// ReasonVerificationFailed: the platform gave up verifying the Domain.
	ReasonVerificationFailed = "VerificationFailed"
	// ReasonUserSuspended / ReasonUserActive: the EnterpriseUser's platform state.
	ReasonUserSuspended = "UserSuspended"
	ReasonUserActive    = "UserActive"
	// ReasonCredentialsValid / ReasonCredentialsInvalid: PlatformConfig's credential check.
	ReasonCredentialsValid   = "CredentialsValid"
	ReasonCredentialsInvalid = "CredentialsInvalid"
	// ReasonSecretNotFound: a referenced Secret or key is missing.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonAlreadyManaged: another object of the same kind in the same enterprise
	// already manages the platform object this one would bind (the same id, or the same
	// natural key); this object never writes to it and its deletion never deletes it.
	// The message names the holder when it is in the same namespace.
	ReasonAlreadyManaged = "AlreadyManaged"
	// ReasonAdoptionDenied: an Enterprise may not adopt the platform enterprise its
	// external-id annotation names: it does not exist, its owner record names another
	// object, or it has none and the PlatformConfig's spec.adoption does not grant this
	// namespace. The message says nothing about that enterprise.
	ReasonAdoptionDenied = "AdoptionDenied"
	// ReasonSecretNotAllowed: the operator may not use a referenced Secret. It reads a
	// password or signing Secret only if it created the Secret for this very object or
	// the Secret carries the label platform.enterprise-operator.dev/secret=true, and it
	// writes only Secrets it created. The message names the Secret and what to do;
	// labelling the Secret (or pointing the reference elsewhere) resumes the object.
	ReasonSecretNotAllowed = "SecretNotAllowed"
	// ReasonPlatformUnavailable: the platform could not be reached or answered 5xx.
	ReasonPlatformUnavailable = "PlatformUnavailable"
	// ReasonForbiddenAddress: the operator refused to connect because the PlatformConfig's
	// baseURL or tokenURL led to a link-local or cloud metadata address (after DNS
	// resolution or a redirect); the message names the address. Nothing is retried
	// until the PlatformConfig or a Secret changes.
	ReasonForbiddenAddress = "ForbiddenAddress"
)
