package managed

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"enterprise-operator/api/v1alpha1"
)

// role is the kind the reconciler's unit tests run on: a real one, so the fakes need
// no test type of their own.
type role = *v1alpha1.EnterpriseRole

// fakePlatform is one platform object as the tests script it. Its Connector and
// External answer with the scripted results and record each call in calls, where the
// Kubernetes writes (interceptor) land too, so a test reads in one list what was asked
// of the platform and what was written to Kubernetes, in order.
type fakePlatform struct {
	connectErr error
	observe    Observation
	observeErr error
	create     Observation
	createErr  error
	update     Observation
	updateErr  error
	deleteErr  error

	// gated makes the Connector a DeletionGate whose BeforeDelete returns gateErr.
	gated   bool
	gateErr error
	// preparer makes the External a CreatePreparer whose PrepareCreate returns prepareErr.
	preparer   bool
	prepareErr error
	// actor makes the External an Actor whose Act returns the observation it was given
	// with Acted set to acted, and actErr.
	actor  bool
	acted  *Action
	actErr error

	calls []string
}

func (p *fakePlatform) record(format string, args ...any) {
	p.calls = append(p.calls, fmt.Sprintf(format, args...))
}

// connector returns the Connector the script asks for: the optional interfaces are
// found by type assertion, so only a script that wants one gets it.
func (p *fakePlatform) connector() Connector[role] {
	c := &fakeConnector{p: p}
	if p.gated {
		return &gatedConnector{c}
	}
	return c
}

// writes records the Kubernetes writes in calls; reads pass through.
func (p *fakePlatform) writes() interceptor.Funcs {
	return interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			p.record("kube: create")
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			p.record("kube: update")
			return c.Update(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			p.record("kube: patch")
			return c.Patch(ctx, obj, patch, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			p.record("kube: delete")
			return c.Delete(ctx, obj, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			p.record("kube: update %s", sub)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			p.record("kube: patch %s", sub)
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	}
}

type fakeConnector struct{ p *fakePlatform }

func (c *fakeConnector) Connect(context.Context, role) (External[role], error) {
	c.p.record("Connect")
	if c.p.connectErr != nil {
		return nil, c.p.connectErr
	}
	x := &fakeExternal{p: c.p}
	switch {
	case c.p.actor:
		return &actingExternal{x}, nil
	case c.p.preparer:
		return &preparingExternal{x}, nil
	}
	return x, nil
}

type gatedConnector struct{ *fakeConnector }

func (c *gatedConnector) BeforeDelete(context.Context, role) error {
	c.p.record("BeforeDelete")
	return c.p.gateErr
}

type fakeExternal struct{ p *fakePlatform }

func (x *fakeExternal) Observe(context.Context, role) (Observation, error) {
	x.p.record("Observe")
	return x.p.observe, x.p.observeErr
}

func (x *fakeExternal) Create(context.Context, role) (Observation, error) {
	x.p.record("Create")
	return x.p.create, x.p.createErr
}

// Update records the drift it was asked to correct.
func (x *fakeExternal) Update(_ context.Context, _ role, current Observation) (Observation, error) {
	x.p.record("Update %v", current.Drift)
	return x.p.update, x.p.updateErr
}

// Delete records the id the object was bound to when the delete was sent.
func (x *fakeExternal) Delete(_ context.Context, obj role) error {
	x.p.record("Delete %s", obj.Status.ExternalID)
	return x.p.deleteErr
}

type actingExternal struct{ *fakeExternal }

func (x *actingExternal) Act(_ context.Context, _ role, current Observation) (Observation, error) {
	x.p.record("Act")
	current.Acted = x.p.acted
	return current, x.p.actErr
}

type preparingExternal struct{ *fakeExternal }

func (x *preparingExternal) PrepareCreate(context.Context, role) error {
	x.p.record("PrepareCreate")
	return x.p.prepareErr
}

var (
	_ Connector[role]      = &fakeConnector{}
	_ DeletionGate[role]   = &gatedConnector{}
	_ External[role]       = &fakeExternal{}
	_ Actor[role]          = &actingExternal{}
	_ CreatePreparer[role] = &preparingExternal{}
)

// eventLog records events as "type reason action: note".
type eventLog struct{ events []string }

func (l *eventLog) Eventf(_, _ runtime.Object, eventType, reason, action, note string, args ...any) {
	l.events = append(l.events, fmt.Sprintf("%s %s %s: %s", eventType, reason, action, fmt.Sprintf(note, args...)))
}
