package controller

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"enterprise-operator/api/v1alpha1"
	"enterprise-operator/internal/controller/managed"
	"enterprise-operator/internal/controller/snapshot"
	"enterprise-operator/internal/platform"
)

// defaultSecretKey is the key used when a SecretKeyReference leaves it empty.
const defaultSecretKey = "password"

const (
	msgSuspended           = "the user is suspended on the platform"
	msgActive              = "the user is active on the platform"
	msgResetNeedsSecretRef = "the " + v1alpha1.AnnotationResetPassword + " annotation needs spec.passwordSecretRef: the temporary password is written only to a Secret"
	// EventPasswordReset is recorded (without the password) when a reset was handled.
	EventPasswordReset = "PasswordReset"
	// msgPasswordReset names where the temporary password went, never the password.
	msgPasswordReset = "reset the password on the platform; the temporary password is in Secret %s, key %s"
)

// userExternal maps an EnterpriseUser; its natural key is the email (or the username
// for users without one).
type userExternal struct {
	parent
	deps    *deps
	roleIDs []string
	// platformUsername is the username Observe found, for the message when it differs.
	platformUsername string
	// password is the initial password PrepareCreate read; it lives only as long as
	// this reconcile.
	password string
}

func newUserExternal(d *deps, p parent) managed.External[*v1alpha1.EnterpriseUser] {
	return &userExternal{parent: p, deps: d}
}

// resolveRoles turns roleRefs into platform role ids, waiting for roles not yet created.
func (x *userExternal) resolveRoles(ctx context.Context, u *v1alpha1.EnterpriseUser) error {
	x.roleIDs = make([]string, 0, len(u.Spec.RoleRefs))
	for _, ref := range u.Spec.RoleRefs {
		r := &v1alpha1.EnterpriseRole{}
		err := x.deps.kube.Get(ctx, types.NamespacedName{Namespace: u.Namespace, Name: ref.Name}, r)
		if apierrors.IsNotFound(err) {
			return managed.WaitingForDependency("EnterpriseRole", ref.Name, "to exist")
		}
		if err != nil {
			return err
		}
		if r.Status.ExternalID == "" {
			return managed.WaitingForReady("EnterpriseRole", ref.Name, managed.NotReadyCause(r.Status.Conditions))
		}
		x.roleIDs = append(x.roleIDs, r.Status.ExternalID)
	}
	return nil
}

func (x *userExternal) Observe(ctx context.Context, u *v1alpha1.EnterpriseUser) (managed.Observation, error) {
	// A deletion only looks the user up: its roles may be gone, and must not keep it.
	if u.DeletionTimestamp.IsZero() {
		if err := x.resolveRoles(ctx, u); err != nil {
			return managed.Observation{}, err
		}
	}
	got, err := x.view(u).observe(ctx, u, userKey(u), func(p platform.User) bool { return sameUser(u, p) })
	if err != nil || got == nil {
		return managed.Observation{}, err
	}
	id := got.ID
	x.recordState(u, got.Status)
	x.platformUsername = got.Username
	drift := userDrift(u, got, x.roleIDs)
	return managed.Observation{Exists: true, ExternalID: id, UpToDate: len(drift) == 0, Drift: drift}, nil
}

// view binds the users' list snapshot to u; a direct lookup searches by u's natural key.
func (x *userExternal) view(u *v1alpha1.EnterpriseUser) view[platform.User] {
	ent, c := x.enterpriseID, x.platform
	search := u.Spec.Email
	if search == "" {
		search = u.Spec.Username
	}
	return newView(x.deps, &x.parent, x.deps.views.users, u, snapshot.Source[platform.User]{
		List: func(ctx context.Context) ([]platform.User, error) {
			return c.ListUsers(ctx, ent, platform.UserFilter{})
		},
		Get: func(ctx context.Context, id string) (*platform.User, error) {
			return notFoundIsNil(c.GetUser(ctx, ent, id))
		},
		Search: func(ctx context.Context) ([]platform.User, error) {
			return c.ListUsers(ctx, ent, platform.UserFilter{Search: search})
		},
	})
}

