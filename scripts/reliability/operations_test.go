package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deletesvc/deletesvc/store/demo"
	"github.com/deletesvc/deletesvc/store/storetest"
)

// operationView is what the suite reads of an operation.
type operationView struct {
	ID       string `json:"_id"`
	State    string `json:"state"`
	Progress struct {
		Steps     int `json:"steps"`
		StepsDone int `json:"stepsDone"`
	} `json:"progress"`
	Result *struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"result"`
}

// TestKill9DuringBackgroundDelete sends the large delete of TestKill9DuringSelectiveDelete with
// Prefer: respond-async, and kills the service with SIGKILL while the operation runs, at several
// points. After the restart the operation must be reported failed (its run interrupted) with every
// table as it was, or succeeded with what the dry run said gone; never running for good, never in
// between. Then the call is sent again, once, and must succeed: the retry is one call.
func TestKill9DuringBackgroundDelete(t *testing.T) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(backend), func(t *testing.T) {
			start := time.Now()
			ctx := context.Background()
			url := storetest.URL(t, backend)
			svc, seed := killableService(t, url)
			fails := &failures{t: t}
			attempts := 0
			outcomes := map[string]int{}

			// run sends the delete in the background and waits until it runs; kill (when > 0) is how
			// long after that the service is killed. It returns how long the run took (no kill).
			run := func(name string, kill time.Duration) time.Duration {
				attempts++
				token := svc.demoToken()
				before := dataCounts(t, url)
				dry := selectiveDelete(t, svc.base, token, true, "")
				removed := 0
				for _, m := range []map[string]int{dry.Deleted, dry.Forced} {
					for _, n := range m {
						removed += n
					}
				}
				id := acceptDelete(t, svc.base, token)
				t0 := time.Now()
				for op := getOperation(t, svc.base, token, id); op.State == "queued"; op = getOperation(t, svc.base, token, id) {
					if time.Since(t0) > time.Minute {
						t.Fatalf("%s: still queued after a minute", name)
					}
					time.Sleep(2 * time.Millisecond)
				}
				running := time.Now()
				if kill == 0 {
					op := waitFinal(t, svc.base, token, id, 10*time.Minute)
					if op.State != "succeeded" {
						t.Fatalf("%s: %s %+v", name, op.State, op.Result)
					}
					return time.Since(running)
				}
				time.Sleep(kill)
				svc.kill9()
				svc.start()
				token = svc.demoToken()
				// On PostgreSQL the killed run's session ends when the database notices (after its
				// current statement); until then the operation is still held.
				op := waitFinal(t, svc.base, token, id, 2*time.Minute)
				after := dataCounts(t, url)
				lost := 0
				for table, n := range before {
					lost += n - after[table]
				}
				switch {
				case op.State == "failed" && op.Result != nil && op.Result.Status == http.StatusServiceUnavailable && lost == 0:
					outcomes["failed, all there (rolled back)"]++
				case op.State == "succeeded" && lost == removed-1: // the activity entry it wrote
					outcomes["succeeded, all gone (committed before the kill)"]++
				default:
					fails.add("%s: operation %s (%+v) with %d rows lost, the dry run said %d", name, op.State, op.Result, lost, removed)
				}
				if out, err := svc.run(ctx, "check-integrity"); err != nil {
					fails.add("%s: check-integrity: %v\n%s", name, err, out)
				}
				if op.State == "failed" {
					// The retry is one call.
					retry := waitFinal(t, svc.base, token, acceptDelete(t, svc.base, token), 10*time.Minute)
					final := counts(t, url)
					if retry.State != "succeeded" || final["ub_activity_logs"] != before["ub_activity_logs"]+1 {
						fails.add("%s: the retry %s (%+v), %d activity entries (want %d)", name, retry.State, retry.Result, final["ub_activity_logs"], before["ub_activity_logs"]+1)
					}
				}
				t.Logf("%s: operation %s after the kill", name, op.State)
				return 0
			}

			whole := run("whole background delete (no kill)", 0)
			for i, f := range []float64{0.1, 0.4, 0.7} {
				seed()
				run(fmt.Sprintf("kill %d at %v", i+1, time.Duration(f*float64(whole)).Round(time.Millisecond)), time.Duration(f*float64(whole)))
			}
			t.Logf("outcomes: %v", outcomes)
			if outcomes["failed, all there (rolled back)"] == 0 {
				fails.add("no kill landed inside a run: the seed is too small for this machine")
			}
			figures(t, "kill -9 during a background delete", string(backend), attempts, fails.count(), time.Since(start))
		})
	}
}

// acceptDelete sends the suite's large delete with Prefer: respond-async and returns the
// operation's id.
func acceptDelete(t *testing.T, base, token string) string {
	t.Helper()
	req := selectiveDeleteRequest(t, base, token, false)
	req.Header.Set("Prefer", "respond-async")
	op, resp := sendForOperation(t, req, http.StatusAccepted)
	if !strings.HasSuffix(resp.Header.Get("Location"), "/operations/"+op.ID) {
		t.Fatalf("background delete: Location %q for operation %s", resp.Header.Get("Location"), op.ID)
	}
	return op.ID
}

func getOperation(t *testing.T, base, token, id string) operationView {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/organization/%s/operations/%s", base, demo.OrganizationID, id), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	op, _ := sendForOperation(t, req, http.StatusOK)
	return op
}

// sendForOperation sends req and reads the operation its answer (of status want) carries.
func sendForOperation(t *testing.T, req *http.Request, want int) (operationView, *http.Response) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out struct{ Data operationView }
	if resp.StatusCode != want || json.Unmarshal(raw, &out) != nil {
		t.Fatalf("%s %s: %d (want %d) %s", req.Method, req.URL.Path, resp.StatusCode, want, short(raw))
	}
	return out.Data, resp
}

// waitFinal polls the operation until it has ended, for at most limit.
func waitFinal(t *testing.T, base, token, id string, limit time.Duration) operationView {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		op := getOperation(t, base, token, id)
		if op.State != "queued" && op.State != "running" {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s still %s after %v", id, op.State, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
