package upbooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/deletesvc/deletesvc/server/servertest"
	"github.com/deletesvc/deletesvc/store/storetest"
	upbooksstore "github.com/deletesvc/deletesvc/store/upbooks"
)

// BenchmarkSmallRequests compares, side by side over HTTP from one client, requests per second of a
// bare Echo handler (a fixed JSON answer, no middleware) with GetOrganizationDetail and a dry run of
// DeleteSelectiveData with all 46 flags false on an empty organization: interleaved rounds of 300
// requests each, medians. The goal of issue 13 is a ratio of at least 0.7.
func BenchmarkSmallRequests(b *testing.B) {
	const perRound, rounds = 300, 7
	for _, backend := range storetest.Backends {
		b.Run(string(backend), func(b *testing.B) {
			db := storetest.DB(b, backend)
			env := servertest.Start(b, db)
			owner, org := storetest.Tenant(b, db, "small@example.com")
			token := "Bearer " + env.Token(b, owner, org.ID)
			e := echo.New()
			e.GET("/hello", func(c echo.Context) error {
				return c.JSON(http.StatusOK, map[string]string{"message": "hello"})
			})
			bare := httptest.NewServer(e)
			defer bare.Close()
			flags := map[string]bool{}
			for _, n := range upbooksstore.CategoryNames() {
				flags[n] = false
			}
			body, _ := json.Marshal(flags)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			do := func(method, url string, body []byte) {
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
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("%s %s: %d", method, url, resp.StatusCode)
				}
			}
			kinds := []struct {
				name string
				call func()
			}{
				{"bare Echo", func() { do(http.MethodGet, bare.URL+"/hello", nil) }},
				{"GetOrganizationDetail", func() { do(http.MethodGet, env.URL+"/api/v1/organization/"+org.ID, nil) }},
				{"dryRun, 46 flags false", func() {
					do(http.MethodDelete, env.URL+"/api/v1/organization/"+org.ID+"/selective?dryRun=true", body)
				}},
			}
			for _, k := range kinds { // warm up connections and caches
				for range 50 {
					k.call()
				}
			}
			for b.Loop() {
				samples := map[string][]float64{}
				for round := range rounds {
					for i := range kinds {
						k := kinds[(i+round)%len(kinds)]
						start := time.Now()
						for range perRound {
							k.call()
						}
						samples[k.name] = append(samples[k.name], perRound/time.Since(start).Seconds())
					}
				}
				med := func(name string) float64 {
					xs := samples[name]
					slices.Sort(xs)
					return xs[len(xs)/2]
				}
				fmt.Printf("\n%s: requests/s, one client, median of %d interleaved rounds of %d\n| request | req/s | ratio to bare Echo |\n|---|--:|--:|\n", backend, rounds, perRound)
				for _, k := range kinds {
					fmt.Printf("| %s | %.0f | %.2fx |\n", k.name, med(k.name), med(k.name)/med("bare Echo"))
				}
				b.ReportMetric(med("GetOrganizationDetail")/med("bare Echo"), "detail/bare")
				b.ReportMetric(med("dryRun, 46 flags false")/med("bare Echo"), "dryrun/bare")
			}
		})
	}
}