func sameUser(u *v1alpha1.EnterpriseUser, p platform.User) bool {
	if u.Spec.Email != "" {
		return strings.EqualFold(p.Email, u.Spec.Email)
	}
	return p.Username == u.Spec.Username
}

func userDrift(u *v1alpha1.EnterpriseUser, got *platform.User, roleIDs []string) []string {
	var drift []string
	s := u.Spec
	for _, f := range []struct {
		name       string
		want, have string
	}{
		{"username", s.Username, got.Username}, {"email", s.Email, got.Email}, {"firstName", s.FirstName, got.FirstName}, {"lastName", s.LastName, got.LastName},
		{"phone", s.Phone, got.Phone}, {"mobile", s.Mobile, got.Mobile}, {"title", s.Title, got.Title},
		{"department", s.Department, got.Department},
	} {
		if f.want != f.have {
			drift = append(drift, f.name)
		}
	}
	if !sameSet(roleIDs, got.RoleIDs) {
		drift = append(drift, "roleRefs")
	}
	if s.Suspended != (got.Status == platform.UserStatusSuspended) {
		drift = append(drift, "suspended")
	}
	return drift
}

func (x *userExternal) recordState(u *v1alpha1.EnterpriseUser, s platform.UserStatus) {
	u.Status.State = string(s)
	if s == platform.UserStatusSuspended {
		managed.SetCondition(&u.Status.Conditions, u.Generation, v1alpha1.ConditionSuspended, metav1.ConditionTrue, v1alpha1.ReasonUserSuspended, msgSuspended)
	} else {
		managed.SetCondition(&u.Status.Conditions, u.Generation, v1alpha1.ConditionSuspended, metav1.ConditionFalse, v1alpha1.ReasonUserActive, msgActive)
	}
}

// PrepareCreate reads (or generates and stores) the initial password before the create
// is marked pending: a refused or missing Secret means nothing reached the platform.
func (x *userExternal) PrepareCreate(ctx context.Context, u *v1alpha1.EnterpriseUser) error {
	p, err := x.initialPassword(ctx, u)
	if err != nil {
		return x.view(u).confirmAbsence(u, err)
	}
	x.password = p
	return nil
}

func (x *userExternal) Create(ctx context.Context, u *v1alpha1.EnterpriseUser) (managed.Observation, error) {
	if x.password == "" {
		if err := x.PrepareCreate(ctx, u); err != nil {
			return managed.Observation{}, err
		}
	}
	s := u.Spec
	got, err := x.platform.CreateUser(ctx, x.enterpriseID, platform.UserCreate{
		Username: s.Username, Password: x.password, Email: s.Email, FirstName: s.FirstName, LastName: s.LastName,
		Phone: s.Phone, Mobile: s.Mobile, Title: s.Title, Department: s.Department, RoleIDs: nonNil(x.roleIDs),
	})
	v := x.view(u)
	if err := v.created(got, err, "user", userKey(u)); err != nil {
		return managed.Observation{}, err
	}
	obs := managed.Observation{Exists: true, ExternalID: got.ID, UpToDate: true}
	if s.Suspended {
		id := got.ID
		got, err = x.platform.SuspendUser(ctx, x.enterpriseID, id)
		v.wrote(id, got, err)
		if err != nil {
			// The user exists: report it so its id is recorded, and retry the rest.
			return obs, err
		}
	}
	x.recordState(u, got.Status)
	return obs, nil
}

// msgUsernameDiffers: the platform has no way to rename a user (updateEnterpriseUser
// takes no username), so the operator cannot bring it in line and says so instead of
// rewriting the rest of a profile that may be someone else's.
const msgUsernameDiffers = "the platform user %s has username %q, not spec.username %q, and the platform cannot rename a user: " +
	"set spec.username to the platform's, or point this object at another user"

