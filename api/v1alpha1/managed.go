package v1alpha1

// Accessors the shared managed-resource reconciler uses, so it handles every
// platform-backed kind through one interface.

func (o *Enterprise) GetManagedSpec() *ManagedResourceSpec { return &o.Spec.ManagedResourceSpec }
func (o *Enterprise) GetManagedStatus() *ManagedResourceStatus {
	return &o.Status.ManagedResourceStatus
}

func (o *EnterpriseUser) GetManagedSpec() *ManagedResourceSpec { return &o.Spec.ManagedResourceSpec }
func (o *EnterpriseUser) GetManagedStatus() *ManagedResourceStatus {
	return &o.Status.ManagedResourceStatus
}

func (o *UserGroup) GetManagedSpec() *ManagedResourceSpec     { return &o.Spec.ManagedResourceSpec }
func (o *UserGroup) GetManagedStatus() *ManagedResourceStatus { return &o.Status.ManagedResourceStatus }

func (o *Domain) GetManagedSpec() *ManagedResourceSpec     { return &o.Spec.ManagedResourceSpec }
func (o *Domain) GetManagedStatus() *ManagedResourceStatus { return &o.Status.ManagedResourceStatus }

func (o *Webhook) GetManagedSpec() *ManagedResourceSpec     { return &o.Spec.ManagedResourceSpec }
func (o *Webhook) GetManagedStatus() *ManagedResourceStatus { return &o.Status.ManagedResourceStatus }

func (o *EnterpriseRole) GetManagedSpec() *ManagedResourceSpec { return &o.Spec.ManagedResourceSpec }
func (o *EnterpriseRole) GetManagedStatus() *ManagedResourceStatus {
	return &o.Status.ManagedResourceStatus
}

// GetEnterpriseRef returns the Enterprise a child kind belongs to.
func (o *EnterpriseUser) GetEnterpriseRef() LocalObjectReference { return o.Spec.EnterpriseRef }
func (o *UserGroup) GetEnterpriseRef() LocalObjectReference      { return o.Spec.EnterpriseRef }
func (o *Domain) GetEnterpriseRef() LocalObjectReference         { return o.Spec.EnterpriseRef }
func (o *Webhook) GetEnterpriseRef() LocalObjectReference        { return o.Spec.EnterpriseRef }
func (o *EnterpriseRole) GetEnterpriseRef() LocalObjectReference { return o.Spec.EnterpriseRef }
