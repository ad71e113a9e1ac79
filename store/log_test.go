package store_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store"
	"github.com/deletesvc/deletesvc/store/identity"
	"github.com/deletesvc/deletesvc/store/storetest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Slow statements are logged without the values bound to them: no email, no password hash
// (issue 10, defect 12).
func TestSlowQueryLogsCarryNoValues(t *testing.T) {
	t.Parallel()
	for _, b := range storetest.Backends {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			db, err := store.Open(context.Background(), storetest.URL(t, b), store.Options{
				Logger:    slog.New(slog.NewJSONHandler(&out, nil)),
				SlowQuery: time.Nanosecond, // every statement is "slow", so every one is logged
			})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ids := identity.New(db, identity.Options{BcryptCost: 4})
			u, err := ids.CreateUser(context.Background(), identity.NewUser{Email: "secret.person@example.com", Name: "Secret Person", Password: "hunter2hunter2"})
			if err != nil {
				t.Fatal(err)
			}
			logs := out.String()
			if !strings.Contains(logs, "INSERT INTO") {
				t.Fatalf("the insert was not logged, so the test proves nothing:\n%s", logs)
			}
			for _, secret := range []string{"secret.person@example.com", u.PasswordHash, "Secret Person"} {
				if strings.Contains(logs, secret) {
					t.Errorf("the log carries %q:\n%s", secret, logs)
				}
			}
		})
	}
}