func (x *userExternal) Update(ctx context.Context, u *v1alpha1.EnterpriseUser, cur managed.Observation) (managed.Observation, error) {
	s := u.Spec
	profileDrift := false
	for _, d := range cur.Drift {
		if d == "username" {
			u.Status.Drift = cur.Drift
			return managed.Observation{}, managed.Stalling(v1alpha1.ReasonInvalidSpec, msgUsernameDiffers, cur.ExternalID, x.platformUsername, s.Username)
		}
		if d != "suspended" {
			profileDrift = true
		}
	}
	var got *platform.User
	var err error
	if profileDrift {
		got, err = x.platform.UpdateUser(ctx, x.enterpriseID, cur.ExternalID, platform.UserUpdate{
			Email: s.Email, FirstName: s.FirstName, LastName: s.LastName, Phone: s.Phone, Mobile: s.Mobile,
			Title: s.Title, Department: s.Department, RoleIDs: nonNil(x.roleIDs),
		})
		x.view(u).wrote(cur.ExternalID, got, err)
		if err != nil {
			return managed.Observation{}, err
		}
	}
	if got == nil || s.Suspended != (got.Status == platform.UserStatusSuspended) {
		if s.Suspended {
			got, err = x.platform.SuspendUser(ctx, x.enterpriseID, cur.ExternalID)
		} else {
			got, err = x.platform.ActivateUser(ctx, x.enterpriseID, cur.ExternalID)
		}
		x.view(u).wrote(cur.ExternalID, got, err)
		if err != nil {
			return managed.Observation{}, err
		}
	}
	x.recordState(u, got.Status)
	return managed.Observation{Exists: true, ExternalID: cur.ExternalID, UpToDate: true}, nil
}

func (x *userExternal) Delete(ctx context.Context, u *v1alpha1.EnterpriseUser) error {
	err := x.platform.DeleteUser(ctx, x.enterpriseID, u.Status.ExternalID)
	x.view(u).deleted(u.Status.ExternalID, err)
	return ignorePlatformNotFound(err)
}

// Act resets the password once per distinct value of the reset-password annotation and
// writes the temporary password to the user's Secret, never to status, events or logs.
func (x *userExternal) Act(ctx context.Context, u *v1alpha1.EnterpriseUser, cur managed.Observation) (managed.Observation, error) {
	v := u.Annotations[v1alpha1.AnnotationResetPassword]
	if v == "" || v == u.Status.LastPasswordReset {
		return cur, nil
	}
	if u.Spec.PasswordSecretRef == nil {
		return cur, managed.Stalling(v1alpha1.ReasonInvalidSpec, msgResetNeedsSecretRef)
	}
	// Refused before the platform resets anything: a temporary password the operator
	// may not store would be lost, and the user locked out of the old one.
	if err := x.passwordWritable(ctx, u, whyReset); err != nil {
		return cur, err
	}
	temp, err := x.platform.ResetUserPassword(ctx, x.enterpriseID, cur.ExternalID)
	if err != nil {
		return cur, err
	}
	if err := x.writePassword(ctx, u, temp, whyReset); err != nil {
		return cur, err
	}
	u.Status.LastPasswordReset = v
	cur.Acted = &managed.Action{Reason: EventPasswordReset, Action: "ResetPassword",
		Note: fmt.Sprintf(msgPasswordReset, u.Spec.PasswordSecretRef.Name, secretKey(u.Spec.PasswordSecretRef))}
	return cur, nil
}

// initialPassword is the password to create the user with: the referenced Secret's, or
// a generated one written to that Secret first (so it is never lost). Without a Secret
// the platform still requires a password (createEnterpriseUser has no invitation
// mode), so a random one is generated and kept nowhere: the user sets their own through
// the platform's password reset. An existing Secret is used only if the operator may
// read it (secretUse.mayRead), and completed with a generated password only if the
// operator created it.
func (x *userExternal) initialPassword(ctx context.Context, u *v1alpha1.EnterpriseUser) (string, error) {
	ref := u.Spec.PasswordSecretRef
	if ref == nil {
		return generatePassword()
	}
	s, err := getSecret(ctx, x.deps.secrets, u.Namespace, ref.Name)
	if err != nil {
		return "", err
	}
	if s != nil {
		use := passwordSecretUse(u)
		if err := use.mayRead(s); err != nil {
			return "", err
		}
		if p := s.Data[secretKey(ref)]; len(p) > 0 {
			return string(p), nil
		}
		if err := use.mayWrite(s, fmt.Sprintf(whyGenerated, secretKey(ref))); err != nil {
			return "", err
		}
	}
	p, err := generatePassword()
	if err != nil {
		return "", err
	}
	return p, x.writePassword(ctx, u, p, fmt.Sprintf(whyGenerated, secretKey(ref)))
}

