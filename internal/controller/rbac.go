package controller

// RBAC: every rule is one call the manager makes, and nothing else (test/rbac records
// the requests of a representative run and fails on a call without a rule and on a rule
// without a call; docs/security.md maps each rule to its call). The leader-election
// Role is config/rbac/leader_election_role.yaml.
//
// The operator's kinds, Namespaces (namespaceSelector, adoption) and Secret metadata are
// read through the informer cache, which only lists and watches: nothing gets them one
// by one. Finalizers, the create-pending mark and status are merge patches; none of
// them is ever updated whole. No ownerReference the operator sets blocks its owner's
// deletion, so no <kind>/finalizers rule is needed even where the
// OwnerReferencesPermissionEnforcement admission plugin is on.
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=enterprises;enterpriseusers;usergroups;domains;webhooks;enterpriseroles,verbs=list;watch;patch
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=enterprises/status;enterpriseusers/status;usergroups/status;domains/status;webhooks/status;enterpriseroles/status,verbs=patch
//
// An Enterprise being deleted deletes its children first (enterpriseConnector.BeforeDelete);
// nothing else deletes a Kubernetes object.
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=enterpriseusers;usergroups;domains;webhooks;enterpriseroles,verbs=delete
//
// Secrets: their data is read one by one from the API server, never cached (get); their
// metadata, only of labelled Secrets, is watched (list, watch); a generated password
// is stored in a Secret the operator creates (create) and a reset one in the same
// Secret (update). RBAC cannot express "only labelled" or "only its own": secretUse
// checks that in code. No delete: a generated Secret goes with its owner.
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=list;watch
//
// Events go through the events.k8s.io API (mgr.GetEventRecorder); a repeated event is
// patched into a series.
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
//
// PlatformConfig is cluster-scoped, and its rules are the only ones that must be
// cluster-wide besides Namespaces: read through the cache, its finalizer and status
// patched.
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=platformconfigs,verbs=list;watch;patch
// +kubebuilder:rbac:groups=platform.enterprise-operator.dev,resources=platformconfigs/status,verbs=patch
