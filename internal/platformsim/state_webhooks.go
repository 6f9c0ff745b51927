package platformsim

import "time"

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
	return createIn(s, sc, entID, webhooksIn, func(*Enterprise) *apiError {
		if in.URL == nil {
			return errInvalid("url", "url is required")
		}
		return checkURL(*in.URL)
	}, func(_ *Enterprise, id string, seq uint64, now time.Time) *Webhook {
		w := &Webhook{ID: id, URL: *in.URL, Events: []string{}, Active: true, CreatedAt: now, UpdatedAt: now, seq: seq}
		in.apply(w)
		if w.SigningSecret == "" {
			w.SigningSecret = s.randomSecret(32)
		}
		return w
	})
}

func (s *store) updateWebhook(sc scope, entID, webhookID string, in WebhookInput, checkURL func(string) *apiError) (*Webhook, *apiError) {
	return updateIn(s, sc, entID, webhookID, webhooksIn, func(_ *Enterprise, w *Webhook) *apiError {
		if in.URL != nil {
			if err := checkURL(*in.URL); err != nil {
				return err
			}
			w.URL = *in.URL
		}
		in.apply(w)
		return nil
	})
}

func (s *store) recordWebhookTest(sc scope, entID, webhookID string, res WebhookTestResult) {
	_, _ = inChild(s, sc, entID, webhookID, webhooksIn, func(_ *Enterprise, w *Webhook) *apiError {
		w.LastTest = &res
		return nil
	})
}
