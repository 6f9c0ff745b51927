package platformsim

// WebhookInput creates or changes a webhook; nil fields are left as they are on update.
type WebhookInput struct {
	URL           *string
	Events        *[]string
	Active        *bool
	Description   *string
	SigningSecret *string
}

// apply sets what the input gives besides the URL; an empty signing secret keeps
// the one there is.
func (in WebhookInput) apply(w *Webhook) {
	if in.Events != nil {
		w.Events = append([]string{}, (*in.Events)...)
	}
	setIf(&w.Active, in.Active)
	setIf(&w.Description, in.Description)
	if in.SigningSecret != nil && *in.SigningSecret != "" {
		w.SigningSecret = *in.SigningSecret
	}
}

func (s *store) listWebhooks(sc scope, entID string, w window) ([]*Webhook, int, *apiError) {
	return listIn(s, sc, entID, webhooksIn, nil, w)
}

// getWebhook returns a copy including the signing secret (callers must not expose it).
func (s *store) getWebhook(sc scope, entID, webhookID string) (*Webhook, *apiError) {
	return getIn(s, sc, entID, webhookID, webhooksIn)
}

func (s *store) deleteWebhook(sc scope, entID, webhookID string) *apiError {
	return deleteIn(s, sc, entID, webhookID, webhooksIn, nil)
}

func (s *store) createWebhook(sc scope, entID string, in WebhookInput, checkURL func(string) *apiError) (*Webhook, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.enterprise(sc, entID)
	if err != nil {
		return nil, err
	}
	if in.URL == nil {
		return nil, errInvalid("url", "url is required")
	}
	if err := checkURL(*in.URL); err != nil {
		return nil, err
	}
	id, seq, now := s.fresh()
	w := &Webhook{ID: id, URL: *in.URL, Events: []string{}, Active: true, CreatedAt: now, UpdatedAt: now, seq: seq}
	in.apply(w)
	if w.SigningSecret == "" {
		w.SigningSecret = s.randomSecret(32)
	}
	e.kids.webhooks.add(w)
	return w.copyOut(), nil
}

func (s *store) updateWebhook(sc scope, entID, webhookID string, in WebhookInput, checkURL func(string) *apiError) (*Webhook, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, w, err := childIn(s, sc, entID, webhookID, webhooksIn)
	if err != nil {
		return nil, err
	}
	if in.URL != nil {
		if err := checkURL(*in.URL); err != nil {
			return nil, err
		}
		w.URL = *in.URL
	}
	in.apply(w)
	w.UpdatedAt = s.now().UTC()
	return w.copyOut(), nil
}

func (s *store) recordWebhookTest(sc scope, entID, webhookID string, res WebhookTestResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, w, err := childIn(s, sc, entID, webhookID, webhooksIn); err == nil {
		w.LastTest = &res
	}
}