func secretKey(ref *v1alpha1.SecretKeyReference) string {
	if ref.Key == "" {
		return defaultSecretKey
	}
	return ref.Key
}

// What a password write is for, in the message when the Secret may not be written.
const (
	whyReset     = "the " + v1alpha1.AnnotationResetPassword + " annotation writes the temporary password there; nothing was reset"
	whyGenerated = "it has no key %q, so a generated initial password would be written there"
)

// passwordWritable reports (as a stalling error) a password Secret that exists and
// that the operator may not write; a missing one is fine, writePassword creates it.
func (x *userExternal) passwordWritable(ctx context.Context, u *v1alpha1.EnterpriseUser, why string) error {
	s, err := getSecret(ctx, x.deps.secrets, u.Namespace, u.Spec.PasswordSecretRef.Name)
	if err != nil || s == nil {
		return err
	}
	return passwordSecretUse(u).mayWrite(s, why)
}

// writePassword stores a password in the user's Secret: it creates the Secret, owned by
// the EnterpriseUser, when it does not exist, and otherwise writes only a Secret it
// created for this EnterpriseUser. why says what the write is for.
func (x *userExternal) writePassword(ctx context.Context, u *v1alpha1.EnterpriseUser, password, why string) error {
	ref := u.Spec.PasswordSecretRef
	s, err := getSecret(ctx, x.deps.secrets, u.Namespace, ref.Name)
	if err != nil {
		return err
	}
	if s == nil {
		s = &corev1.Secret{
			// Labelled "generated", not "true": the Secret belongs to this EnterpriseUser
			// alone (its ownerReference), and no other object naming it may read it.
			ObjectMeta: metav1.ObjectMeta{Namespace: u.Namespace, Name: ref.Name,
				Labels: map[string]string{v1alpha1.LabelSecret: v1alpha1.LabelSecretGenerated}},
			Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{secretKey(ref): []byte(password)},
		}
		if err := controllerutil.SetOwnerReference(u, s, x.deps.kube.Scheme()); err != nil {
			return err
		}
		return x.deps.kube.Create(ctx, s)
	}
	if err := passwordSecretUse(u).mayWrite(s, why); err != nil {
		return err
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	s.Data[secretKey(ref)] = []byte(password)
	return x.deps.kube.Update(ctx, s)
}

// passwordAlphabet avoids look-alike characters; generated passwords always contain a
// lower-case letter, an upper-case letter, a digit and a symbol.
const (
	passwordLength = 24
	pwLower        = "abcdefghijkmnopqrstuvwxyz"
	pwUpper        = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	pwDigits       = "23456789"
	pwSymbols      = "!#%+-=?@_"
)

func generatePassword() (string, error) {
	all := pwLower + pwUpper + pwDigits + pwSymbols
	b := make([]byte, 0, passwordLength)
	for _, set := range []string{pwLower, pwUpper, pwDigits, pwSymbols} {
		c, err := pick(set)
		if err != nil {
			return "", err
		}
		b = append(b, c)
	}
	for len(b) < passwordLength {
		c, err := pick(all)
		if err != nil {
			return "", err
		}
		b = append(b, c)
	}
	// Shuffle so the guaranteed classes are not always first.
	for i := len(b) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		b[i], b[j.Int64()] = b[j.Int64()], b[i]
	}
	return string(b), nil
}

func pick(set string) (byte, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, err
	}
	return set[n.Int64()], nil
}
