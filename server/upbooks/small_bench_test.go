package upbooks_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store/storetest"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// BenchmarkSmallRequests sends issue 13's small requests (GetOrganizationDetail, and a dry run with
// all 46 flags false on an empty organization) one at a time over loopback HTTP through the whole
// server, for profiling the per-request path (-cpuprofile); the ratios against a bare Echo handler
// are scripts/bench's (make bench). Run: go test -run '^$' -bench SmallRequests ./server/upbooks/
func BenchmarkSmallRequests(b *testing.B) {
	for _, backend := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		b.Run(string(backend), func(b *testing.B) {
			db := storetest.DB(b, backend)
			env := servertest.Start(b, db)
			owner, org := storetest.Tenant(b, db, "small@example.com")
			token := "Bearer " + env.Token(b, owner, org.ID)
			flags := map[string]bool{}
			for _, n := range upbooksstore.CategoryNames() {
				flags[n] = false
			}
			body, _ := json.Marshal(flags)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			send := func(b *testing.B, method, url string, body []byte) {
				req, _ := http.NewRequest(method, url, bytes.NewReader(body))
				req.Header.Set("Authorization", token)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
				}
			}
			b.Run("GetOrganizationDetail", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					send(b, http.MethodGet, env.URL+"/api/v1/organization/"+org.ID, nil)
				}
			})
			b.Run("dryRun", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					send(b, http.MethodDelete, env.URL+"/api/v1/organization/"+org.ID+"/selective?dryRun=true", body)
				}
			})
		})
	}
}
